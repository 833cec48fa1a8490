// Package websub tells WebSub hubs that feeds changed, so that they deliver
// the new feeds to their subscribers at once instead of waiting for the next
// poll. A Publisher sends each hub one request per changed feed URL (the
// publish request of PubSubHubbub 0.4, which common hubs accept), tries again
// when the failure may pass, and says in a PublishReport what each hub was
// told and what failed. CheckHub is the one check of a hub URL that feeds
// announce.
//
// curafeed's builds and Reloader give the URLs to publish:
// WriteStats.Changed after a build, ReloadReport.ChangedFeeds after a
// reload, and ReloadOptions.Publisher publishes them itself.
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
	"time"
)

// Defaults of a Publisher's fields left at zero.
const (
	// DefaultTimeout bounds a whole Publish call when
	// Publisher.Timeout is 0.
	DefaultTimeout = 30 * time.Second
	// DefaultAttempts is the number of tries per hub and feed when
	// Publisher.Attempts is 0.
	DefaultAttempts = 3
	// DefaultBackoff is the wait before the second try when
	// Publisher.Backoff is 0.
	DefaultBackoff = 500 * time.Millisecond
	// DefaultConcurrency is the number of requests in flight at once
	// when Publisher.Concurrency is 0.
	DefaultConcurrency = 4
)

// maxPublishWait caps the wait between two tries, whether it comes from
// doubling Backoff or from a hub's Retry-After; a Backoff set above it is
// the cap instead.
const maxPublishWait = 30 * time.Second

// maxHubBody is how much of a hub's answer is read before the connection is
// released; hubs answer with an empty or short body.
const maxHubBody = 64 << 10

// maxHubRedirects is how many 307 and 308 redirects a hub may answer with
// before its answer is taken as it is.
const maxHubRedirects = 3

// Publisher tells WebSub hubs that feeds changed: after a build or a reload,
// Publish sends each hub one request per changed feed URL, and the hub
// fetches the feed and delivers it to its subscribers. The WebSub
// recommendation leaves the form of that request to the hub; curafeed sends
// the one of PubSubHubbub 0.4, which common hubs accept: a form-encoded POST
// of hub.mode=publish and hub.url={feed URL}.
//
// The zero value notifies no one: set Hubs (usually HandlerOptions.Hubs, the
// hubs the feeds announce). Every other field has a default. Publish only
// reads the Publisher, so one Publisher may be used by several goroutines at
// once, as long as none changes its fields meanwhile.
type Publisher struct {
	// Hubs are the hub URLs, from trusted configuration; empty ones and
	// repeats are skipped. A hub URL that is not absolute http or https
	// fails without a request. Errors show hub URLs with any password
	// masked.
	Hubs []string
	// Client sends the requests. When nil, curafeed uses a client with
	// http.DefaultTransport that follows only 307 and 308 redirects (which
	// keep the POST and its body), to http or https URLs, at most three; a
	// hub that answers another redirect fails. A Client.Timeout, when set,
	// bounds each request, and a request that runs out of it is tried again.
	Client *http.Client
	// Timeout bounds the whole Publish call; DefaultTimeout when 0
	// or less.
	Timeout time.Duration
	// Attempts is the number of requests made at most for each hub and
	// feed; DefaultAttempts when 0 or less.
	Attempts int
	// Backoff is the wait before the second try, doubled before each
	// further one (up to 30 seconds); DefaultBackoff when 0 or less.
	Backoff time.Duration
	// Concurrency is the number of requests in flight at once, over all
	// hubs; DefaultConcurrency when 0 or less.
	Concurrency int
}

// PublishReport says what one Publish call did. Both lists are sorted by
// hub, then by feed URL, whatever order the requests ended in.
type PublishReport struct {
	Notified []Notification // the hub accepted the notification
	Failed   []Notification // curafeed gave up; each has Err set
}

// Notification is the outcome of telling one hub about one feed URL.
type Notification struct {
	Hub, URL string
	Attempts int   // requests made, 0 when none could be (an invalid hub, or no time left)
	Status   int   // HTTP status of the last answer received, 0 when none
	Err      error // why the hub was not notified; nil when it was
}

// String returns a one-line summary, such as
// "websub: notified 3 of 4 (hub, feed) pairs, 1 failed".
func (r PublishReport) String() string {
	return fmt.Sprintf("websub: notified %d of %d (hub, feed) pairs, %d failed",
		len(r.Notified), len(r.Notified)+len(r.Failed), len(r.Failed))
}

// Err returns the errors of the failed notifications joined with
// errors.Join, in the order of Failed, or nil when none failed.
func (r PublishReport) Err() error {
	errs := make([]error, 0, len(r.Failed))
	for _, n := range r.Failed {
		errs = append(errs, n.Err)
	}
	return errors.Join(errs...)
}

// Publish notifies every hub of every URL of urls, which it sorts and
// deduplicates, skipping empty ones. With no URL or no hub it returns an
// empty report at once, without a request.
//
// Each (hub, URL) pair gets one POST, with Content-Type
// application/x-www-form-urlencoded and User-Agent curafeed. Any 2xx answer
// is a success (hubs answer 202 Accepted or 204 No Content). A 408, a 429, a
// 5xx, or no answer at all (a network error, a Client.Timeout) is tried
// again, up to Attempts requests, after Backoff, then twice as long each
// time; a Retry-After in seconds or as a date makes the wait longer, up to
// 30 seconds. Any other answer fails at once. Answers are read up to 64 KiB
// and closed.
//
// Requests run at most Concurrency at a time; each hub gets an even share of
// them, so a hub that hangs does not hold up the others. The whole call
// ends by Timeout, or earlier when ctx ends: pairs still in flight or not
// tried by then fail with the context's error, and a pair whose next try
// would come after the deadline fails at once. Publish returns only when
// every request it made has ended; it never panics.
func (p *Publisher) Publish(ctx context.Context, urls []string) PublishReport {
	if p == nil {
		return PublishReport{}
	}
	hubs, feeds := sortedNonEmpty(p.Hubs), sortedNonEmpty(urls)
	if len(hubs) == 0 || len(feeds) == 0 {
		return PublishReport{}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	s := p.settings()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	// results[h*len(feeds)+f] is the outcome for hubs[h] and feeds[f]: the
	// report's order, whatever the order the requests end in.
	results := make([]Notification, len(hubs)*len(feeds))
	sem := make(chan struct{}, s.concurrency)
	share := min((s.concurrency+len(hubs)-1)/len(hubs), len(feeds))
	var wg sync.WaitGroup
	for h, hub := range hubs {
		shown, _, bad := parseHub(hub)
		if bad != nil {
			bad = fmt.Errorf("invalid hub URL: %w", bad)
		}
		var refused atomic.Pointer[error] // set once the hub's answer says its URL cannot work
		var next atomic.Int64
		// A hub's requests hold a slot of its share and of sem while they
		// run; more workers than slots keep the slots busy while some
		// workers wait to try again.
		hubSem := make(chan struct{}, share)
		for range min(len(feeds), max(share, publishWorkers)) {
			wg.Go(func() {
				for {
					f := int(next.Add(1) - 1)
					if f >= len(feeds) {
						return
					}
					n := &results[h*len(feeds)+f]
					n.Hub, n.URL = hub, feeds[f]
					if bad != nil {
						n.Err = bad
					} else {
						s.notify(ctx, hubSem, sem, n, &refused)
					}
					if n.Err == nil {
						continue
					}
					why := ""
					if ctx.Err() != nil && parent.Err() == nil && errors.Is(n.Err, context.DeadlineExceeded) {
						why = fmt.Sprintf(" (the publish timeout of %v ran out)", s.timeout)
					}
					n.Err = fmt.Errorf("websub: hub %s: publish %s: %w%s", shown, n.URL, n.Err, why)
				}
			})
		}
	}
	wg.Wait()

	var rep PublishReport
	for _, n := range results {
		if n.Err == nil {
			rep.Notified = append(rep.Notified, n)
		} else {
			rep.Failed = append(rep.Failed, n)
		}
	}
	return rep
}

// publishSettings are a Publisher's fields with the defaults filled in.
type publishSettings struct {
	client      *http.Client
	timeout     time.Duration
	attempts    int
	backoff     time.Duration
	concurrency int
}

func (p *Publisher) settings() publishSettings {
	s := publishSettings{p.Client, p.Timeout, p.Attempts, p.Backoff, p.Concurrency}
	if s.client == nil {
		s.client = hubClient
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.attempts <= 0 {
		s.attempts = DefaultAttempts
	}
	if s.backoff <= 0 {
		s.backoff = DefaultBackoff
	}
	if s.concurrency <= 0 {
		s.concurrency = DefaultConcurrency
	}
	return s
}

// ceiling is the longest wait between two tries: maxPublishWait, or Backoff
// when that is longer.
func (s publishSettings) ceiling() time.Duration { return max(maxPublishWait, s.backoff) }

// hubClient sends the requests of Publishers without a Client.
var hubClient = &http.Client{CheckRedirect: hubRedirect}

// hubRedirect follows a hub's 307 and 308 redirects to http and https URLs,
// at most maxHubRedirects; any other redirect is returned as the answer.
func hubRedirect(req *http.Request, via []*http.Request) error {
	code := 0
	if req.Response != nil {
		code = req.Response.StatusCode
	}
	if len(via) > maxHubRedirects ||
		(code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect) ||
		(req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return http.ErrUseLastResponse
	}
	return nil
}

// publishWorkers is how many pairs of one hub may be in progress at once,
// most of them waiting to try again.
const publishWorkers = 32

// notify tells n.Hub about n.URL, trying again while the failure may pass,
// and records in n the requests made, the last status and the error. Each
// request holds a slot of hubSem, then of sem, while it runs.
//
// Once an answer of the hub says that its URL cannot work (see
// hubRefusal), refused holds why, and the hub's other pairs fail without a
// request.
func (s publishSettings) notify(ctx context.Context, hubSem, sem chan struct{}, n *Notification, refused *atomic.Pointer[error]) {
	body := url.Values{"hub.mode": {"publish"}, "hub.url": {n.URL}}.Encode()
	wait := s.backoff
	for {
		if ctx.Err() != nil { // checked first: select picks at random
			n.Err = tooLate(n.Err, ctx.Err())
			return
		}
		if why := refused.Load(); why != nil {
			n.Err = fmt.Errorf("not sent: the hub refused an earlier request: %w", *why)
			return
		}
		select {
		case hubSem <- struct{}{}:
		case <-ctx.Done():
			n.Err = tooLate(n.Err, ctx.Err())
			return
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			<-hubSem
			n.Err = tooLate(n.Err, ctx.Err())
			return
		}
		if why := refused.Load(); why != nil {
			<-sem
			<-hubSem
			n.Err = fmt.Errorf("not sent: the hub refused an earlier request: %w", *why)
			return
		}
		header, retry, err := s.post(ctx, body, n)
		// A refusal is recorded before the slots are given back: the
		// hub's next request waits for a slot, then finds it.
		if err != nil && hubRefusal(n.Status, err) {
			refused.CompareAndSwap(nil, &err)
		}
		<-sem
		<-hubSem
		if err == nil {
			n.Err = nil
			return
		}
		n.Err = err
		if !retry || n.Attempts >= s.attempts {
			if n.Attempts > 1 {
				n.Err = fmt.Errorf("%w (after %d tries)", err, n.Attempts)
			}
			return
		}
		if ctx.Err() != nil {
			n.Err = tooLate(err, ctx.Err())
			return
		}
		w := retryWait(header, wait, s.ceiling(), time.Now())
		if d, ok := ctx.Deadline(); ok && time.Until(d) <= w {
			n.Err = fmt.Errorf("%w; no try %d: it was due in %v, after the deadline", err, n.Attempts+1, w)
			return
		}
		t := time.NewTimer(w)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			n.Err = tooLate(err, ctx.Err())
			return
		}
		wait = min(wait*2, s.ceiling())
	}
}

// tooLate is the error of a pair the call ended on before its next request:
// the context's error, after the last request's when there was one.
func tooLate(last, ctxErr error) error {
	if last == nil {
		return fmt.Errorf("not tried: %w", ctxErr)
	}
	return fmt.Errorf("%w; then %w before the next try", last, ctxErr)
}

// post makes one request. It returns the answer's header (nil without an
// answer), whether a failure may pass on another try, and the failure.
func (s publishSettings) post(ctx context.Context, body string, n *Notification) (http.Header, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Hub, strings.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
	req.Header["User-Agent"] = []string{"curafeed"}
	n.Attempts++
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redactURL(ue.URL)
			if strings.Contains(ue.Err.Error(), "Location header") {
				// An answer, but a redirect to no valid URL: the
				// client's error would repeat it.
				return nil, false, errBadLocation
			}
		}
		// No answer: try again, unless the call itself has ended.
		return nil, ctx.Err() == nil, err
	}
	io.CopyN(io.Discard, resp.Body, maxHubBody) // only to reuse the connection
	resp.Body.Close()
	n.Status = resp.StatusCode
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.Header, false, nil
	}
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout ||
		resp.StatusCode == http.StatusTooManyRequests
	return resp.Header, retry, hubStatusError(resp)
}

// errBadLocation is the failure of a hub that redirects to a Location that
// is not a valid URL.
var errBadLocation = errors.New("hub answered a redirect to a Location that is not a valid URL")

// hubRefusal reports whether a failed request says the hub's URL cannot
// work, so that the hub gets no further request: an answer of 4xx other
// than 408 and 429, a redirect that is not followed, or an error the
// request never left on.
func hubRefusal(status int, err error) bool {
	switch {
	case errors.Is(err, errBadLocation):
		return true
	case status >= 300 && status < 500:
		return status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
	}
	return false
}

// hubStatusError describes a hub's answer that is not a success.
func hubStatusError(resp *http.Response) error {
	msg := "hub answered " + resp.Status
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			msg += ", to " + strconv.Quote(redactURL(loc)) + ": set that hub URL instead"
		}
	}
	return errors.New(msg)
}

// retryWait returns how long to wait before the next try: backoff, or the
// hub's Retry-After (delay in seconds, or HTTP date, read at now) when that is
// longer, never more than ceiling.
func retryWait(h http.Header, backoff, ceiling time.Duration, now time.Time) time.Duration {
	wait := backoff
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		// A delay too large for a uint64 parses as the largest one.
		if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
			if secs > uint64(ceiling/time.Second) {
				return ceiling
			}
			wait = max(wait, time.Duration(secs)*time.Second)
		} else if t, err := http.ParseTime(v); err == nil {
			wait = max(wait, t.Sub(now))
		}
	}
	return min(wait, ceiling)
}

// sortedNonEmpty returns the non-empty strings of list, sorted, each once.
func sortedNonEmpty(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
