package curafeed

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/curafeed/curafeed/internal/hubtest"
	"github.com/curafeed/curafeed/websub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publishSite is the site of the catalogs these tests publish.
const publishSite = "https://community.example.org"

// publishConfig keeps feeds short so that the sample records have archive
// documents, which hubs must never be told about.
var publishConfig = Config{SiteURL: publishSite, Title: "Example", Limit: 3, ArchiveSize: 2}

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
	all := feedOf(cat, "all")
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
		for _, format := range Formats() {
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
		doc := feedOf(cat, path.Dir(strings.TrimPrefix(u, publishSite+"/")))
		require.NotNil(t, doc, "%s names no feed", u)
		require.Zero(t, doc.Archive, "%s is an archive document", u)
		require.Nil(t, doc.Current, "%s is an archive document", u)
		require.NotContains(t, u, "/archive/")
	}
}

func TestReloaderPublishesChangedFeeds(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	hub := hubtest.Start(t, publishSite, nil)
	reports := make(chan websub.PublishReport, 10)
	r, err := NewReloader(os.DirFS(dir), publishConfig, ReloadOptions{
		Publisher: &websub.Publisher{Hubs: []string{hub.URL}, Backoff: 10 * time.Millisecond, Timeout: 5 * time.Second},
		OnPublish: func(rep websub.PublishReport) { reports <- rep },
	})
	require.NoError(t, err)
	total := len(currentFeedURLs(r.Catalog()))

	// The first load announces nothing.
	select {
	case rep := <-reports:
		t.Fatalf("the first load published: %v", rep)
	case <-time.After(100 * time.Millisecond):
	}
	assert.Zero(t, hub.Count(), "the first load sent requests")

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

	var pr websub.PublishReport
	select {
	case pr = <-reports:
	case <-time.After(10 * time.Second):
		t.Fatal("no publish report after the reload")
	}
	assert.Empty(t, pr.Failed, "%v", pr.Err())
	var notified []string
	for _, n := range pr.Notified {
		assert.Equal(t, hub.URL, n.Hub)
		assert.Equal(t, 1, n.Attempts)
		assert.Equal(t, http.StatusAccepted, n.Status)
		notified = append(notified, n.URL)
	}
	assert.Equal(t, rep.ChangedFeeds, notified)
	assert.Equal(t, rep.ChangedFeeds, hub.Got(), "the hub got one request per changed feed and no other")
	t.Logf("reload changed %d of %d current feed URLs (%d files, %d of them archive documents); the hub got %d requests",
		len(rep.ChangedFeeds), total, len(rep.Changed), archives, hub.Count())

	// A reload that changes nothing announces nothing.
	hub.Reset()
	rep = r.Reload()
	require.NoError(t, rep.Err)
	assert.Empty(t, rep.Changed)
	assert.Empty(t, rep.ChangedFeeds)
	select {
	case pr := <-reports:
		t.Errorf("a reload without changes published: %v", pr)
	case <-time.After(200 * time.Millisecond):
	}
	assert.Zero(t, hub.Count(), "a reload without changes sent requests: %v", hub.Got())
}

func TestReloaderPublishDoesNotBlock(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	release := make(chan struct{})
	hub := hubtest.Start(t, publishSite, func(http.ResponseWriter, *http.Request) { <-release })
	t.Cleanup(func() { close(release) }) // runs before the hub closes
	const timeout = 300 * time.Millisecond
	reports := make(chan websub.PublishReport, 10)
	r, err := NewReloader(os.DirFS(dir), publishConfig, ReloadOptions{
		Publisher: &websub.Publisher{Hubs: []string{hub.URL}, Backoff: 10 * time.Millisecond, Timeout: timeout},
		OnPublish: func(rep websub.PublishReport) { reports <- rep },
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
	require.Eventually(t, func() bool { return hub.Count() > 0 }, 5*time.Second, 5*time.Millisecond, "the hub got no request")
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

	var pr websub.PublishReport
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
		assert.Equal(t, hub.URL, n.Hub)
		assert.Error(t, n.Err)
		assert.Contains(t, n.Err.Error(), "publish timeout of 300ms ran out", n.URL)
		failed = append(failed, n.URL)
	}
	assert.Equal(t, rep.ChangedFeeds, failed)
	assert.LessOrEqual(t, hub.Count(), websub.DefaultConcurrency, "requests beyond the concurrency limit")
	t.Logf("reload took %v; %d pairs failed after about %v; the hub got %d requests", took, len(pr.Failed), elapsed, hub.Count())
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

// TestReloaderCloseAndOrder requires a Reloader's publishes to report in the
// order of the reloads, one at a time, and Close to cancel those still
// waiting on a hung hub instead of waiting out their timeout.
func TestReloaderCloseAndOrder(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	release := make(chan struct{})
	hub := hubtest.Start(t, publishSite, func(http.ResponseWriter, *http.Request) { <-release })
	t.Cleanup(func() { close(release) })
	reports := make(chan websub.PublishReport, 10)
	inReport := 0 // OnPublish calls in progress; more than one would be a race
	r, err := NewReloader(os.DirFS(dir), publishConfig, ReloadOptions{
		Publisher: &websub.Publisher{Hubs: []string{hub.URL}, Timeout: time.Minute},
		OnPublish: func(rep websub.PublishReport) {
			inReport++
			assert.Equal(t, 1, inReport, "OnPublish calls overlap")
			reports <- rep
			inReport--
		},
	})
	require.NoError(t, err)

	editTitle(t, dir, feedOf(r.Catalog(), "all").Items[0].Path, "First edit")
	first := r.Reload()
	require.NotEmpty(t, first.ChangedFeeds)
	editTitle(t, dir, feedOf(r.Catalog(), "communities/pandemic").Items[0].Path, "Second edit")
	second := r.Reload()
	require.NotEmpty(t, second.ChangedFeeds)
	require.NotEqual(t, first.ChangedFeeds, second.ChangedFeeds, "the two reloads change different feeds")
	require.Eventually(t, func() bool { return hub.Count() > 0 }, 5*time.Second, 5*time.Millisecond)

	closed := time.Now()
	r.Close()
	assert.Less(t, time.Since(closed), 5*time.Second, "Close waited for the publish timeout")
	require.Len(t, reports, 2, "both publishes reported by the time Close returns")
	for i, want := range [][]string{first.ChangedFeeds, second.ChangedFeeds} {
		rep := <-reports
		assert.Empty(t, rep.Notified)
		var urls []string
		for _, n := range rep.Failed {
			urls = append(urls, n.URL)
			assert.ErrorIs(t, n.Err, context.Canceled)
		}
		assert.Equal(t, want, urls, "report %d is for reload %d", i+1, i+1)
	}

	// After Close, reloads still serve the new records but publish nothing.
	requests := hub.Count()
	editTitle(t, dir, feedOf(r.Catalog(), "all").Items[0].Path, "Third edit")
	third := r.Reload()
	require.NotEmpty(t, third.ChangedFeeds)
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "Third edit")
	time.Sleep(200 * time.Millisecond)
	assert.Empty(t, reports, "no publish after Close")
	assert.Equal(t, requests, hub.Count())
}
