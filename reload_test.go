package curafeed

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/curafeed/curafeed/internal/hubtest"
	"github.com/curafeed/curafeed/websub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memFS is an in-memory fs.FS that tests may change while it is read: each
// Open works on a copy of the file table, and files are replaced, never
// modified in place.
type memFS struct {
	mu    sync.Mutex
	files fstest.MapFS
	err   error // when set, every Open fails with it
	tick  time.Time
}

func newMemFS() *memFS {
	return &memFS{files: fstest.MapFS{}, tick: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (m *memFS) Open(name string) (fs.File, error) {
	m.mu.Lock()
	if err := m.err; err != nil {
		m.mu.Unlock()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	files := maps.Clone(m.files)
	m.mu.Unlock()
	return files.Open(name)
}

func (m *memFS) set(name, data string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tick = m.tick.Add(time.Second)
	m.files[name] = &fstest.MapFile{Data: []byte(data), ModTime: m.tick}
}

func (m *memFS) remove(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
}

func (m *memFS) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

// reloadRecord is a record of community c with curation number n.
func reloadRecord(n int, c, title, date string) string {
	return fmt.Sprintf(`---
title: %s
date: '%s'
id: %d
mdName: 00000000-0000-5000-8000-%012d
basePath: /communities/%s/curated-content/
slug: item-%d
identifier: %s
communityTopics: ['Gartner: Cybersecurity']
---
<p>Body of %s.</p>
`, title, date, n, n, c, n, c, title)
}

// recordPath is the path of record n of community c.
func recordPath(c string, n int) string {
	return fmt.Sprintf("communities/%s/curated-content/%d.md", c, n)
}

var reloadConfig = Config{SiteURL: "https://community.example.org", Title: "Example"}

func get(t testing.TB, h http.Handler, p string) *httptest.ResponseRecorder {
	t.Helper()
	return do(h, "GET", p, nil)
}

func TestReloader(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "2024-01-02"))
	var reports []ReloadReport
	r, err := NewReloader(m, reloadConfig, ReloadOptions{
		Handler:  HandlerOptions{CacheControl: "max-age=1"},
		OnReload: func(rep ReloadReport) { reports = append(reports, rep) },
	})
	require.NoError(t, err)
	require.Len(t, reports, 1, "the first load is reported")
	first := reports[0]
	assert.NoError(t, first.Err)
	assert.Equal(t, 2, first.Read)
	assert.Equal(t, 2, first.Published)
	assert.Equal(t, 4, first.Feeds)
	assert.Equal(t, 3+4*3, first.Files)
	assert.Len(t, first.Changed, first.Files, "every file is new")
	assert.Empty(t, first.Removed)
	assert.False(t, first.Start.IsZero())
	assert.Positive(t, first.Duration)

	res := get(t, r, "/communities/security/rss.xml")
	require.Equal(t, 200, res.Code)
	assert.Contains(t, res.Body.String(), "<title>Second</title>")
	assert.Equal(t, "max-age=1", res.Header().Get("Cache-Control"))
	etag := res.Header().Get("ETag")
	cat := r.Catalog()
	assert.NotNil(t, feedOf(cat, "communities/security"))

	t.Run("nothing changed", func(t *testing.T) {
		before := r.cur.Load().h
		rep := r.Reload()
		require.NoError(t, rep.Err)
		assert.Empty(t, rep.Changed)
		assert.Empty(t, rep.Removed)
		for p, e := range r.cur.Load().h.files {
			assert.Same(t, before.files[p], e, "%s: the rendered file is reused", p)
		}
		assert.Equal(t, 304, do(r, "GET", "/communities/security/rss.xml", map[string]string{"If-None-Match": etag}).Code)
	})

	t.Run("edit, add", func(t *testing.T) {
		m.set(recordPath("security", 2), reloadRecord(2, "security", "Second, edited", "2024-01-02"))
		m.set(recordPath("femtech", 3), reloadRecord(3, "femtech", "Third", "2024-01-03"))
		rep := r.Reload()
		require.NoError(t, rep.Err)
		assert.Equal(t, 3, rep.Published)
		assert.NotSame(t, cat, r.Catalog())
		assert.Contains(t, rep.Changed, "communities/security/rss.xml")
		assert.Contains(t, rep.Changed, "communities/femtech/feed.json")
		assert.Contains(t, rep.Changed, "index.opml")
		assert.Contains(t, rep.Changed, "all/atom.xml")
		assert.Empty(t, rep.Removed)
		res := do(r, "GET", "/communities/security/rss.xml", map[string]string{"If-None-Match": etag})
		require.Equal(t, 200, res.Code, "the ETag changed with the bytes")
		assert.Contains(t, res.Body.String(), "<title>Second, edited</title>")
		assert.Equal(t, 200, get(t, r, "/communities/femtech/topics/gartner-cybersecurity/atom.xml").Code)
	})

	t.Run("remove", func(t *testing.T) {
		m.remove(recordPath("femtech", 3))
		rep := r.Reload()
		require.NoError(t, rep.Err)
		assert.Equal(t, []string{
			"communities/femtech/atom.xml", "communities/femtech/feed.json", "communities/femtech/rss.xml",
			"communities/femtech/topics/gartner-cybersecurity/atom.xml",
			"communities/femtech/topics/gartner-cybersecurity/feed.json",
			"communities/femtech/topics/gartner-cybersecurity/rss.xml",
		}, rep.Removed)
		assert.Equal(t, 404, get(t, r, "/communities/femtech/rss.xml").Code)
		assert.NotContains(t, rep.Changed, "communities/security/rss.xml", "untouched feeds are unchanged")
		assert.Contains(t, rep.Changed, "all/rss.xml")
	})
	assert.Len(t, reports, 4)
}

func TestReloadKeepsLastGood(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "2024-01-02"))
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)

	// A published record breaks: its last good version stays.
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second, broken", "last tuesday"))
	rep := r.Reload()
	require.NoError(t, rep.Err)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, recordPath("security", 2), rep.Errors[0].Path)
	assert.Equal(t, "date", rep.Errors[0].Field)
	assert.Equal(t, []string{recordPath("security", 2)}, rep.Kept)
	assert.Equal(t, 2, rep.Published)
	body := get(t, r, "/all/rss.xml").Body.String()
	assert.Contains(t, body, "<title>Second</title>")
	assert.NotContains(t, body, "broken")

	// It stays kept while it stays broken, and another record can change.
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First, edited", "2024-01-01"))
	rep = r.Reload()
	assert.Equal(t, []string{recordPath("security", 2)}, rep.Kept)
	body = get(t, r, "/all/rss.xml").Body.String()
	assert.Contains(t, body, "<title>Second</title>")
	assert.Contains(t, body, "<title>First, edited</title>")

	// A new record that is broken was never good: nothing to keep.
	m.set(recordPath("security", 4), reloadRecord(4, "security", "Fourth", "someday"))
	rep = r.Reload()
	assert.Len(t, rep.Errors, 2)
	assert.Equal(t, []string{recordPath("security", 2)}, rep.Kept)

	// Another file now holds record 2 (same id and mdName): it wins and
	// the old version is not kept beside it.
	m.set(recordPath("security", 5), strings.Replace(reloadRecord(2, "security", "Second, moved", "2024-01-02"), "slug: item-2", "slug: moved", 1))
	rep = r.Reload()
	assert.Empty(t, rep.Kept)
	body = get(t, r, "/all/rss.xml").Body.String()
	assert.Contains(t, body, "<title>Second, moved</title>")
	assert.Equal(t, 1, strings.Count(body, "<title>Second"))
	m.remove(recordPath("security", 5))

	// Fixed: the new version is published, nothing is kept.
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second, fixed", "2024-01-02"))
	m.remove(recordPath("security", 4))
	rep = r.Reload()
	assert.Empty(t, rep.Errors)
	assert.Empty(t, rep.Kept)
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "<title>Second, fixed</title>")

	// Deleted while broken: a deleted file is no error, so it goes.
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "never"))
	assert.Len(t, r.Reload().Kept, 1)
	m.remove(recordPath("security", 2))
	rep = r.Reload()
	assert.Empty(t, rep.Kept)
	assert.Equal(t, 1, rep.Published)
}

func TestReloadFailureKeepsCatalog(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	var got []ReloadReport
	r, err := NewReloader(m, reloadConfig, ReloadOptions{OnReload: func(rep ReloadReport) { got = append(got, rep) }})
	require.NoError(t, err)
	cat := r.Catalog()
	etag := get(t, r, "/all/atom.xml").Header().Get("ETag")

	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "2024-01-02"))
	m.fail(fs.ErrPermission)
	rep := r.Reload()
	require.Error(t, rep.Err)
	assert.ErrorIs(t, rep.Err, fs.ErrPermission)
	assert.Same(t, cat, r.Catalog(), "the previous catalog stays")
	assert.Equal(t, rep, got[len(got)-1])
	res := get(t, r, "/all/atom.xml")
	assert.Equal(t, 200, res.Code)
	assert.Equal(t, etag, res.Header().Get("ETag"))

	m.fail(nil)
	rep = r.Reload()
	require.NoError(t, rep.Err)
	assert.Equal(t, 2, rep.Published)
}

func TestNewReloaderErrors(t *testing.T) {
	m := newMemFS()
	m.fail(errors.New("disk on fire"))
	var n int
	_, err := NewReloader(m, reloadConfig, ReloadOptions{OnReload: func(ReloadReport) { n++ }})
	assert.ErrorContains(t, err, "disk on fire")
	assert.Equal(t, 1, n)

	_, err = NewReloader(newMemFS(), Config{SiteURL: "not a URL"}, ReloadOptions{})
	assert.Error(t, err)

	// No records at all is a catalog with one empty feed, not an error.
	r, err := NewReloader(newMemFS(), reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	assert.Equal(t, 200, get(t, r, "/all/feed.json").Code)
}

// TestWatch edits records on disk while Watch polls them.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	write := func(n int, title string) {
		p := filepath.Join(dir, filepath.FromSlash(recordPath("security", n)))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(reloadRecord(n, "security", title, "2024-01-01")), 0o644))
	}
	write(1, "One")
	reloads := make(chan ReloadReport, 100)
	r, err := NewReloader(os.DirFS(dir), reloadConfig, ReloadOptions{OnReload: func(rep ReloadReport) { reloads <- rep }})
	require.NoError(t, err)
	<-reloads

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.Watch(ctx, 20*time.Millisecond)
		close(done)
	}()
	next := func() ReloadReport {
		t.Helper()
		select {
		case rep := <-reloads:
			return rep
		case <-time.After(10 * time.Second):
			t.Fatal("no reload")
		}
		return ReloadReport{}
	}

	// Nothing changes: no reload.
	select {
	case <-reloads:
		t.Fatal("reload without a change")
	case <-time.After(300 * time.Millisecond):
	}

	// A burst of edits, each sooner than the settling time after the
	// last, gives fewer reloads than edits, and the last one is served.
	for i := range 5 {
		write(2+i, fmt.Sprintf("Burst %d", i))
		time.Sleep(30 * time.Millisecond)
	}
	rep := next()
	require.NoError(t, rep.Err)
	n := 1
	for rep.Published < 6 {
		rep = next()
		n++
	}
	assert.Less(t, n+len(reloads), 5, "the burst is debounced")
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "Burst 4")

	// A new file name that is not a record changes nothing.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	select {
	case <-reloads:
		t.Fatal("reload for a file that is not a record")
	case <-time.After(300 * time.Millisecond):
	}

	// A removal is noticed.
	require.NoError(t, os.Remove(filepath.Join(dir, filepath.FromSlash(recordPath("security", 1)))))
	rep = next()
	assert.Equal(t, 5, rep.Published)

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return when its context was done")
	}
}

// TestReloaderRace issues requests from many goroutines while another edits
// the records and reloads: every response is a whole, valid file whose ETag
// is the hash of its bytes. Run it with -race.
func TestReloaderRace(t *testing.T) {
	m := newMemFS()
	communities := []string{"security", "femtech", "pandemic"}
	for i, c := range communities {
		m.set(recordPath(c, 100+i), reloadRecord(100+i, c, "Anchor "+c, "2020-01-01"))
	}
	for n := range 12 {
		c := communities[n%3]
		m.set(recordPath(c, n), reloadRecord(n, c, fmt.Sprintf("Item %d", n), fmt.Sprintf("2024-01-%02d", n+1)))
	}
	var reloads atomic.Int64
	r, err := NewReloader(m, reloadConfig, ReloadOptions{OnReload: func(rep ReloadReport) {
		reloads.Add(1)
		if rep.Err != nil {
			t.Errorf("reload failed: %v", rep.Err)
		}
	}})
	require.NoError(t, err)
	srv := httptest.NewServer(r)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()

	// Paths that exist in every version of the records.
	var paths []string
	paths = append(paths, "/index.opml")
	for _, d := range []string{"all", "communities/security", "communities/femtech/topics/gartner-cybersecurity", "topics/gartner-cybersecurity"} {
		for _, f := range Formats() {
			paths = append(paths, "/"+d+"/"+f.fileName())
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var requests, notModified atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(g), 1))
			etags := map[string]string{}
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := paths[rnd.IntN(len(paths))]
				gz := rnd.IntN(2) == 0
				req, _ := http.NewRequest("GET", srv.URL+p, nil)
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				key := fmt.Sprint(p, gz)
				if tag := etags[key]; tag != "" && rnd.IntN(2) == 0 {
					req.Header.Set("If-None-Match", tag)
				}
				res, err := client.Do(req)
				if err != nil {
					t.Errorf("GET %s: %v", p, err)
					return
				}
				raw, err := io.ReadAll(res.Body)
				res.Body.Close()
				requests.Add(1)
				if err != nil {
					t.Errorf("GET %s: %v", p, err)
					return
				}
				tag := res.Header.Get("ETag")
				switch res.StatusCode {
				case 304:
					notModified.Add(1)
					if tag != req.Header.Get("If-None-Match") || len(raw) != 0 {
						t.Errorf("GET %s: 304 with ETag %s for %s", p, tag, req.Header.Get("If-None-Match"))
					}
					continue
				case 200:
				default:
					t.Errorf("GET %s: status %d", p, res.StatusCode)
					return
				}
				body, suffix := raw, ""
				if res.Header.Get("Content-Encoding") == "gzip" {
					suffix = "-gz"
					zr, err := gzip.NewReader(bytes.NewReader(raw))
					if err == nil {
						body, err = io.ReadAll(zr)
					}
					if err != nil {
						t.Errorf("GET %s: gzip: %v", p, err)
						return
					}
				}
				if want := etagOf(raw, suffix); tag != want {
					t.Errorf("GET %s: ETag %s, bytes hash to %s", p, tag, want)
				}
				if strings.HasSuffix(p, ".json") {
					var v struct{ Items []any }
					if err := json.Unmarshal(body, &v); err != nil || len(v.Items) == 0 {
						t.Errorf("GET %s: %v, %d items", p, err, len(v.Items))
					}
				} else if err := xml.Unmarshal(body, new(struct{})); err != nil {
					t.Errorf("GET %s: %v", p, err)
				}
				if !bytes.Contains(body, []byte("Anchor")) && !strings.Contains(p, "opml") && !strings.Contains(p, "topics") {
					t.Errorf("GET %s: the anchor record is missing", p)
				}
				etags[key] = tag
			}
		})
	}
	wg.Go(func() {
		for range 200 {
			select {
			case <-stop:
				return
			default:
			}
			if feedOf(r.Catalog(), "all") == nil {
				t.Error("no site-wide feed")
			}
			time.Sleep(time.Millisecond)
		}
	})

	rnd := rand.New(rand.NewPCG(7, 7))
	var added []string
	for i := range 40 {
		n := rnd.IntN(12)
		c := communities[n%3]
		switch i % 4 {
		case 0: // edit
			m.set(recordPath(c, n), reloadRecord(n, c, fmt.Sprintf("Item %d, edit %d", n, i), fmt.Sprintf("2024-01-%02d", n+1)))
		case 1: // break
			m.set(recordPath(c, n), reloadRecord(n, c, "broken", "not a date"))
		case 2: // add
			added = append(added, recordPath(c, 1000+i))
			m.set(recordPath(c, 1000+i), reloadRecord(1000+i, c, fmt.Sprintf("New %d", i), "2024-02-01"))
		case 3: // remove an added one
			m.remove(added[rnd.IntN(len(added))])
		}
		r.Reload()
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	assert.Equal(t, int64(41), reloads.Load())
	assert.Positive(t, requests.Load())
	t.Logf("%d requests (%d answered 304) during %d reloads", requests.Load(), notModified.Load(), reloads.Load())
}

// TestReloaderTombstonesGoneRecords requires a record that disappears
// between two loads to leave a tombstone (RFC 6721) in the Atom feeds it was
// in, dated by the newest record (or its own date when later), for as long as
// the tombstone period lasts, and the tombstone to go when the record comes
// back.
func TestReloaderTombstonesGoneRecords(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "2024-01-02"))
	m.set(recordPath("security", 3), reloadRecord(3, "security", "Third", "2024-01-03"))
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	gone := "urn:uuid:00000000-0000-5000-8000-000000000001"
	tombstone := `<at:deleted-entry ref="` + gone + `" when="2024-01-03T00:00:00Z">`
	for _, p := range []string{"/all/atom.xml", "/communities/security/atom.xml"} {
		assert.NotContains(t, get(t, r, p).Body.String(), "deleted-entry", p)
	}

	m.remove(recordPath("security", 1))
	require.NoError(t, r.Reload().Err)
	for _, p := range []string{"/all/atom.xml", "/communities/security/atom.xml", "/topics/gartner-cybersecurity/atom.xml", "/communities/security/topics/gartner-cybersecurity/atom.xml"} {
		body := get(t, r, p).Body.String()
		assert.Contains(t, body, tombstone, p)
		assert.NotContains(t, body, "<id>"+gone+"</id>", p)
	}
	for _, p := range []string{"/all/rss.xml", "/all/feed.json"} {
		assert.NotContains(t, get(t, r, p).Body.String(), gone, p)
	}

	// Another reload keeps the tombstone, with the same date, even after a
	// newer record arrives; one dated beyond the period drops it.
	m.set(recordPath("security", 4), reloadRecord(4, "security", "Fourth", "2024-01-20"))
	require.NoError(t, r.Reload().Err)
	assert.Contains(t, get(t, r, "/all/atom.xml").Body.String(), tombstone)
	m.set(recordPath("security", 5), reloadRecord(5, "security", "Fifth", "2024-03-01"))
	require.NoError(t, r.Reload().Err)
	assert.NotContains(t, get(t, r, "/all/atom.xml").Body.String(), "deleted-entry", "30 days after, the tombstone is gone")

	// A record that comes back is published again, without a tombstone.
	m.remove(recordPath("security", 2))
	require.NoError(t, r.Reload().Err)
	require.Contains(t, get(t, r, "/all/atom.xml").Body.String(), "000000000002")
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Second", "2024-01-02"))
	require.NoError(t, r.Reload().Err)
	body := get(t, r, "/all/atom.xml").Body.String()
	assert.NotContains(t, body, "deleted-entry")
	assert.Contains(t, body, "<title type=\"text\">Second</title>")
}

// TestReloaderCollapsesPublishes requires the feeds that reloads change
// while a publish hangs to be gathered into one next publish, instead of one
// queued publish per reload, and nothing to be lost.
func TestReloaderCollapsesPublishes(t *testing.T) {
	m := newMemFS()
	communities := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	for i, c := range communities {
		m.set(recordPath(c, i+1), reloadRecord(i+1, c, "Record "+c, "2024-01-0"+strconv.Itoa(i+1)))
	}
	release := make(chan struct{})
	var got atomic.Int32
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == 1 {
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	reports := make(chan websub.PublishReport, 20)
	r, err := NewReloader(m, reloadConfig, ReloadOptions{
		Publisher: &websub.Publisher{Hubs: []string{hub}, Timeout: time.Minute, Concurrency: 1},
		OnPublish: func(rep websub.PublishReport) { reports <- rep },
	})
	require.NoError(t, err)

	var first, later []string
	for i, c := range communities {
		m.set(recordPath(c, i+1), reloadRecord(i+1, c, "Edited "+c, "2024-01-0"+strconv.Itoa(i+1)))
		rep := r.Reload()
		require.NotEmpty(t, rep.ChangedFeeds)
		if i == 0 {
			first = rep.ChangedFeeds
			require.Eventually(t, func() bool { return got.Load() > 0 }, 5*time.Second, time.Millisecond, "the hub got no request")
		} else {
			later = append(later, rep.ChangedFeeds...)
		}
	}
	close(release)
	urls := func(rep websub.PublishReport) []string {
		assert.Empty(t, rep.Failed)
		var out []string
		for _, n := range rep.Notified {
			out = append(out, n.URL)
		}
		return out
	}
	assert.Equal(t, first, urls(<-reports), "the first publish is that of the first reload")
	assert.Equal(t, sortedNonEmpty(later), urls(<-reports), "the next publish gathers every later reload's feeds")
	r.Close()
	assert.Empty(t, reports, "one publish for the reloads made while the hub hung")
}

// TestReloadParsesOnlyChangedFiles requires a reload to reuse what an
// unchanged record file parsed to (its rendered body included) and to parse
// again only the files whose bytes changed, with feeds byte-identical to a
// fresh load of the same files (a reload also knows which records
// disappeared, and tombstones them, which a fresh load cannot: no record
// is removed here).
func TestReloadParsesOnlyChangedFiles(t *testing.T) {
	m := newMemFS()
	for i, c := range []string{"alpha", "beta", "alpha", "gamma"} {
		m.set(recordPath(c, i+1), reloadRecord(i+1, c, "Record "+strconv.Itoa(i+1), "2024-01-0"+strconv.Itoa(i+1)))
	}
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	content := func(cat *Catalog) map[string]*lazyHTML {
		out := map[string]*lazyHTML{}
		all, _ := cat.Feed("all")
		for _, it := range all.Items {
			it.ContentHTML()
			out[it.Path] = it.content
		}
		return out
	}
	before := content(r.Catalog())
	m.set(recordPath("beta", 2), reloadRecord(2, "beta", "Record 2, edited", "2024-01-02"))
	m.set(recordPath("delta", 5), reloadRecord(5, "delta", "Record 5", "2024-01-05"))
	rep := r.Reload()
	require.NoError(t, rep.Err)
	after := content(r.Catalog())
	assert.Same(t, before[recordPath("alpha", 1)], after[recordPath("alpha", 1)], "an unchanged record is not parsed again")
	assert.Same(t, before[recordPath("alpha", 3)], after[recordPath("alpha", 3)])
	assert.NotSame(t, before[recordPath("beta", 2)], after[recordPath("beta", 2)], "an edited record is parsed again")
	assert.Contains(t, after, recordPath("delta", 5))

	fresh, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	got, want := sampleFiles(t, r.Catalog()), sampleFiles(t, fresh.Catalog())
	require.Equal(t, len(want), len(got))
	for p, f := range want {
		assert.Equal(t, string(f.Body), string(got[p].Body), "%s differs from a fresh load", p)
	}
}

// TestReloadRendersOnlyChangedDocuments requires a reload to render only the
// documents whose records changed, and to serve, for every path, the bytes
// a fresh load of the same files serves.
func TestReloadRendersOnlyChangedDocuments(t *testing.T) {
	rec := func(n int, c, topic, title string) string {
		return strings.Replace(reloadRecord(n, c, title, fmt.Sprintf("2024-01-%02d", n)), "Gartner: Cybersecurity", topic, 1)
	}
	communities := []string{"alpha", "beta", "gamma"}
	topics := []string{"Gartner: Cybersecurity", "Gartner: Interoperability", "Clinical: Imaging", "Clinical: Oncology"}
	m := newMemFS()
	for n := 1; n <= 24; n++ {
		m.set(recordPath(communities[n%3], n), rec(n, communities[n%3], topics[n%4], fmt.Sprintf("Record %d", n)))
	}
	cfg := reloadConfig
	cfg.Limit, cfg.ArchiveSize = 3, 3
	cfg.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := NewReloader(m, cfg, ReloadOptions{})
	require.NoError(t, err)
	first := r.cur.Load().h
	require.Equal(t, len(first.files), first.rendered, "the first load renders every file")

	served := func(h *handler) map[string]string {
		out := map[string]string{}
		for p := range h.files {
			out[p] = get(t, h, "/"+p).Body.String()
		}
		return out
	}
	for round, change := range []func(){
		func() { m.set(recordPath("alpha", 3), rec(3, "alpha", topics[3], "Record 3, edited")) },      // an old item, in archives
		func() { m.set(recordPath("beta", 25), rec(25, "beta", topics[1], "Record 25, the newest")) }, // shifts archive pages
		func() {}, // nothing changed
	} {
		change()
		rep := r.Reload()
		require.NoError(t, rep.Err)
		fresh, err := NewReloader(m, cfg, ReloadOptions{})
		require.NoError(t, err)
		got, want := served(r.cur.Load().h), served(fresh.cur.Load().h)
		require.Equal(t, len(want), len(got), "round %d", round)
		for p, body := range want {
			require.Equal(t, body, got[p], "round %d: %s differs from a fresh load", round, p)
		}
		assert.Less(t, rep.Rendered, rep.Files/2, "round %d renders only the documents that changed", round)
		if round == 2 {
			assert.Equal(t, 3, rep.Rendered, "with no change, only index.opml, index.html and feed.xsl are rendered")
		}
	}
}

// readCountFS counts, by path, the files whose bytes were read, and the
// files opened (to read or to stat them).
type readCountFS struct {
	fs.FS
	mu    sync.Mutex
	reads map[string]int
	opens map[string]int
}

type countedFile struct {
	fs.File
	name string
	fsys *readCountFS
}

func (f *countedFile) Read(b []byte) (int, error) {
	f.fsys.mu.Lock()
	f.fsys.reads[f.name]++
	f.fsys.mu.Unlock()
	return f.File.Read(b)
}

func (c *readCountFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if _, ok := f.(fs.ReadDirFile); ok {
		return f, nil
	}
	c.mu.Lock()
	if c.opens != nil {
		c.opens[name]++
	}
	c.mu.Unlock()
	return &countedFile{f, name, c}, nil
}

// TestReloadReadsOnlyChangedFiles requires a reload to trust a file whose
// size and modification time are those it had when it was read, as the
// build cache does, and to read the others.
func TestReloadReadsOnlyChangedFiles(t *testing.T) {
	m := newMemFS()
	for i, c := range []string{"alpha", "beta", "alpha", "gamma"} {
		m.set(recordPath(c, i+1), reloadRecord(i+1, c, "Record "+strconv.Itoa(i+1), "2024-01-0"+strconv.Itoa(i+1)))
	}
	fsys := &readCountFS{FS: m, reads: map[string]int{}}
	r, err := NewReloader(fsys, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	assert.Len(t, fsys.reads, 4, "the first load reads every file")
	clear(fsys.reads)
	m.set(recordPath("beta", 2), reloadRecord(2, "beta", "Record 2, edited", "2024-01-02"))
	rep := r.Reload()
	require.NoError(t, rep.Err)
	assert.Equal(t, []string{recordPath("beta", 2)}, slices.Collect(maps.Keys(fsys.reads)), "only the edited file is read")
	all, _ := r.Catalog().Feed("all")
	assert.Equal(t, "Record 2, edited", all.Items[2].Title)

	// Same size, a new modification time: read again.
	clear(fsys.reads)
	m.set(recordPath("beta", 2), reloadRecord(2, "beta", "Record 2, EDITED", "2024-01-02"))
	require.NoError(t, r.Reload().Err)
	assert.Equal(t, []string{recordPath("beta", 2)}, slices.Collect(maps.Keys(fsys.reads)))
	all, _ = r.Catalog().Feed("all")
	assert.Equal(t, "Record 2, EDITED", all.Items[2].Title)
}

// sixRecordReloader returns a Reloader of six records in two communities,
// alpha and beta, and their file system.
func sixRecordReloader(t *testing.T) (*memFS, *Reloader) {
	t.Helper()
	m := newMemFS()
	for n := 1; n <= 6; n++ {
		c := []string{"alpha", "beta"}[n%2]
		m.set(recordPath(c, n), reloadRecord(n, c, fmt.Sprintf("Record %d", n), fmt.Sprintf("2024-01-%02d", n)))
	}
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	return m, r
}

// TestReloadWorkers requires the first load to use Config.Workers and
// every later load, quick or full, ReloadOptions.ReloadWorkers.
func TestReloadWorkers(t *testing.T) {
	m := newMemFS()
	for n := 1; n <= 4; n++ {
		m.set(recordPath("alpha", n), reloadRecord(n, "alpha", fmt.Sprintf("Record %d", n), fmt.Sprintf("2024-01-%02d", n)))
	}
	cfg := reloadConfig
	cfg.Workers = 3
	counted := &readCountFS{FS: m, reads: map[string]int{}, opens: map[string]int{}}
	r, err := NewReloader(counted, cfg, ReloadOptions{ReloadWorkers: 1})
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, 3, r.Catalog().Config().Workers, "first load")

	edited := recordPath("alpha", 2)
	m.set(edited, reloadRecord(2, "alpha", "Record 2, edited", "2024-01-02"))
	clear(counted.opens)
	require.NoError(t, r.reload([]string{edited}).Err)
	require.Equal(t, []string{edited}, slices.Sorted(maps.Keys(counted.opens)), "a quick reload")
	assert.Equal(t, 1, r.Catalog().Config().Workers, "quick reload")
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "Record 2, edited")

	require.NoError(t, r.Reload().Err)
	assert.Equal(t, 1, r.Catalog().Config().Workers, "full reload")
}

// TestReloaderKeepsFilesOnDisk requires a Reloader to hold its records'
// sanitized bodies and its handler the bytes of its files in temporary
// files, not in memory, to serve them
// byte for byte as NewHandler does (gzip or not), and to move them to a
// fresh temporary file when most of the old one is garbage.
func TestReloaderKeepsFilesOnDisk(t *testing.T) {
	m, r := sixRecordReloader(t)
	check := func(round int) *spillFile {
		h := r.cur.Load().h
		require.NotNil(t, h.store, "round %d", round)
		mem := NewHandler(r.Catalog(), HandlerOptions{})
		var stored int64
		for p, e := range h.files {
			for _, v := range []*variant{e.plain, e.gz} {
				if v.has() {
					assert.Nil(t, v.body, "round %d: %s is held in memory", round, p)
					assert.Same(t, h.store, v.stored, "round %d: %s", round, p)
					stored += v.span.n
				}
			}
			for _, enc := range []string{"", "gzip"} {
				hdr := map[string]string{}
				if enc != "" {
					hdr["Accept-Encoding"] = enc
				}
				got, want := do(r, "GET", "/"+p, hdr), do(mem, "GET", "/"+p, hdr)
				require.Equal(t, want.Code, got.Code, "round %d: %s", round, p)
				require.Equal(t, want.Body.String(), got.Body.String(), "round %d: %s (%q)", round, p, enc)
				require.Equal(t, want.Header().Get("Etag"), got.Header().Get("Etag"), "round %d: %s", round, p)
			}
		}
		assert.Equal(t, stored, h.stored)
		return h.store
	}
	first := check(0)
	all, _ := r.Catalog().Feed("all")
	for _, it := range all.Items {
		require.NotNil(t, it.content)
		assert.Same(t, r.bodies, it.content.spill, "%s: the body is held in memory", it.Path)
		assert.True(t, it.content.clean, "%s: the body is kept sanitized, to render it again without sanitizing", it.Path)
		assert.Contains(t, it.ContentHTML(), "<p>Body of Record")
	}
	m.set(recordPath("alpha", 2), reloadRecord(2, "alpha", "Record 2, edited", "2024-01-02"))
	require.NoError(t, r.Reload().Err)
	assert.Same(t, first, check(1), "little garbage: the same file")

	old := spillSlack
	spillSlack = -1 << 40 // every file is mostly garbage
	t.Cleanup(func() { spillSlack = old })
	m.set(recordPath("alpha", 4), reloadRecord(4, "alpha", "Record 4, edited", "2024-01-04"))
	require.NoError(t, r.Reload().Err)
	assert.NotSame(t, first, check(2), "mostly garbage: a fresh file, the kept files copied there")
}

// TestReloaderMovesBodies requires a Reloader whose file of record bodies
// is mostly garbage (bodies of records edited since) to move the live
// bodies to a fresh file at its next load, quick or full, so that the file
// stays within twice what is live; the items served then read their bodies
// from the fresh file, and every file is served as a fresh Reloader serves
// it.
func TestReloaderMovesBodies(t *testing.T) {
	m, r := sixRecordReloader(t)
	defer r.Close()
	old := spillSlack
	spillSlack = 0
	t.Cleanup(func() { spillSlack = old })
	first := r.bodies
	edited := recordPath("alpha", 2)
	for round := 1; round <= 12; round++ {
		rec := reloadRecord(2, "alpha", fmt.Sprintf("Record 2, edit %d, %s", round, strings.Repeat("longer ", round)), "2024-01-02")
		m.set(edited, rec)
		var rep ReloadReport
		if round%2 == 0 {
			rep = r.Reload()
		} else {
			rep = r.reload([]string{edited})
		}
		require.NoError(t, rep.Err, "round %d", round)
		live := r.cur.Load().bodyBytes(r.bodies)
		require.Positive(t, live)
		// A load moves the bodies before it adds the edited one.
		assert.LessOrEqual(t, r.bodies.end.Load(), 2*live+int64(len(rec)), "round %d", round)
		all, _ := r.Catalog().Feed("all")
		for _, it := range all.Items {
			assert.Same(t, r.bodies, it.content.spill, "round %d: %s", round, it.Path)
			assert.Contains(t, it.ContentHTML(), "<p>Body of Record", "round %d: %s", round, it.Path)
		}
		fresh, err := NewReloader(m, reloadConfig, ReloadOptions{})
		require.NoError(t, err)
		for p := range r.cur.Load().h.files {
			got, want := do(r, "GET", "/"+p, nil), do(fresh, "GET", "/"+p, nil)
			require.Equal(t, want.Body.String(), got.Body.String(), "round %d: %s", round, p)
		}
		fresh.Close()
	}
	assert.NotSame(t, first, r.bodies, "the bodies moved to a fresh file")

	// A load that fails as a whole after moving the bodies leaves the
	// snapshot served, and its file, as they were.
	m.set(edited, reloadRecord(2, "alpha", "Record 2, edit 13", "2024-01-02"))
	before := r.bodies
	m.fail(errors.New("the folder is gone"))
	require.Error(t, r.Reload().Err)
	assert.Same(t, before, r.bodies)
	all, _ := r.Catalog().Feed("all")
	for _, it := range all.Items {
		assert.Contains(t, it.ContentHTML(), "<p>Body of Record", "after a failed load: %s", it.Path)
	}
	m.fail(nil)
	require.NoError(t, r.Reload().Err)
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "Record 2, edit 13")
}

// TestReloadQuick requires a reload told which record files changed to
// serve, after every kind of change, the same bytes and report as a full
// reload of the same files; and to read only the edited file, rendering
// only the documents that hold its item, when the edit leaves the item's
// place in the catalog as it was.
func TestReloadQuick(t *testing.T) {
	rec := func(n int, c, topic, title, date string) string {
		return strings.Replace(reloadRecord(n, c, title, date), "Gartner: Cybersecurity", topic, 1)
	}
	communities := []string{"alpha", "beta", "gamma"}
	topics := []string{"Gartner: Cybersecurity", "Gartner: Interoperability", "Clinical: Imaging"}
	day := func(n int) string { return fmt.Sprintf("2024-01-%02d", n) }
	m := newMemFS()
	for n := 1; n <= 18; n++ {
		m.set(recordPath(communities[n%3], n), rec(n, communities[n%3], topics[n%3], fmt.Sprintf("Record %d", n), day(n)))
	}
	cfg := reloadConfig
	cfg.Limit, cfg.ArchiveSize = 4, 4
	cfg.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	counted := &readCountFS{FS: m, reads: map[string]int{}, opens: map[string]int{}}
	quick, err := NewReloader(counted, cfg, ReloadOptions{})
	require.NoError(t, err)
	full, err := NewReloader(m, cfg, ReloadOptions{})
	require.NoError(t, err)

	p4 := recordPath(communities[1], 4)
	steps := []struct {
		name  string
		path  string
		data  string // "" removes the file
		quick bool   // only the edited file is read
	}{
		{"title and body edited", p4, rec(4, "beta", topics[1], "Record 4, edited", day(4)), true},
		{"the same bytes again", p4, rec(4, "beta", topics[1], "Record 4, edited", day(4)), true},
		{"a warning added", p4, strings.Replace(rec(4, "beta", topics[1], "Record 4, edited", day(4)), "slug: item-4", "slug: item-4\nimage: 'javascript:alert(1)'", 1), true},
		{"date moved", p4, rec(4, "beta", topics[1], "Record 4, moved", day(20)), false},
		{"topic changed", p4, rec(4, "beta", topics[2], "Record 4, moved", day(20)), false},
		{"community changed", p4, rec(4, "gamma", topics[2], "Record 4, moved", day(20)), false},
		{"withdrawn", p4, strings.Replace(rec(4, "gamma", topics[2], "Record 4", day(20)), "slug: item-4", "slug: item-4\nstatus: retracted", 1), false},
		{"published again", p4, rec(4, "gamma", topics[2], "Record 4", day(20)), false},
		{"damaged", p4, "---\ntitle: [\n", false},
		{"mended", p4, rec(4, "gamma", topics[2], "Record 4, mended", day(20)), false},
		{"removed", p4, "", false},
		{"added", recordPath("delta", 30), rec(30, "delta", topics[0], "Record 30", day(30)), false},
		{"a duplicate ID edited", recordPath("delta", 31), rec(30, "delta", topics[0], "Record 30 again", day(30)), false},
		{"the other one edited", recordPath("delta", 30), rec(30, "delta", topics[0], "Record 30, edited", day(30)), false},
	}
	for _, st := range steps {
		if st.data == "" {
			m.remove(st.path)
		} else {
			m.set(st.path, st.data)
		}
		clear(counted.reads)
		clear(counted.opens)
		got := quick.reload([]string{st.path})
		opened := slices.Sorted(maps.Keys(counted.opens))
		want := full.Reload()
		require.NoError(t, got.Err, st.name)
		require.NoError(t, want.Err, st.name)
		assert.Equal(t, want.Published, got.Published, st.name)
		assert.Equal(t, fmt.Sprint(want.Errors), fmt.Sprint(got.Errors), st.name)
		assert.Equal(t, fmt.Sprint(want.Warnings), fmt.Sprint(got.Warnings), st.name)
		assert.Equal(t, fmt.Sprint(want.Skips), fmt.Sprint(got.Skips), st.name)
		assert.Equal(t, want.Changed, got.Changed, st.name)
		assert.Equal(t, want.Removed, got.Removed, st.name)
		assert.Equal(t, want.ChangedFeeds, got.ChangedFeeds, st.name)
		gh, wh := quick.cur.Load().h, full.cur.Load().h
		require.Equal(t, len(wh.files), len(gh.files), st.name)
		for p := range wh.files {
			require.Equal(t, get(t, wh, "/"+p).Body.String(), get(t, gh, "/"+p).Body.String(), "%s: %s", st.name, p)
		}
		if st.quick {
			assert.Equal(t, []string{st.path}, opened, "%s: only the edited file is looked at", st.name)
			assert.Less(t, got.Rendered, got.Files/3, st.name)
		} else {
			assert.Nil(t, quick.cur.Load().cat.patched, "%s: a full load", st.name)
		}
		assert.Equal(t, quick.signature(), quick.sig.Load(), "%s: the signature is kept up to date", st.name)
	}
}
