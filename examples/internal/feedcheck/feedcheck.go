// Package feedcheck holds the check every example's test makes: the
// router serves a feed that a real parser reads, answers a repeated request
// with 304, and lets curafeed answer HEAD and other methods.
package feedcheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// Check GETs path from h: a 200 RSS feed with items, then a 304 when
// asked again with its ETag; then HEAD and POST.
func Check(t *testing.T, h http.Handler, path string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/rss+xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	feed, err := gofeed.NewParser().Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(feed.Items) == 0 {
		t.Errorf("%s has no items", path)
	}
	if self := "http://127.0.0.1:8080" + path; !strings.Contains(rec.Body.String(), `<atom:link href="`+self+`" rel="self"`) {
		t.Errorf("%s does not name itself %s", path, self)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatalf("%s has no ETag", path)
	}

	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET %s with If-None-Match %s: %d, want 304", path, etag, rec.Code)
	}

	// Every method reaches curafeed: HEAD is served, others get its 405.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, path, nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD %s: %d with %d body bytes, want 200 and none", path, rec.Code, rec.Body.Len())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST %s: %d, Allow %q; want 405, Allow GET, HEAD", path, rec.Code, rec.Header().Get("Allow"))
	}
}
