package hubtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const site = "https://community.example.org"

// publishBody is the form of a publish request for u.
func publishBody(u string) string {
	return url.Values{"hub.mode": {"publish"}, "hub.url": {u}}.Encode()
}

func TestHubCheck(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	good := publishBody(site + "/all/rss.xml")
	for _, tc := range []struct {
		name, method, contentType, body, want string
	}{
		{"rss", http.MethodPost, form, good, ""},
		{"atom archive, charset", http.MethodPost, form + "; charset=utf-8", publishBody(site + "/news/archive/1/atom.xml"), ""},
		{"json", http.MethodPost, form, publishBody(site + "/news/feed.json"), ""},
		{"GET", http.MethodGet, form, good, "not a POST"},
		{"PUT", http.MethodPut, form, good, "not a POST"},
		{"JSON body", http.MethodPost, "application/json", good, "not form-encoded"},
		{"no content type", http.MethodPost, "", good, "not form-encoded"},
		{"unreadable form", http.MethodPost, form, "hub.mode=publish&hub.url=%zz", "unreadable form: "},
		{"subscribe", http.MethodPost, form, "hub.mode=subscribe&hub.url=" + url.QueryEscape(site+"/all/rss.xml"), "hub.mode is not publish"},
		{"no hub.mode", http.MethodPost, form, "hub.url=" + url.QueryEscape(site+"/all/rss.xml"), "hub.mode is not publish"},
		{"two hub.mode", http.MethodPost, form, "hub.mode=publish&" + good, "hub.mode is not publish"},
		{"no hub.url", http.MethodPost, form, "hub.mode=publish", "not exactly one hub.url"},
		{"two hub.url", http.MethodPost, form, good + "&hub.url=" + url.QueryEscape(site+"/all/atom.xml"), "not exactly one hub.url"},
		{"hub.topic", http.MethodPost, form, good + "&hub.topic=x", "unexpected field hub.topic"},
		{"relative URL", http.MethodPost, form, publishBody("/all/rss.xml"), "hub.url is not an absolute http(s) URL"},
		{"ftp URL", http.MethodPost, form, publishBody("ftp://community.example.org/all/rss.xml"), "hub.url is not an absolute http(s) URL"},
		{"other host", http.MethodPost, form, publishBody("https://example.com/all/rss.xml"), "hub.url is not under the site " + site},
		{"host with the site as prefix", http.MethodPost, form, publishBody(site + ".evil.example/all/rss.xml"), "hub.url is not under the site " + site},
		{"http for https", http.MethodPost, form, publishBody("http://community.example.org/all/rss.xml"), "hub.url is not under the site " + site},
		{"page", http.MethodPost, form, publishBody(site + "/all/index.html"), "hub.url is not a feed document"},
		{"site root", http.MethodPost, form, publishBody(site + "/"), "hub.url is not a feed document"},
		{"feed name with a prefix", http.MethodPost, form, publishBody(site + "/all/myrss.xml"), "hub.url is not a feed document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/hub", strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			got := Check(r, []byte(tc.body), site)
			if tc.want == "" || !strings.HasSuffix(tc.want, ": ") {
				if got != tc.want {
					t.Errorf("Check(%s %s %q) = %q, want %q", tc.method, tc.contentType, tc.body, got, tc.want)
				}
			} else if !strings.HasPrefix(got, tc.want) {
				t.Errorf("Check(%s %s %q) = %q, want %q…", tc.method, tc.contentType, tc.body, got, tc.want)
			}
		})
	}
}

// recordingTB is a testing.TB whose Errorf records the message instead of
// failing the test; the rest is the real test's.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (tb *recordingTB) Errorf(format string, args ...any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.errors = append(tb.errors, fmt.Sprintf(format, args...))
}

func (tb *recordingTB) errorsSoFar() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.errors)
}

// send sends a request with the form body to the hub at hubURL and returns
// the status of the reply.
func send(t *testing.T, method, hubURL, contentType, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, hubURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestHubStart(t *testing.T) {
	const form = "application/x-www-form-urlencoded"
	tb := &recordingTB{TB: t}
	var answered atomic.Int32
	hub := Start(tb, site, func(w http.ResponseWriter, _ *http.Request) {
		answered.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})
	if !strings.HasSuffix(hub.URL, "/hub") {
		t.Errorf("hub URL %q does not end in /hub", hub.URL)
	}

	rss, atom := site+"/all/rss.xml", site+"/all/atom.xml"
	for _, u := range []string{rss, atom, rss} {
		if got := send(t, http.MethodPost, hub.URL, form, publishBody(u)); got != http.StatusNoContent {
			t.Errorf("good request for %s: status %d, want the answer's %d", u, got, http.StatusNoContent)
		}
	}
	if errs := tb.errorsSoFar(); len(errs) != 0 {
		t.Errorf("good requests reported errors: %q", errs)
	}
	if n := answered.Load(); n != 3 {
		t.Errorf("answer replied to %d requests, want 3", n)
	}
	if got, want := hub.Got(), []string{atom, rss, rss}; !slices.Equal(got, want) {
		t.Errorf("Got() = %q, want %q", got, want)
	}
	if got := hub.Count(); got != 3 {
		t.Errorf("Count() = %d, want 3", got)
	}
	if got := hub.PerURL(); len(got) != 2 || got[rss] != 2 || got[atom] != 1 {
		t.Errorf("PerURL() = %v, want %s twice and %s once", got, rss, atom)
	}

	hub.Reset()
	if got := hub.Got(); len(got) != 0 {
		t.Errorf("Got() after Reset = %q, want none", got)
	}
	if got := hub.Count(); got != 0 {
		t.Errorf("Count() after Reset = %d, want 0", got)
	}

	// Bad requests fail the test, are recorded and get a 400, without the
	// answer.
	outside := publishBody("https://example.com/all/rss.xml")
	bad := []struct{ method, contentType, body, problem string }{
		{http.MethodGet, "", "", "not a POST"},
		{http.MethodPost, form, "hub.mode=subscribe&hub.url=" + url.QueryEscape(rss), "hub.mode is not publish"},
		{http.MethodPost, form, outside, "hub.url is not under the site"},
	}
	for _, b := range bad {
		if got := send(t, b.method, hub.URL, b.contentType, b.body); got != http.StatusBadRequest {
			t.Errorf("%s %q: status %d, want %d", b.method, b.body, got, http.StatusBadRequest)
		}
	}
	if n := answered.Load(); n != 3 {
		t.Errorf("answer replied to bad requests: %d replies, want 3", n)
	}
	errs := tb.errorsSoFar()
	if len(errs) != len(bad) {
		t.Fatalf("%d bad requests reported %d errors: %q", len(bad), len(errs), errs)
	}
	var want []string
	for i, b := range bad {
		if !strings.HasPrefix(errs[i], "hub: "+b.problem) {
			t.Errorf("error %d = %q, want it to start with %q", i, errs[i], "hub: "+b.problem)
		}
		want = append(want, "bad request: "+b.body)
	}
	slices.Sort(want)
	if got := hub.Got(); !slices.Equal(got, want) {
		t.Errorf("Got() = %q, want %q", got, want)
	}
}

func TestHubStartDefaultAnswer(t *testing.T) {
	tb := &recordingTB{TB: t}
	hub := Start(tb, site, nil)
	u := site + "/news/feed.json"
	if got := send(t, http.MethodPost, hub.URL, "application/x-www-form-urlencoded", publishBody(u)); got != http.StatusAccepted {
		t.Errorf("status %d, want %d", got, http.StatusAccepted)
	}
	if errs := tb.errorsSoFar(); len(errs) != 0 {
		t.Errorf("a good request reported errors: %q", errs)
	}
	if got := hub.Got(); !slices.Equal(got, []string{u}) {
		t.Errorf("Got() = %q, want %q", got, []string{u})
	}
}
