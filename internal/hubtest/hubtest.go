// Package hubtest is a WebSub hub for curafeed's tests: a loopback server
// that checks every publish request it is sent, records the hub.url of each,
// and answers as the test says.
package hubtest

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Hub is a WebSub hub on loopback that checks and records the requests it
// gets.
type Hub struct {
	// URL is the hub URL to publish to.
	URL string

	mu   sync.Mutex
	urls []string // hub.url of each request, or "bad request: " and the body of a bad one
}

// Start starts a hub that checks every request with [Check]. It records the
// hub.url of a good request, then lets answer reply (202 Accepted when answer
// is nil). It records "bad request: " and the body of a bad one, reports it
// with t.Errorf and replies 400 Bad Request. The hub closes when the test
// ends.
func Start(t testing.TB, site string, answer http.HandlerFunc) *Hub {
	t.Helper()
	h := &Hub{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("hub: reading the request: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if problem := Check(r, body, site); problem != "" {
			t.Errorf("hub: %s: %s %s %q", problem, r.Method, r.Header.Get("Content-Type"), body)
			h.add("bad request: " + string(body))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		form, _ := url.ParseQuery(string(body))
		h.add(form.Get("hub.url"))
		if answer == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/hub"
	return h
}

// feedPath is what the path of a current or archived feed document looks
// like.
var feedPath = regexp.MustCompile(`/(rss\.xml|atom\.xml|feed\.json)$`)

// Check returns what is wrong with a publish request r, whose body is body,
// for the feeds of site, or "" when nothing is. A good request is a
// form-encoded POST of hub.mode=publish and exactly one hub.url, with no
// other field; the hub.url is an absolute http(s) URL under site + "/" that
// names a feed document (rss.xml, atom.xml or feed.json).
func Check(r *http.Request, body []byte, site string) string {
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
	if !feedPath.MatchString(u.Path) {
		return "hub.url is not a feed document"
	}
	return ""
}

func (h *Hub) add(u string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.urls = append(h.urls, u)
}

// Got returns the hub.url values received so far, sorted; a bad request
// appears as "bad request: " and its body.
func (h *Hub) Got() []string {
	h.mu.Lock()
	out := slices.Clone(h.urls)
	h.mu.Unlock()
	slices.Sort(out)
	return out
}

// Count returns the number of requests received so far.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.urls)
}

// Reset forgets the requests received so far.
func (h *Hub) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.urls = nil
}

// PerURL counts the requests received so far for each hub.url.
func (h *Hub) PerURL() map[string]int {
	counts := map[string]int{}
	for _, u := range h.Got() {
		counts[u]++
	}
	return counts
}

// Serve starts a hub on loopback that answers with h, without checking the
// requests, and returns its URL. It closes when the test ends.
func Serve(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/hub"
}

// Counting starts a hub that answers 204 No Content to every request and
// counts them, and returns its URL and the count.
func Counting(t testing.TB) (string, *atomic.Int32) {
	t.Helper()
	var got atomic.Int32
	hub := Serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	return hub, &got
}
