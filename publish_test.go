package curafeed

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publishSite is the site of the catalogs these tests publish.
const publishSite = "https://community.example.org"

// publishConfig keeps feeds short so that the sample records have archive
// documents, which hubs must never be told about.
var publishConfig = Config{SiteURL: publishSite, Title: "Example", Limit: 3, ArchiveSize: 2}

// hubLog is what a test hub was sent: the hub.url of every request, in the
// order they came.
type hubLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *hubLog) add(u string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.urls = append(l.urls, u)
}

// sorted returns the hub.url values received so far, sorted.
func (l *hubLog) sorted() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.urls)
	sort.Strings(out)
	return out
}

func (l *hubLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.urls)
}

func (l *hubLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.urls = nil
}

// feedURLPattern is what a current or archived feed URL under publishSite
// looks like.
var feedURLPattern = regexp.MustCompile(`/(rss\.xml|atom\.xml|feed\.json)$`)

// checkingHub starts a WebSub hub on loopback. It checks that every request
// is a form-encoded POST of hub.mode=publish with one hub.url, an absolute
// URL under site naming a feed document, records that URL (or the raw body
// of a bad request), then lets answer reply (202 Accepted when answer is
// nil).
func checkingHub(t *testing.T, site string, answer func(http.ResponseWriter, *http.Request)) (string, *hubLog) {
	t.Helper()
	log := &hubLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("hub: reading the request: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if problem := checkPublishRequest(r, body, site); problem != "" {
			t.Errorf("hub: %s: %s %s %q", problem, r.Method, r.Header.Get("Content-Type"), body)
			log.add("bad request: " + string(body))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		form, _ := url.ParseQuery(string(body))
		log.add(form.Get("hub.url"))
		if answer == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hub", log
}

// checkPublishRequest returns what is wrong with a publish request, or "".
func checkPublishRequest(r *http.Request, body []byte, site string) string {
	if r.Method != http.MethodPost {
		return "not a POST"
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return "not form-encoded"
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "unreadable form: " + err.Error()
	}
	if !slices.Equal(form["hub.mode"], []string{"publish"}) {
		return "hub.mode is not publish"
	}
	if len(form["hub.url"]) != 1 {
		return "not exactly one hub.url"
	}
	for k := range form {
		if k != "hub.mode" && k != "hub.url" {
			return "unexpected field " + k
		}
	}
	u, err := url.Parse(form.Get("hub.url"))
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "hub.url is not an absolute http(s) URL"
	}
	if !strings.HasPrefix(u.String(), site+"/") {
		return "hub.url is not under the site " + site
	}
	if !feedURLPattern.MatchString(u.Path) {
		return "hub.url is not a feed document"
	}
	return ""
}

// editTitle rewrites the first title: line of the record at rel under dir,
// keeping the file's line endings.
func editTitle(t *testing.T, dir, rel, title string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	loc := regexp.MustCompile(`(?m)^title:[^\r\n]*`).FindIndex(data)
	require.NotNil(t, loc, "%s has no title line", rel)
	edited := slices.Concat(data[:loc[0]], []byte("title: "+title), data[loc[1]:])
	require.NoError(t, os.WriteFile(p, edited, 0o644))
}

// editNewestAndOldest changes the titles of the newest and the oldest item
// of the site-wide feed of cat, whose records are under dir: one edit in
// current feeds, one in archive documents.
func editNewestAndOldest(t *testing.T, cat *Catalog, dir string) {
	t.Helper()
	all := cat.Feed("all")
	require.NotNil(t, all)
	require.NotEmpty(t, all.Items)
	require.NotEmpty(t, all.Archives, "the config must give the sample archive documents")
	newest := all.Items[0].Path
	oldest := all.Archives[0].Items[len(all.Archives[0].Items)-1].Path
	require.NotEqual(t, newest, oldest)
	editTitle(t, dir, newest, "Newest record, edited for WebSub")
	editTitle(t, dir, oldest, "Oldest record, edited for WebSub")
}

// currentFeedURLs lists the URL of every current feed document of cat,
// sorted.
func currentFeedURLs(cat *Catalog) []string {
	var urls []string
	for _, f := range cat.Feeds {
		for _, format := range Formats {
			urls = append(urls, f.URL(format))
		}
	}
	sort.Strings(urls)
	return urls
}

// fetchCurrentFeeds gets every current feed document r serves, by URL.
func fetchCurrentFeeds(t *testing.T, r *Reloader) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, u := range currentFeedURLs(r.Catalog()) {
		p := strings.TrimPrefix(u, publishSite)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		require.Equal(t, http.StatusOK, rec.Code, p)
		out[u] = rec.Body.Bytes()
	}
	return out
}

// changedURLs returns the URLs of after whose bytes differ from those in
// before, or that before lacks, sorted.
func changedURLs(before, after map[string][]byte) []string {
	var urls []string
	for u, b := range after {
		if old, ok := before[u]; !ok || !bytes.Equal(old, b) {
			urls = append(urls, u)
		}
	}
	sort.Strings(urls)
	return urls
}

// requireNoArchiveURL fails when a URL names an archive document of cat, or
// no document of it at all.
func requireNoArchiveURL(t *testing.T, cat *Catalog, urls []string) {
	t.Helper()
	for _, u := range urls {
		require.True(t, strings.HasPrefix(u, publishSite+"/"), u)
		doc := cat.Feed(path.Dir(strings.TrimPrefix(u, publishSite+"/")))
		require.NotNil(t, doc, "%s names no feed", u)
		require.Zero(t, doc.Archive, "%s is an archive document", u)
		require.Nil(t, doc.Current, "%s is an archive document", u)
		require.NotContains(t, u, "/archive/")
	}
}

func TestReloaderPublishesChangedFeeds(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	hub, log := checkingHub(t, publishSite, nil)
	reports := make(chan PublishReport, 10)
	r, err := NewReloader(os.DirFS(dir), publishConfig, ReloadOptions{
		Publisher: &Publisher{Hubs: []string{hub}, Backoff: 10 * time.Millisecond, Timeout: 5 * time.Second},
		OnPublish: func(rep PublishReport) { reports <- rep },
	})
	require.NoError(t, err)
	total := len(currentFeedURLs(r.Catalog()))

	// The first load announces nothing.
	select {
	case rep := <-reports:
		t.Fatalf("the first load published: %v", rep)
	case <-time.After(100 * time.Millisecond):
	}
	assert.Zero(t, log.count(), "the first load sent requests")

	before := fetchCurrentFeeds(t, r)
	editNewestAndOldest(t, r.Catalog(), dir)
	rep := r.Reload()
	require.NoError(t, rep.Err)
	after := fetchCurrentFeeds(t, r)
	want := changedURLs(before, after)

	require.NotEmpty(t, rep.ChangedFeeds)
	assert.Less(t, len(rep.ChangedFeeds), total, "an edit of two records changes only some feeds")
	assert.Equal(t, want, rep.ChangedFeeds, "ChangedFeeds are the current feeds whose served bytes changed")
	requireNoArchiveURL(t, r.Catalog(), rep.ChangedFeeds)
	archives := 0
	for _, p := range rep.Changed {
		if strings.Contains(p, "/archive/") {
			archives++
		}
	}
	assert.Positive(t, archives, "the edit of the oldest item changed archive documents: %v", rep.Changed)

	var pr PublishReport
	select {
	case pr = <-reports:
	case <-time.After(10 * time.Second):
		t.Fatal("no publish report after the reload")
	}
	assert.Empty(t, pr.Failed, "%v", pr.Err())
	var notified []string
	for _, n := range pr.Notified {
		assert.Equal(t, hub, n.Hub)
		assert.Equal(t, 1, n.Attempts)
		assert.Equal(t, http.StatusAccepted, n.Status)
		notified = append(notified, n.URL)
	}
	assert.Equal(t, rep.ChangedFeeds, notified)
	assert.Equal(t, rep.ChangedFeeds, log.sorted(), "the hub got one request per changed feed and no other")
	t.Logf("reload changed %d of %d current feed URLs (%d files, %d of them archive documents); the hub got %d requests",
		len(rep.ChangedFeeds), total, len(rep.Changed), archives, log.count())

	// A reload that changes nothing announces nothing.
	log.reset()
	rep = r.Reload()
	require.NoError(t, rep.Err)
	assert.Empty(t, rep.Changed)
	assert.Empty(t, rep.ChangedFeeds)
	select {
	case pr := <-reports:
		t.Errorf("a reload without changes published: %v", pr)
	case <-time.After(200 * time.Millisecond):
	}
	assert.Zero(t, log.count(), "a reload without changes sent requests: %v", log.sorted())
}

func TestReloaderPublishDoesNotBlock(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	release := make(chan struct{})
	hub, log := checkingHub(t, publishSite, func(http.ResponseWriter, *http.Request) { <-release })
	t.Cleanup(func() { close(release) }) // runs before the hub closes
	const timeout = 300 * time.Millisecond
	reports := make(chan PublishReport, 10)
	r, err := NewReloader(os.DirFS(dir), publishConfig, ReloadOptions{
		Publisher: &Publisher{Hubs: []string{hub}, Backoff: 10 * time.Millisecond, Timeout: timeout},
		OnPublish: func(rep PublishReport) { reports <- rep },
	})
	require.NoError(t, err)

	editNewestAndOldest(t, r.Catalog(), dir)
	reloaded := time.Now()
	rep := r.Reload()
	took := time.Since(reloaded)
	require.NoError(t, rep.Err)
	require.NotEmpty(t, rep.ChangedFeeds)
	assert.Less(t, took, 2*time.Second, "Reload waited for the hung hub")

	// While the hub hangs, the new catalog is served, and reloads go on.
	require.Eventually(t, func() bool { return log.count() > 0 }, 5*time.Second, 5*time.Millisecond, "the hub got no request")
	start := time.Now()
	for _, u := range rep.ChangedFeeds {
		res := httptest.NewRecorder()
		r.ServeHTTP(res, httptest.NewRequest(http.MethodGet, strings.TrimPrefix(u, publishSite), nil))
		assert.Equal(t, http.StatusOK, res.Code, u)
		if strings.HasPrefix(u, publishSite+"/all/") {
			assert.Contains(t, res.Body.String(), "edited for WebSub", u)
		}
	}
	assert.Less(t, time.Since(start), time.Second, "requests waited for the hung hub")
	select {
	case pr := <-reports:
		// Only a very slow machine gets here: the publish timeout ran out
		// before the requests above were served.
		t.Logf("the publish ended before the requests were served: %v", pr)
		reports <- pr
	default:
	}
	start = time.Now()
	again := r.Reload()
	require.NoError(t, again.Err)
	assert.Empty(t, again.ChangedFeeds)
	assert.Less(t, time.Since(start), 2*time.Second)

	var pr PublishReport
	select {
	case pr = <-reports:
	case <-time.After(10 * time.Second):
		t.Fatal("no publish report: the publish timeout did not end it")
	}
	elapsed := time.Since(reloaded)
	assert.GreaterOrEqual(t, elapsed, timeout-50*time.Millisecond, "the publish ended before its timeout")
	assert.Empty(t, pr.Notified)
	require.Len(t, pr.Failed, len(rep.ChangedFeeds))
	var failed []string
	for _, n := range pr.Failed {
		assert.Equal(t, hub, n.Hub)
		assert.Error(t, n.Err)
		assert.Contains(t, n.Err.Error(), "publish timeout of 300ms ran out", n.URL)
		failed = append(failed, n.URL)
	}
	assert.Equal(t, rep.ChangedFeeds, failed)
	assert.LessOrEqual(t, log.count(), DefaultPublishConcurrency, "requests beyond the concurrency limit")
	t.Logf("reload took %v; %d pairs failed after about %v; the hub got %d requests", took, len(pr.Failed), elapsed, log.count())
}

func TestBuildDirChangedFeeds(t *testing.T) {
	for _, cached := range []bool{false, true} {
		name := "no cache"
		if cached {
			name = "cache"
		}
		t.Run(name, func(t *testing.T) {
			dir := copyTree(t, "testdata/records")
			out := t.TempDir()
			cfg := publishConfig
			if cached {
				cfg.CacheDir = t.TempDir()
			}
			build := func() WriteStats {
				t.Helper()
				_, st, err := BuildDir(os.DirFS(dir), cfg, out)
				require.NoError(t, err)
				return st
			}
			catalog := func() *Catalog {
				t.Helper()
				recs, err := Load(os.DirFS(dir), publishConfig)
				require.NoError(t, err)
				cat, err := Build(recs.All(), publishConfig)
				require.NoError(t, err)
				return cat
			}
			// feeds returns the current feed documents of the tree by URL.
			feeds := func(cat *Catalog, tree map[string][]byte) map[string][]byte {
				t.Helper()
				docs := map[string][]byte{}
				for _, u := range currentFeedURLs(cat) {
					data, ok := tree[strings.TrimPrefix(u, publishSite+"/")]
					require.True(t, ok, "%s was not written", u)
					docs[u] = data
				}
				return docs
			}

			first := build()
			cat := catalog()
			all := currentFeedURLs(cat)
			assert.Equal(t, all, first.Changed, "a build into an empty folder changes every current feed")
			require.Positive(t, first.Archives)
			before := treeBytes(t, out)

			editNewestAndOldest(t, cat, dir)
			st := build()
			cat = catalog()
			after := treeBytes(t, out)
			want := changedURLs(feeds(cat, before), feeds(cat, after))
			assert.Equal(t, want, st.Changed, "Changed lists the current feeds whose files changed")
			assert.NotEmpty(t, st.Changed)
			assert.Less(t, len(st.Changed), len(all))
			requireNoArchiveURL(t, cat, st.Changed)
			var archives []string
			for p, data := range after {
				if strings.Contains(p, "/archive/") && !bytes.Equal(before[p], data) {
					archives = append(archives, p)
				}
			}
			assert.NotEmpty(t, archives, "the edit of the oldest item changed archive documents")
			t.Logf("rebuild: %d files written, %d of %d current feed URLs changed, %d archive files changed",
				st.Written, len(st.Changed), len(all), len(archives))

			again := build()
			assert.Empty(t, again.Changed, "an unchanged rebuild announces nothing")
			assert.Zero(t, again.Written)
		})
	}
}
