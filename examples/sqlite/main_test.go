package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/curafeed/curafeed/examples/internal/feedcheck"
	"github.com/mmcdole/gofeed"
)

const testSite = "http://127.0.0.1:8080/feeds"

func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// newTestDB creates a database with the sample rows in a temporary folder.
func newTestDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "feeds.db")
	db, created, err := openDB(t.Context(), file, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if !created {
		t.Fatal("a new database was not seeded")
	}
	return db, file
}

// newTestServer serves the feeds of a new sample database over HTTP.
func newTestServer(t *testing.T) (*httptest.Server, *feeds, string) {
	t.Helper()
	db, file := newTestDB(t)
	h, f, err := newRouter(t.Context(), db, testSite)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, f, file
}

// exec runs statements on a connection of its own to file, as another
// program editing the database would.
func exec(t *testing.T, file string, stmts ...string) {
	t.Helper()
	db, _, err := openDB(t.Context(), file, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// get GETs path, with If-None-Match etag when not empty, and returns the
// status, body and ETag.
func get(t *testing.T, srv *httptest.Server, path, etag string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header.Get("ETag")
}

// parse GETs a feed and parses it with gofeed.
func parse(t *testing.T, srv *httptest.Server, path string) (*gofeed.Feed, string, string) {
	t.Helper()
	code, body, etag := get(t, srv, path, "")
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	feed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return feed, body, etag
}

func titles(feed *gofeed.Feed) map[string]*gofeed.Item {
	m := map[string]*gofeed.Item{}
	for _, it := range feed.Items {
		m[it.Title] = it
	}
	return m
}

const entityTitle = "Café & Co: Zero Trust – a primer"

func TestFeeds(t *testing.T) {
	db, _ := newTestDB(t)
	h, f, err := newRouter(t.Context(), db, testSite)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	feedcheck.Check(t, h, "/feeds/all/rss.xml")
}

// TestDirtyRows checks that every format carries the cleaned sample rows:
// entities decoded, Markdown rendered, the script gone, the draft left
// out, the relative image resolved against the article's page.
func TestDirtyRows(t *testing.T) {
	srv, _, _ := newTestServer(t)
	for _, path := range []string{"/feeds/all/rss.xml", "/feeds/all/atom.xml", "/feeds/all/feed.json"} {
		feed, body, _ := parse(t, srv, path)
		items := titles(feed)
		if len(items) != 3 {
			t.Errorf("%s: %d items, want the 3 published rows: %v", path, len(items), items)
		}
		zt, ok := items[entityTitle]
		if !ok {
			t.Errorf("%s: no item titled %q (entities decoded)", path, entityTitle)
		} else if !strings.Contains(body, "/articles/images/zero-trust.png") {
			t.Errorf("%s: relative image of %q not resolved against its page", path, zt.Title)
		}
		if it, ok := items["AI triage in the emergency room"]; !ok || !strings.Contains(it.Content, "<strong>hard</strong>") {
			t.Errorf("%s: Markdown body not rendered: %+v", path, it)
		}
		if it, ok := items["Phishing drills that work"]; !ok || !strings.Contains(it.Content, "Run drills monthly.") {
			t.Errorf("%s: HTML body lost: %+v", path, it)
		}
		for _, bad := range []string{"<script", "&lt;script", "pwned", "onerror", "Draft: budget season", "Still being written", "&amp;eacute;", "jane@example.org"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

// TestRebuild edits a row from another connection: Check rebuilds, the
// feed shows the new title under a new ETag, and the old ETag no longer
// matches.
func TestRebuild(t *testing.T) {
	srv, f, file := newTestServer(t)
	const path = "/feeds/all/rss.xml"
	_, _, oldTag := parse(t, srv, path)
	if changed, err := f.Check(t.Context()); err != nil || changed {
		t.Fatalf("Check with no change = %v, %v; want false, nil", changed, err)
	}

	exec(t, file, `UPDATE articles SET title = 'Zero trust, revised', updated = '2026-02-01T00:00:00Z' WHERE id = 'zero-trust'`)
	if changed, err := f.Check(t.Context()); err != nil || !changed {
		t.Fatalf("Check after an UPDATE = %v, %v; want true, nil", changed, err)
	}
	feed, _, newTag := parse(t, srv, path)
	items := titles(feed)
	if _, ok := items["Zero trust, revised"]; !ok {
		t.Errorf("new title missing: %v", items)
	}
	if _, ok := items[entityTitle]; ok {
		t.Errorf("old title still served")
	}
	if newTag == "" || newTag == oldTag {
		t.Fatalf("ETag %q after the edit, %q before", newTag, oldTag)
	}
	if code, body, _ := get(t, srv, path, oldTag); code != http.StatusOK || !strings.Contains(body, "Zero trust, revised") {
		t.Errorf("GET with the old ETag: %d, want 200 with the new title", code)
	}
	if code, _, _ := get(t, srv, path, newTag); code != http.StatusNotModified {
		t.Errorf("GET with the new ETag: %d, want 304", code)
	}
	if changed, err := f.Check(t.Context()); err != nil || changed {
		t.Errorf("second Check after one UPDATE = %v, %v; want false, nil", changed, err)
	}
}

// TestPoll lets Poll see an edit, with a deadline rather than a sleep.
func TestPoll(t *testing.T) {
	srv, f, file := newTestServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { f.Poll(ctx, 10*time.Millisecond); close(done) }()
	defer func() { cancel(); <-done }()

	exec(t, file, `UPDATE articles SET title = 'Polled title' WHERE id = 'ai-triage'`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body, _ := get(t, srv, "/feeds/all/feed.json", "")
		if strings.Contains(body, "Polled title") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Poll did not rebuild within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFailedRebuild breaks the table: the rebuild fails, the last good
// feeds stay served unchanged, and the next Check after a repair rebuilds.
func TestFailedRebuild(t *testing.T) {
	srv, f, file := newTestServer(t)
	const path = "/feeds/all/atom.xml"
	_, _, tag := parse(t, srv, path)

	for _, broken := range []struct{ name, breakIt, repair string }{
		{"table renamed", `ALTER TABLE articles RENAME TO gone`, `ALTER TABLE gone RENAME TO articles`},
		// SQLite lets a TEXT PRIMARY KEY be NULL: the row cannot be scanned.
		{"NULL id", `INSERT INTO articles (id, title, published) VALUES (NULL, 'No id', '2026-01-01T00:00:00Z')`,
			`DELETE FROM articles WHERE id IS NULL`},
	} {
		exec(t, file, broken.breakIt)
		if changed, err := f.Check(t.Context()); err == nil || changed {
			t.Fatalf("%s: Check = %v, %v; want an error", broken.name, changed, err)
		}
		if code, _, _ := get(t, srv, path, tag); code != http.StatusNotModified {
			t.Errorf("%s: the last good feed is not served: %d", broken.name, code)
		}
		if _, err := f.Check(t.Context()); err == nil {
			t.Errorf("%s: second Check succeeded on a broken table", broken.name)
		}
		exec(t, file, broken.repair)
		if changed, err := f.Check(t.Context()); err != nil || !changed {
			t.Fatalf("%s: Check after the repair = %v, %v; want true, nil", broken.name, changed, err)
		}
	}
}

// TestBadRows checks that a row with a value that cannot be read is listed
// by LoadRecords, naming the row and the column, and the others load.
func TestBadRows(t *testing.T) {
	db, file := newTestDB(t)
	exec(t, file,
		`INSERT INTO articles (id, title, published) VALUES ('bad-date', 'Bad date', 'next tuesday')`,
		`INSERT INTO articles (id, title, updated) VALUES ('bad-updated', 'Bad updated', '2026-13-45T00:00:00Z')`,
		`INSERT INTO articles (id, title, published, topics) VALUES ('bad-topics', 'Bad topics', '2026-01-01T00:00:00Z', 'a, b')`,
		`UPDATE articles SET updated = datetime('2026-01-20 10:00:00') WHERE id = 'phishing'`,
		`INSERT INTO articles (id, title) VALUES ('no-date', 'No date')`,
	)
	recs, err := curafeed.LoadRecords(articles(t.Context(), db), curafeed.Config{SiteURL: testSite})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"articles/bad-date": "published", "articles/bad-updated": "updated",
		"articles/bad-topics": "topics", "articles/no-date": "Published",
	}
	for _, e := range recs.Errors {
		if want[e.Path] != e.Field {
			t.Errorf("unexpected error %v", e)
		}
		delete(want, e.Path)
	}
	if len(want) != 0 {
		t.Errorf("rows not listed in Errors: %v", want)
	}
	if len(recs.Items) != 3 {
		t.Errorf("%d items published, want 3", len(recs.Items))
	}
	for _, it := range recs.Items {
		if it.RecordID == "phishing" && !it.Updated.Equal(time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("SQLite datetime() date read as %v", it.Updated)
		}
	}
}

// TestNullableColumns reads a table of the same columns whose values may
// be NULL and whose body_format may be anything, as one made by hand may
// be.
func TestNullableColumns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "loose.db")
	db, err := sql.Open("sqlite", dsn(file, true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE articles (id TEXT PRIMARY KEY, title, summary, body, body_format, url, external_url,
			community, topics, authors, image_url, status, published, updated)`,
		`INSERT INTO articles (id, title, published) VALUES ('only-title', 'Only a title', '2026-01-01T00:00:00Z')`,
		`INSERT INTO articles (id, title, body_format, published) VALUES ('rtf', 'RTF', 'rtf', '2026-01-01T00:00:00Z')`,
		`INSERT INTO articles (id, title, body, body_format, topics, updated) VALUES ('md', 'Markdown', '*hi*', 'markdown', 'null', '2026-01-02T00:00:00+02:00')`,
	} {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	recs, err := curafeed.LoadRecords(articles(t.Context(), db), curafeed.Config{SiteURL: testSite})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs.Items) != 2 || len(recs.Errors) != 1 {
		t.Fatalf("%d items, errors %v; want 2 and 1", len(recs.Items), recs.Errors)
	}
	if e := recs.Errors[0]; e.Path != "articles/rtf" || e.Field != "body_format" {
		t.Errorf("error %v, want articles/rtf: body_format", e)
	}
	if md := recs.Items[0]; md.RecordID != "md" || !md.Updated.Equal(time.Date(2026, 1, 1, 22, 0, 0, 0, time.UTC)) || md.Summary != "hi" {
		t.Errorf("md = %+v", md)
	}
}

func TestSetTitle(t *testing.T) {
	db, file := newTestDB(t)
	if err := runSetTitle(t.Context(), file, "phishing=Phishing, again = better"); err != nil {
		t.Fatal(err)
	}
	var title, updated string
	if err := db.QueryRowContext(t.Context(), `SELECT title, updated FROM articles WHERE id = 'phishing'`).Scan(&title, &updated); err != nil {
		t.Fatal(err)
	}
	if title != "Phishing, again = better" {
		t.Errorf("title = %q", title)
	}
	if _, err := time.Parse(time.RFC3339, updated); err != nil {
		t.Errorf("updated = %q: %v", updated, err)
	}

	for _, arg := range []string{"", "phishing", "=title", "phishing=", " = "} {
		if err := runSetTitle(t.Context(), file, arg); err == nil {
			t.Errorf("-set-title %q accepted", arg)
		}
	}
	if err := runSetTitle(t.Context(), file, "nope=Title"); err == nil || !strings.Contains(err.Error(), `no article with id "nope"`) {
		t.Errorf("unknown id: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	if err := runSetTitle(t.Context(), missing, "phishing=Title"); err == nil {
		t.Error("-set-title on a missing database succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-set-title created %s: %v", missing, err)
	}
}

func TestOpenExisting(t *testing.T) {
	_, file := newTestDB(t)
	exec(t, file, `DELETE FROM articles WHERE id = 'phishing'`)
	db, created, err := openDB(t.Context(), file, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if created || n != len(samples)-1 {
		t.Errorf("an existing database was seeded again: created %v, %d rows", created, n)
	}

	// A file name with URI characters is a file name.
	odd := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	db2, _, err := openDB(t.Context(), odd, true)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	if _, err := os.Stat(odd); err != nil {
		t.Errorf("database not created under its own name: %v", err)
	}
}

func TestServeFlags(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8099": "http://127.0.0.1:8099/feeds",
		":8080":          "http://localhost:8080/feeds",
		"0.0.0.0:80":     "http://localhost:80/feeds",
		"[::]:8080":      "http://localhost:8080/feeds",
		"[::1]:8080":     "http://[::1]:8080/feeds",
	} {
		if got, err := defaultSite(addr); err != nil || got != want {
			t.Errorf("defaultSite(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if _, err := defaultSite("nope"); err == nil {
		t.Error("defaultSite accepted an address without a port")
	}
	file := filepath.Join(t.TempDir(), "feeds.db")
	for _, iv := range []time.Duration{0, -time.Second} {
		if err := serve(t.Context(), file, "127.0.0.1:0", "", iv); err == nil {
			t.Errorf("-interval %v accepted", iv)
		}
	}
}
