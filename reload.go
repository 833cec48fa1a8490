package curafeed

import (
	"context"
	"errors"
	"hash/maphash"
	"io/fs"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curafeed/curafeed/websub"
)

// ReloadOptions configures a Reloader. The zero value is ready to use. The
// Reloader keeps a copy; OnReload is only ever called by one goroutine at a
// time.
type ReloadOptions struct {
	// Handler configures how each catalog is served.
	Handler HandlerOptions
	// OnReload, when not nil, is called after every load, the first one
	// (in NewReloader) included, whether or not it succeeded. Calls are
	// serialized, in the order of the loads; OnReload must not call Reload.
	OnReload func(ReloadReport)
	// Publisher, when not nil, is told the URLs of the feeds whose bytes a
	// reload changed (ReloadReport.ChangedFeeds), after the new catalog is
	// served, on a goroutine of its own: publishing never delays a reload
	// or a request. Publishes run one at a time, in the order of the
	// reloads; the feeds of the reloads made while one runs are published
	// together once it ends. Close cancels them. The first load announces
	// nothing.
	Publisher *websub.Publisher
	// OnPublish, when not nil, receives the report of each publish. Calls
	// are serialized, in the order of the reloads.
	OnPublish func(websub.PublishReport)
	// OnWatchError, when not nil, receives what goes wrong in Watch: why
	// it polls instead of being told of changes (the error says so), that
	// the kernel dropped change events (a reload follows). When it is nil,
	// these are not reported: Watch goes on polling or reloading all the
	// same. Calls come from the goroutine of Watch.
	OnWatchError func(error)
}

// ReloadReport says what one load of a Reloader read and what it changed.
// Nothing changes a report once it is made: it may be kept and read from any
// goroutine.
type ReloadReport struct {
	Start    time.Time     // when the load began
	Duration time.Duration // how long loading, building and rendering took

	// Err is non-nil when the load failed as a whole (the records could
	// not be read, or the catalog could not be built or rendered): the
	// catalog served before it is still served, unchanged.
	Err error

	Read      int       // record files read
	Published int       // items in the catalog now served, Kept included
	Skipped   int       // files read but not published
	Skips     []Skip    // those files, and why, sorted by path
	Errors    ErrorList // rejected records
	Warnings  ErrorList // records that lost a field
	// Kept lists the paths of rejected records whose last good version is
	// still published: the previous catalog held an item read from that
	// file, and no other record has taken its ID.
	Kept []string

	Feeds int // feeds in the catalog now served
	Files int // files served: feeds × formats, index.opml and the rest
	// Rendered counts the files this load rendered; the others are served
	// as the previous load made them, their documents' records unchanged.
	Rendered int
	Changed  []string // paths of the served files this load added or changed
	Removed  []string // paths of the served files this load removed
	// ChangedFeeds lists the URLs of the current feed documents (not
	// archives) among Changed: what WebSub hubs are told.
	ChangedFeeds []string
	// NextScheduled is the earliest date of the records kept back because
	// they are dated in the future; zero when there are none. The Reloader
	// reloads then, so that they are published when their time comes.
	NextScheduled time.Time
}

// Reloader serves a catalog that it reloads from its records on demand
// (Reload) or when they change (Watch). It holds the current catalog, fully
// built and rendered, behind an atomic pointer: each load builds and renders
// a new one before swapping it in, so no request ever sees half a catalog,
// and requests never wait for a load. A Reloader is safe for concurrent use;
// loads are serialized.
type Reloader struct {
	fsys fs.FS
	cfg  Config
	opts ReloadOptions

	mu  sync.Mutex // serializes loads
	cur atomic.Pointer[snapshot]

	pubMu      sync.Mutex          // guards pending and pubRunning
	pending    map[string]struct{} // feed URLs changed since the running publish began
	pubRunning bool                // a goroutine is publishing
	pubs       sync.WaitGroup      // the publishing goroutine, while it runs
	pubCtx     context.Context     // ends when the Reloader is closed
	pubCancel  context.CancelFunc  // closes pubCtx
	seed       maphash.Seed
	sig        atomic.Uint64 // signature of the records when the last load began

	bodies    *spillFile // the sanitized bodies of the records, out of memory; nil: in memory
	stopTimer func()     // stops the reload armed for the next scheduled record; guarded by mu
	closed    bool       // guarded by mu
	clock     func() time.Time
	after     func(time.Duration, func()) (stop func())
}

// snapshot is one loaded catalog, ready to serve.
type snapshot struct {
	cat       *Catalog
	h         *handler
	items     []*Item         // the published items, kept ones included
	retracted []*Item         // the withdrawn records
	gone      []*Item         // items whose records disappeared, with when as Updated, while they have tombstones
	records   map[string]bool // paths of the files that read as records; one that no longer does is damaged, not gone
	memo      memo            // what each record file parsed to: the next load parses only changed files
}

// NewReloader loads the records of fsys, builds the catalog and renders it.
// The error is non-nil only when that first load fails as a whole (see
// ReloadReport.Err); rejected records are reported to opts.OnReload, and
// the catalog holds every good one.
func NewReloader(fsys fs.FS, cfg Config, opts ReloadOptions) (*Reloader, error) {
	if fsys == nil {
		return nil, errNoFS
	}
	r := &Reloader{fsys: fsys, cfg: cfg, opts: opts, seed: maphash.MakeSeed(), clock: reloadClock, after: afterFunc}
	r.pubCtx, r.pubCancel = context.WithCancel(context.Background())
	if s, err := newSpillFile(""); err == nil {
		r.bodies = s
	}
	if rep := r.Reload(); rep.Err != nil {
		return nil, rep.Err
	}
	return r, nil
}

// Catalog returns the catalog being served; nil for a nil Reloader.
func (r *Reloader) Catalog() *Catalog {
	if r == nil {
		return nil
	}
	return r.cur.Load().cat
}

// ServeHTTP serves the current catalog, as the handler of NewHandler does;
// a nil Reloader serves nothing (404 everywhere).
func (r *Reloader) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if r == nil {
		(&handler{files: map[string]*entry{}}).ServeHTTP(w, req)
		return
	}
	r.cur.Load().h.ServeHTTP(w, req)
}

// Reload loads the records again, builds and renders a new catalog and swaps
// it in, then reports to OnReload and returns the report. When the load fails
// as a whole, the previous catalog stays. Records that are now rejected but
// were published before stay published in their last good version (see
// ReloadReport.Kept). Concurrent calls wait for each other.
func (r *Reloader) Reload() ReloadReport {
	if r == nil {
		return ReloadReport{Err: errors.New("curafeed: no Reloader (nil): make one with NewReloader")}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := r.load()
	r.schedule(rep)
	if r.opts.OnReload != nil {
		r.opts.OnReload(rep)
	}
	return rep
}

func (r *Reloader) load() (rep ReloadReport) {
	rep.Start = time.Now()
	defer func() { rep.Duration = time.Since(rep.Start) }()
	r.sig.Store(r.signature())
	prev := r.cur.Load()

	cfg := r.cfg
	if cfg.Now.IsZero() {
		cfg.Now = r.clock() // once per load: Load and build agree on what is due
	}
	was := func(string) bool { return false } // the first load knows of no earlier one
	if prev != nil {
		was = func(p string) bool { return prev.records[p] }
	}
	var prevMemo memo = memo{}
	if prev != nil {
		prevMemo = prev.memo
	}
	recs, err := load(r.fsys, cfg, was, prevMemo, r.bodies)
	if err != nil {
		rep.Err = err
		return rep
	}
	rep.Read, rep.Skipped = recs.Files, len(recs.Skipped)
	rep.Errors, rep.Warnings = recs.Errors, recs.Warnings
	rep.NextScheduled, rep.Skips = recs.NextScheduled, recs.Skipped
	items := recs.Items
	if prev != nil && len(recs.Errors) > 0 {
		items, rep.Kept = keepLastGood(items, recs.Errors, prev.items)
	}
	var gone []*Item
	if prev != nil {
		live := append(prev.retracted[:len(prev.retracted):len(prev.retracted)], prev.items...)
		gone = withdrawnSince(prev.gone, live, items, recs.Retracted, prev.cat.cfg)
	}
	cat, err := build(append(items[:len(items):len(items)], recs.Retracted...), gone, cfg)
	if err != nil {
		rep.Err = err
		return rep
	}
	// Not nil: the entries carry content keys for the next load, and the
	// files' bytes are kept in a temporary file rather than in memory.
	prevHandler := &handler{}
	if prev != nil {
		prevHandler = prev.h
	} else if s, err := newSpillFile(""); err == nil {
		prevHandler.store = s
	}
	h, err := newHandler(cat, r.opts.Handler, rep.Start, prevHandler)
	if err != nil {
		rep.Err = err
		return rep
	}
	next := &snapshot{cat: cat, h: h, items: items, retracted: recs.Retracted, records: recs.records, memo: recs.memo}
	tombstoned := cat.tombstoned()
	for _, it := range gone {
		if tombstoned[it.ID] {
			next.gone = append(next.gone, it)
		}
	}
	if prev != nil {
		rep.Changed, rep.Removed = diffFiles(prev.h, h)
	} else {
		rep.Changed, _ = diffFiles(&handler{}, h)
	}
	rep.ChangedFeeds = changedFeeds(cat, rep.Changed)
	r.cur.Store(next)
	rep.Published, rep.Feeds, rep.Files, rep.Rendered = len(items), len(cat.Feeds), len(h.files), h.rendered
	if p := r.opts.Publisher; p != nil && prev != nil && len(rep.ChangedFeeds) > 0 && r.pubCtx.Err() == nil {
		r.publish(p, rep.ChangedFeeds)
	}
	return rep
}

// publish tells p's hubs about urls on a goroutine of its own. While a
// publish runs (a hub may hang until the publish timeout), the URLs of
// later reloads are gathered, each once, and published together when it
// ends: one publish in progress and one waiting at most, however many
// reloads happen meanwhile.
func (r *Reloader) publish(p *websub.Publisher, urls []string) {
	r.pubMu.Lock()
	defer r.pubMu.Unlock()
	if r.pending == nil {
		r.pending = make(map[string]struct{}, len(urls))
	}
	for _, u := range urls {
		r.pending[u] = struct{}{}
	}
	if r.pubRunning {
		return
	}
	r.pubRunning = true
	r.pubs.Add(1)
	go func() {
		defer r.pubs.Done()
		for {
			r.pubMu.Lock()
			if len(r.pending) == 0 {
				r.pubRunning = false
				r.pubMu.Unlock()
				return
			}
			next := make([]string, 0, len(r.pending))
			for u := range r.pending {
				next = append(next, u)
			}
			r.pending = nil
			r.pubMu.Unlock()
			pr := p.Publish(r.pubCtx, next) // sorts them
			if r.opts.OnPublish != nil {
				r.opts.OnPublish(pr)
			}
		}
	}()
}

// Close cancels the publishes in progress or queued (their reports list
// the pairs not notified) and waits for them to end, and stops the reload
// armed for the next scheduled record. The Reloader still serves and
// reloads after Close, but publishes no more and arms no timer.
func (r *Reloader) Close() {
	if r == nil {
		return
	}
	r.mu.Lock() // no load is between its check of pubCtx and its pubs.Add
	r.pubCancel()
	r.closed = true
	if r.stopTimer != nil {
		r.stopTimer()
		r.stopTimer = nil
	}
	r.mu.Unlock()
	r.pubs.Wait()
}

// reloadClock and afterFunc are the clock of a Reloader's loads and its
// timers, which NewReloader copies; tests replace them.
var (
	reloadClock = time.Now
	afterFunc   = func(d time.Duration, f func()) (stop func()) {
		t := time.AfterFunc(d, f)
		return func() { t.Stop() }
	}
)

// schedule arms a reload for when the next record scheduled by rep is due,
// replacing the one armed before, unless Config.Now fixes the time (then no
// record ever becomes due) or the Reloader is closed. The caller holds r.mu.
func (r *Reloader) schedule(rep ReloadReport) {
	if rep.Err != nil {
		return // the catalog served and its timer stay as they were
	}
	if r.stopTimer != nil {
		r.stopTimer()
		r.stopTimer = nil
	}
	if rep.NextScheduled.IsZero() || !r.cfg.Now.IsZero() || r.closed {
		return
	}
	r.stopTimer = r.after(max(rep.NextScheduled.Sub(r.clock()), 0), func() { r.Reload() })
}

// changedFeeds returns the URLs of the current feed documents among the
// changed paths, sorted.
func changedFeeds(cat *Catalog, changed []string) []string {
	set := make(map[string]bool, len(changed))
	for _, p := range changed {
		set[p] = true
	}
	var urls []string
	for _, f := range cat.Feeds {
		for _, format := range Formats() {
			if set[f.Path+"/"+format.fileName()] {
				urls = append(urls, f.URL(format))
			}
		}
	}
	sort.Strings(urls)
	return urls
}

// keepLastGood adds to items the previous version of each rejected record:
// the item prev holds for its path, unless an item of items has its ID or
// its record ID. It returns the items and the paths kept.
func keepLastGood(items []*Item, errs ErrorList, prev []*Item) ([]*Item, []string) {
	byPath := make(map[string]*Item, len(prev))
	for _, it := range prev {
		byPath[it.Path] = it
	}
	ids := make(map[string]bool, len(items))
	records := make(map[string]bool, len(items))
	for _, it := range items {
		ids[it.ID] = true
		if it.RecordID != "" {
			records[it.RecordID] = true
		}
	}
	var kept []string
	out := items[:len(items):len(items)] // appending copies: items stays as it is
	for _, e := range errs {
		it := byPath[e.Path]
		if it == nil || ids[it.ID] || (it.RecordID != "" && records[it.RecordID]) {
			continue
		}
		out = append(out, it)
		ids[it.ID] = true
		if it.RecordID != "" {
			records[it.RecordID] = true
		}
		kept = append(kept, e.Path)
	}
	return out, kept
}

// diffFiles lists the paths whose bytes differ between two handlers: those
// new or changed in b, and those only in a.
func diffFiles(a, b *handler) (changed, removed []string) {
	for p, e := range b.files {
		if old := a.files[p]; old == nil || (old != e && old.plain.etag != e.plain.etag) {
			changed = append(changed, p)
		}
	}
	for p := range a.files {
		if b.files[p] == nil {
			removed = append(removed, p)
		}
	}
	sort.Strings(changed)
	sort.Strings(removed)
	return changed, removed
}
