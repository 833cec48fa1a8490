package websub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/curafeed/curafeed/internal/hubtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangingHub starts a hub whose handler blocks until the test ends, and
// counts the requests it got.
func hangingHub(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var got atomic.Int32
	release := make(chan struct{})
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		<-release
	})
	t.Cleanup(func() { close(release) }) // before the server closes
	return hub, &got
}

// fastPublisher is a Publisher with short waits, for tests.
func fastPublisher(hubs ...string) *Publisher {
	return &Publisher{Hubs: hubs, Timeout: 2 * time.Second, Backoff: 10 * time.Millisecond}
}

func notifiedPairs(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Hub+" "+n.URL)
	}
	return out
}

func TestPublishRequests(t *testing.T) {
	feeds := []string{
		"https://community.example.org/feeds/topics/telehealth/rss.xml",
		"https://community.example.org/feeds/all/atom.xml",
		"https://community.example.org/feeds/communities/security/feed.json?a=1&b=2",
	}
	var mu sync.Mutex
	counts := map[string]map[string]int{} // hub → hub.url → requests
	hub := func(name string, code int) string {
		counts[name] = map[string]int{}
		return hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
			ok := r.Method == http.MethodPost &&
				r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" &&
				r.Header.Get("User-Agent") == "curafeed"
			body, _ := io.ReadAll(r.Body)
			form, err := url.ParseQuery(string(body))
			ok = ok && err == nil && len(form) == 2 &&
				slices.Equal(form["hub.mode"], []string{"publish"}) &&
				len(form["hub.url"]) == 1 && slices.Contains(feeds, form.Get("hub.url"))
			if !ok {
				t.Errorf("%s: unexpected request %s %q %q %q", name, r.Method, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), body)
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			mu.Lock()
			counts[name][form.Get("hub.url")]++
			mu.Unlock()
			w.WriteHeader(code)
		})
	}
	hubA, hubB := hub("a", http.StatusAccepted), hub("b", http.StatusNoContent)

	p := fastPublisher(hubB, "", hubA, hubB)
	rep := p.Publish(context.Background(), append([]string{"", feeds[2]}, feeds...))
	require.Empty(t, rep.Failed, "%v", rep.Err())
	require.NoError(t, rep.Err())

	sortedHubs := []string{hubA, hubB}
	slices.Sort(sortedHubs)
	sortedFeeds := slices.Sorted(slices.Values(feeds))
	var want []string
	for _, h := range sortedHubs {
		for _, f := range sortedFeeds {
			want = append(want, h+" "+f)
		}
	}
	assert.Equal(t, want, notifiedPairs(rep.Notified))
	for _, n := range rep.Notified {
		assert.Equal(t, 1, n.Attempts)
		assert.NoError(t, n.Err)
		assert.Equal(t, map[string]int{hubA: 202, hubB: 204}[n.Hub], n.Status)
	}
	for name, byURL := range counts {
		assert.Len(t, byURL, 3, name)
		for u, c := range byURL {
			assert.Equal(t, 1, c, "%s: %s", name, u)
		}
	}
	assert.Equal(t, "websub: notified 6 of 6 (hub, feed) pairs, 0 failed", rep.String())
}

func TestPublishRetries(t *testing.T) {
	var got atomic.Int32
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	rep := fastPublisher(hub).Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	require.Len(t, rep.Notified, 1, "%v", rep.Err())
	assert.Empty(t, rep.Failed)
	n := rep.Notified[0]
	assert.Equal(t, Notification{Hub: hub, URL: "https://x.example/all/rss.xml", Attempts: 3, Status: 204}, n)
	assert.EqualValues(t, 3, got.Load())
}

func TestPublishGivesUp(t *testing.T) {
	var got atomic.Int32
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	})
	p := fastPublisher(hub)
	p.Attempts = 4
	rep := p.Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	assert.Empty(t, rep.Notified)
	require.Len(t, rep.Failed, 1)
	n := rep.Failed[0]
	assert.Equal(t, 4, n.Attempts)
	assert.Equal(t, 500, n.Status)
	assert.EqualValues(t, 4, got.Load())
	require.Error(t, n.Err)
	assert.Contains(t, n.Err.Error(), "500 Internal Server Error")
	assert.Contains(t, n.Err.Error(), hub)
	assert.Equal(t, "websub: notified 0 of 1 (hub, feed) pairs, 1 failed", rep.String())
	assert.ErrorIs(t, rep.Err(), n.Err)
}

func TestPublishStatuses(t *testing.T) {
	for _, tc := range []struct {
		code     int
		attempts int // requests made with Attempts 3
	}{
		{http.StatusBadRequest, 1},
		{http.StatusForbidden, 1},
		{http.StatusNotFound, 1},
		{http.StatusGone, 1},
		{http.StatusFound, 1}, // not followed: it would turn the POST into a GET
		{http.StatusRequestTimeout, 3},
		{http.StatusTooManyRequests, 3},
		{http.StatusBadGateway, 3},
		{http.StatusServiceUnavailable, 3},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			var got atomic.Int32
			hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
				got.Add(1)
				if tc.code == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tc.code)
			})
			p := fastPublisher(hub)
			p.Attempts = 3
			rep := p.Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
			assert.Empty(t, rep.Notified)
			require.Len(t, rep.Failed, 1)
			assert.Equal(t, tc.attempts, rep.Failed[0].Attempts)
			assert.Equal(t, tc.code, rep.Failed[0].Status)
			assert.EqualValues(t, tc.attempts, got.Load())
			assert.Contains(t, rep.Failed[0].Err.Error(), strconv.Itoa(tc.code))
		})
	}
}

func TestPublishRedirect(t *testing.T) {
	var got atomic.Int32
	final := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		if r.Method != http.MethodPost || r.FormValue("hub.url") != "https://x.example/all/rss.xml" {
			t.Errorf("redirected request: %s %v", r.Method, r.Form)
		}
		w.WriteHeader(http.StatusAccepted)
	})
	moved := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, final, http.StatusPermanentRedirect)
	})
	rep := fastPublisher(moved).Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	require.Len(t, rep.Notified, 1, "%v", rep.Err())
	assert.Equal(t, 202, rep.Notified[0].Status)
	assert.EqualValues(t, 1, got.Load())
}

func TestPublishInvalidHub(t *testing.T) {
	hub, got := hubtest.Counting(t)
	rep := fastPublisher("ftp://hub.example/", hub, "/relative", "http://[::1").Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	assert.Equal(t, []string{hub + " https://x.example/all/rss.xml"}, notifiedPairs(rep.Notified))
	require.Len(t, rep.Failed, 3)
	for _, n := range rep.Failed {
		assert.Zero(t, n.Attempts, n.Hub)
		assert.Zero(t, n.Status, n.Hub)
		assert.ErrorContains(t, n.Err, "invalid hub URL")
	}
	assert.EqualValues(t, 1, got.Load())
}

func TestPublishHidesHubPassword(t *testing.T) {
	var got atomic.Value
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		got.Store(user + " " + pass)
		w.WriteHeader(http.StatusUnauthorized)
	})
	u, err := url.Parse(hub)
	require.NoError(t, err)
	u.User = url.UserPassword("curafeed", "s3cret")
	rep := fastPublisher(u.String()).Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	require.Len(t, rep.Failed, 1)
	assert.Equal(t, "curafeed s3cret", got.Load(), "the hub gets the credentials")
	assert.Equal(t, u.String(), rep.Failed[0].Hub)
	assert.ErrorContains(t, rep.Err(), "401 Unauthorized")
	assert.ErrorContains(t, rep.Err(), u.Redacted())
	assert.NotContains(t, rep.Err().Error(), "s3cret")
}

func TestPublishHungHub(t *testing.T) {
	hung, hungGot := hangingHub(t)
	var okGot atomic.Int32
	ok := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		okGot.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})
	feeds := []string{"https://x.example/a/rss.xml", "https://x.example/b/rss.xml", "https://x.example/c/rss.xml"}
	p := &Publisher{Hubs: []string{hung, ok}, Timeout: 200 * time.Millisecond, Backoff: 10 * time.Millisecond, Concurrency: 2}

	start := time.Now()
	rep := p.Publish(context.Background(), feeds)
	// An upper bound, with generous slack: Publish ends shortly after Timeout.
	assert.Less(t, time.Since(start), 2*time.Second)

	// The hub that works is notified of everything, whatever the other does.
	var want []string
	for _, f := range feeds {
		want = append(want, ok+" "+f)
	}
	assert.Equal(t, want, notifiedPairs(rep.Notified))
	assert.EqualValues(t, 3, okGot.Load())

	require.Len(t, rep.Failed, 3)
	assert.EqualValues(t, 1, hungGot.Load(), "one request at a time to the hung hub, its share of 2")
	for i, n := range rep.Failed {
		assert.Equal(t, hung, n.Hub)
		assert.Equal(t, feeds[i], n.URL)
		assert.ErrorIs(t, n.Err, context.DeadlineExceeded)
		assert.ErrorContains(t, n.Err, "context deadline exceeded (the publish timeout of 200ms ran out)")
		assert.Zero(t, n.Status)
	}
	// Which pair gets the hung hub's one slot is a race among its waiting
	// pairs; the others are never tried.
	tried := 0
	for _, n := range rep.Failed {
		assert.LessOrEqual(t, n.Attempts, 1, n.URL)
		tried += n.Attempts
		if n.Attempts == 0 {
			assert.ErrorContains(t, n.Err, "not tried", n.URL)
		}
	}
	assert.Equal(t, 1, tried)
}

func TestPublishClientTimeoutRetried(t *testing.T) {
	var got atomic.Int32
	release := make(chan struct{})
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	t.Cleanup(func() { close(release) })
	p := fastPublisher(hub)
	p.Client = &http.Client{Timeout: 50 * time.Millisecond}
	rep := p.Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	require.Len(t, rep.Notified, 1, "%v", rep.Err())
	assert.Equal(t, 2, rep.Notified[0].Attempts)
	assert.Equal(t, 204, rep.Notified[0].Status)
}

func TestPublishRetryAfterPastDeadline(t *testing.T) {
	var got atomic.Int32
	hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	p := fastPublisher(hub)
	p.Timeout = 5 * time.Second
	start := time.Now()
	rep := p.Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
	// The next try would come after the deadline: Publish gives up at once
	// instead of waiting for it.
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Len(t, rep.Failed, 1)
	n := rep.Failed[0]
	assert.Equal(t, 1, n.Attempts)
	assert.Equal(t, 429, n.Status)
	assert.ErrorContains(t, n.Err, "after the deadline")
	assert.EqualValues(t, 1, got.Load())
}

func TestWebSubRetryWait(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		retryAfter string
		want       time.Duration
	}{
		{"", 100 * time.Millisecond},
		{"0", 100 * time.Millisecond},
		{"2", 2 * time.Second},
		{" 3 ", 3 * time.Second},
		{"3600", 10 * time.Second},
		{"99999999999999999999", 10 * time.Second},
		{"-5", 100 * time.Millisecond},
		{"soon", 100 * time.Millisecond},
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 100 * time.Millisecond},
		{now.Add(time.Hour).Format(http.TimeFormat), 10 * time.Second},
	} {
		h := http.Header{}
		if tc.retryAfter != "" {
			h.Set("Retry-After", tc.retryAfter)
		}
		assert.Equal(t, tc.want, retryWait(h, 100*time.Millisecond, 10*time.Second, now), "Retry-After: %q", tc.retryAfter)
	}
	assert.Equal(t, 10*time.Second, retryWait(nil, time.Minute, 10*time.Second, now), "backoff capped")
}

func TestPublishConcurrency(t *testing.T) {
	for _, tc := range []struct {
		hubs, concurrency int
	}{
		{1, 2},
		{2, 3},
		{3, 2},
	} {
		t.Run(fmt.Sprintf("%d hubs, %d at once", tc.hubs, tc.concurrency), func(t *testing.T) {
			var inFlight, peak, total atomic.Int32
			handler := func(w http.ResponseWriter, r *http.Request) {
				total.Add(1)
				n := inFlight.Add(1)
				defer inFlight.Add(-1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				// Hold the request a little, so that others overlap it: to
				// the bound when it holds, beyond it when it does not.
				for start := time.Now(); inFlight.Load() <= int32(tc.concurrency) && time.Since(start) < 15*time.Millisecond; {
					time.Sleep(time.Millisecond)
				}
				w.WriteHeader(http.StatusAccepted)
			}
			var hubs []string
			for range tc.hubs {
				hubs = append(hubs, hubtest.Serve(t, handler))
			}
			var feeds []string
			for i := range 10 {
				feeds = append(feeds, fmt.Sprintf("https://x.example/topics/t%d/rss.xml", i))
			}
			p := fastPublisher(hubs...)
			p.Concurrency = tc.concurrency
			rep := p.Publish(context.Background(), feeds)
			assert.Len(t, rep.Notified, 10*tc.hubs, "%v", rep.Err())
			assert.EqualValues(t, 10*tc.hubs, total.Load())
			assert.LessOrEqual(t, peak.Load(), int32(tc.concurrency), "requests in flight at once")
			assert.EqualValues(t, tc.concurrency, peak.Load(), "the bound is reached")
		})
	}
}

func TestPublishEmpty(t *testing.T) {
	hub, got := hubtest.Counting(t)
	for name, tc := range map[string]struct {
		p    *Publisher
		urls []string
	}{
		"no URL":         {fastPublisher(hub), nil},
		"empty URLs":     {fastPublisher(hub), []string{"", ""}},
		"no hub":         {fastPublisher(), []string{"https://x.example/all/rss.xml"}},
		"empty hubs":     {fastPublisher("", ""), []string{"https://x.example/all/rss.xml"}},
		"zero Publisher": {&Publisher{}, []string{"https://x.example/all/rss.xml"}},
		"nil Publisher":  {nil, []string{"https://x.example/all/rss.xml"}},
	} {
		rep := tc.p.Publish(context.Background(), tc.urls)
		assert.Equal(t, PublishReport{}, rep, name)
		assert.NoError(t, rep.Err(), name)
		assert.Equal(t, "websub: notified 0 of 0 (hub, feed) pairs, 0 failed", rep.String(), name)
	}
	assert.Zero(t, got.Load())
}

func TestPublishCanceled(t *testing.T) {
	hub, got := hubtest.Counting(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := fastPublisher(hub).Publish(ctx, []string{"https://x.example/a/rss.xml", "https://x.example/b/rss.xml"})
	assert.Empty(t, rep.Notified)
	require.Len(t, rep.Failed, 2)
	for _, n := range rep.Failed {
		assert.ErrorIs(t, n.Err, context.Canceled)
	}
	assert.Zero(t, got.Load())
}

func TestPublishConcurrentCalls(t *testing.T) {
	hub, got := hubtest.Counting(t)
	p := fastPublisher(hub)
	var wg sync.WaitGroup
	reports := make([]PublishReport, 8)
	for i := range reports {
		wg.Go(func() {
			reports[i] = p.Publish(context.Background(), []string{"https://x.example/a/rss.xml", fmt.Sprintf("https://x.example/t%d/rss.xml", i)})
		})
	}
	wg.Wait()
	for i, rep := range reports {
		assert.Equal(t, []string{hub + " https://x.example/a/rss.xml", hub + fmt.Sprintf(" https://x.example/t%d/rss.xml", i)}, notifiedPairs(rep.Notified))
	}
	assert.EqualValues(t, 16, got.Load())
}

func TestPublishReportErr(t *testing.T) {
	errA, errB := errors.New("a failed"), errors.New("b failed")
	rep := PublishReport{
		Notified: []Notification{{Hub: "h", URL: "1"}, {Hub: "h", URL: "2"}, {Hub: "h", URL: "3"}},
		Failed:   []Notification{{Hub: "h", URL: "4", Err: errA}, {Hub: "i", URL: "4", Err: errB}},
	}
	assert.Equal(t, "websub: notified 3 of 5 (hub, feed) pairs, 2 failed", rep.String())
	err := rep.Err()
	assert.ErrorIs(t, err, errA)
	assert.ErrorIs(t, err, errB)
	assert.Equal(t, "a failed\nb failed", err.Error())
}

// TestPublishRedirectLocationRedacted requires the Location of a redirect
// the publisher does not follow to be shown without its credentials:
// neither a password nor a secret query parameter reaches the error.
func TestPublishRedirectLocationRedacted(t *testing.T) {
	for _, loc := range []string{
		"https://curafeed:s3cret@hub.elsewhere.example/hub",
		"https://hub.elsewhere.example/hub?token=s3cret&lang=en",
		"https://hub.elsewhere.example/hub?API_KEY=s3cret",
		"https://hub.elsewhere.example/hub?x-amz-signature=s3cret",
		"//curafeed:s3cret@hub.elsewhere.example/hub",
		"https://hub.elsewhere.example/hub#access_token=s3cret",
		"https://hub.elsewhere.example/%zz?token=s3cret",
	} {
		hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Location"] = []string{loc}
			w.WriteHeader(http.StatusFound)
		})
		rep := fastPublisher(hub).Publish(context.Background(), []string{"https://x.example/all/rss.xml"})
		require.Len(t, rep.Failed, 1, loc)
		msg := rep.Err().Error()
		assert.NotContains(t, msg, "s3cret", loc)
		if strings.Contains(loc, "%zz") {
			assert.Contains(t, msg, "not a valid URL", loc)
		} else {
			assert.Contains(t, msg, "302", loc)
			assert.Contains(t, msg, "hub.elsewhere.example", loc)
		}
	}
}

// TestPublishInvalidHubNotRetried requires a hub whose URL cannot work (it
// answers 4xx other than 408 and 429, or it cannot be requested) to get no
// further request in the same call: the other feeds fail without one.
func TestPublishInvalidHubNotRetried(t *testing.T) {
	feeds := []string{"https://x.example/a/rss.xml", "https://x.example/b/rss.xml", "https://x.example/c/rss.xml", "https://x.example/d/rss.xml"}
	for _, code := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusGone} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			var got atomic.Int32
			hub := hubtest.Serve(t, func(w http.ResponseWriter, r *http.Request) {
				got.Add(1)
				w.WriteHeader(code)
			})
			good, goodGot := hubtest.Counting(t)
			p := fastPublisher(hub, good)
			p.Concurrency = 2 // one request at a time to each hub
			rep := p.Publish(context.Background(), feeds)
			assert.EqualValues(t, 1, got.Load(), "requests to the refusing hub")
			assert.EqualValues(t, len(feeds), goodGot.Load(), "the other hub is told everything")
			require.Len(t, rep.Failed, len(feeds))
			tried := 0
			for _, n := range rep.Failed {
				tried += n.Attempts
				assert.ErrorContains(t, n.Err, strconv.Itoa(code), n.URL)
			}
			assert.Equal(t, 1, tried)
		})
	}
	// A URL that cannot be requested gets no request at all.
	for _, hub := range []string{"http://127.0.0.1:99999/hub", "http://127.0.0.1:0/hub", "https://hub.example:65536/"} {
		rep := fastPublisher(hub).Publish(context.Background(), feeds)
		require.Len(t, rep.Failed, len(feeds), hub)
		for _, n := range rep.Failed {
			assert.Zero(t, n.Attempts, hub)
			assert.ErrorContains(t, n.Err, "invalid hub URL", hub)
		}
	}
}

// TestCheckHubSecretsRefused requires a hub URL that carries a secret in
// its query to be refused, as one with a password is, since every feed
// publishes it, without the error repeating the secret; other query
// parameters are fine.
func TestCheckHubSecretsRefused(t *testing.T) {
	for _, hub := range secretHubs {
		shown, err := CheckHub(hub)
		if assert.Error(t, err, hub) {
			assert.NotContains(t, err.Error(), "s3cret", hub)
			assert.Contains(t, err.Error(), "hub.example", hub)
			assert.Contains(t, err.Error(), "in its query", hub)
		}
		assert.NotContains(t, shown, "s3cret", hub)
	}
	for _, hub := range []string{"https://hub.example/?lang=en", "https://hub.example/?mode=publish&topic=all", "https://hub.example/", "http://127.0.0.1:8080/hub", "https://[::1]/hub", "https://hub.example/?author=me"} {
		shown, err := CheckHub(hub)
		assert.NoError(t, err, hub)
		assert.Equal(t, hub, shown, "a hub URL with nothing to mask is shown as it is")
	}
}

// secretHubs are hub URLs whose query carries a secret.
var secretHubs = []string{
	"https://hub.example/?token=s3cret",
	"https://hub.example/?access_token=s3cret",
	"https://hub.example/?api_key=s3cret",
	"https://hub.example/?apiKey=s3cret",
	"https://hub.example/?key=s3cret",
	"https://hub.example/?secret=s3cret",
	"https://hub.example/?client_secret=s3cret",
	"https://hub.example/?password=s3cret",
	"https://hub.example/?pwd=s3cret",
	"https://hub.example/?sig=s3cret",
	"https://hub.example/?signature=s3cret",
	"https://hub.example/?X-Amz-Signature=s3cret",
	"https://hub.example/?auth=s3cret",
	"https://hub.example/?authorization=s3cret",
	"https://hub.example/?hub.secret=s3cret",
	"https://hub.example/?session_id=s3cret",
	"https://hub.example/?lang=en&Token=s3cret",
	"https://hub.example/?TOKEN=s3cret",
	"https://hub.example/?to%6Ben=s3cret",
	"https://hub.example/?jwt=s3cret",
	"https://hub.example/?credentials=s3cret",
}

// TestCheckHub requires CheckHub to refuse every hub URL that cannot be
// requested, or that feeds and Link headers cannot announce, saying why and
// naming the URL without its credentials.
func TestCheckHub(t *testing.T) {
	for hub, why := range map[string]string{
		"":                                  "not an absolute http or https URL",
		"/hub":                              "not an absolute http or https URL",
		"hub.example/hub":                   "not an absolute http or https URL",
		"ftp://hub.example/":                "not an absolute http or https URL",
		"https:///hub":                      "not an absolute http or https URL",
		"https://hub.example:0/":            "port 0 is out of range",
		"https://hub.example:65536/":        "port 65536 is out of range",
		"https://alice:s3cret@hub.example/": "credentials",
		"https://s3cret@hub.example/":       "credentials",
		"https://hub.example/#s3cret":       "fragment",
		"https://hub.example/#":             "fragment",
		"https://hub.example/a b":           "Link header",
		"https://hub.example/<x>":           "Link header",
		"https://hub.example/a,b":           "Link header",
		`https://hub.example/"`:             "Link header",
		"https://hub.example/'":             "Link header",
		`https://hub.example/a\b`:           "Link header",
		"https://hub.example/\tx":           "not a valid URL",
		"http://[::1":                       "not a valid URL",
		"https://alice:s3%zzcret@hub/":      "not a valid URL",
	} {
		shown, err := CheckHub(hub)
		if !assert.Error(t, err, "%q", hub) {
			continue
		}
		assert.ErrorContains(t, err, why, "%q", hub)
		assert.True(t, strings.HasPrefix(err.Error(), "invalid hub URL"), "%q: %v", hub, err)
		assert.NotContains(t, err.Error(), "s3", "%q: the error repeats a secret", hub)
		assert.NotContains(t, shown, "s3", "%q: the URL shown repeats a secret", hub)
	}
}
