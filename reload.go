package curafeed

import (
	"context"
	"errors"
	"hash/maphash"
	"io/fs"
	"maps"
	"net/http"
	"slices"
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
	// ReloadWorkers, when above 0, replaces Config.Workers in every load
	// after the first, quick reloads included. The first load runs in
	// NewReloader, before any request can come, and uses Config.Workers:
	// a server gives it every CPU and its reloads some, keeping the others
	// for requests.
	ReloadWorkers int
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
	restored  *handler   // the documents saved in Config.CacheDir, until the first load has taken them
	stopTimer func()     // stops the reload armed for the next scheduled record; guarded by mu
	closed    bool       // guarded by mu
	clock     func() time.Time
	after     func(time.Duration, func()) (stop func())
}

// snapshot is one loaded catalog, ready to serve.
type snapshot struct {
	cat       *Catalog
	h         *handler
	items     []*Item           // the published items, kept ones included
	retracted []*Item           // the withdrawn records
	gone      []*Item           // items whose records disappeared, with when as Updated, while they have tombstones
	records   map[string]bool   // paths of the files that read as records; one that no longer does is damaged, not gone
	memo      memo              // what each record file parsed to: the next load parses only changed files
	terms     map[string]uint64 // each record file's term in the signature (see scan)
	ids       map[string]int32  // how many record files have each item ID
	rep       ReloadReport      // the report of the load that made the snapshot
	from      *snapshot         // the snapshot this is a copy of, with its bodies moved (see moveBodies)
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
	if cfg.CacheDir != "" {
		if ncfg, _, err := cfg.normalize(); err == nil {
			r.restored = readState(cfg.CacheDir, ncfg)
		}
	}
	rep := r.Reload()
	if errors.Is(rep.Err, errRecordChanged) {
		// A record the build cache vouched for changed while the load
		// ran, and its body was read for a document: the load is made
		// again, and reads the record anew.
		rep = r.Reload()
	}
	if r.restored != nil && rep.Err != nil {
		r.restored.store.close() // else the first load's handler keeps them
		r.restored.base.close()
	}
	r.restored = nil
	if rep.Err != nil {
		return nil, rep.Err
	}
	return r, nil
}

// Save keeps the feed documents the Reloader serves in Config.CacheDir (it
// does nothing without one): their bytes as served (in gzip form where gzip
// makes them smaller), ETags and content fingerprints; and what each record
// file parsed to, in the build cache BuildDir keeps there too. A Reloader
// made later with the same configuration and folder starts from them: its
// first load reads and parses only the record files whose size or
// modification time changed since (and those a build's cache knew, which
// keeps less of each record), renders and compresses only the documents
// whose content changed, and serves the others with the bytes and ETags
// saved, so that clients' cached copies stay valid across a restart. The
// bodies of the records it did not read are read from their files when a
// document that holds them is first rendered. A record deleted meanwhile
// gets a tombstone, and one emptied or damaged is rejected rather than
// withdrawn, as in a cached build. A state saved with another
// configuration or version of curafeed, or damaged, is ignored. Save writes
// a new data file, then replaces the index that names it, so a state is
// never read half old and half new; it takes about as long as copying the
// served bytes (at 100,000 records with archives, 0.66 GB in 2–3 s), and
// loads wait for it. A build of the same records with the same cache folder
// keeps what the Reloader saved and the outputs it knew; the cache folder
// is locked while either writes it. curafeed serve -cache saves after its
// first load and when it stops.
func (r *Reloader) Save() error {
	if r == nil || r.cfg.CacheDir == "" {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ncfg, _, err := r.cfg.normalize()
	if err != nil {
		return err
	}
	cur := r.cur.Load()
	if err := saveState(r.cfg.CacheDir, ncfg, cur.h); err != nil {
		return err
	}
	return saveRecords(r.cfg.CacheDir, ncfg, cur)
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
	return r.reload(nil)
}

// reload is Reload, told that only the record files at paths changed, when
// paths is not empty: when each change is an edit that leaves the catalog's
// shape as it was, only those files are read (see quick).
func (r *Reloader) reload(paths []string) ReloadReport {
	if r == nil {
		return ReloadReport{Err: errors.New("curafeed: no Reloader (nil): make one with NewReloader")}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var rep ReloadReport
	prev := r.cur.Load()
	if prev != nil && r.bodies != nil && r.bodies.wasteful(prev.bodyBytes(r.bodies)) {
		paths = nil // a full load moves the live bodies to a fresh file
	}
	if prev == nil || len(paths) == 0 || !r.quick(prev, paths, &rep) {
		rep = r.load()
	}
	r.schedule(rep)
	if r.opts.OnReload != nil {
		r.opts.OnReload(rep)
	}
	return rep
}

func (r *Reloader) load() (rep ReloadReport) {
	rep.Start = time.Now()
	defer func() { rep.Duration = time.Since(rep.Start) }()
	// One walk gives the signature's terms and the record files to load.
	terms := map[string]uint64{}
	sig, _, list, _ := r.scanList(".", nil, func(p string, t uint64) { terms[p] = t }, true)
	r.sig.Store(sig)
	prev := r.cur.Load()
	if prev != nil && r.bodies != nil && r.bodies.wasteful(prev.bodyBytes(r.bodies)) {
		// Most of the bodies' file is garbage (bodies of records edited
		// since): the live ones move to a fresh file, and this load
		// starts from copies of the items that point there.
		if moved, s, ok := prev.moveBodies(r.bodies); ok {
			old := r.bodies
			r.bodies, prev = s, moved
			defer func() {
				if r.cur.Load() == moved.from {
					// The load failed: the snapshot served still uses the old file.
					r.bodies = old
					s.close()
					return
				}
				old.close()
			}()
		}
	}

	cfg := r.cfg
	if cfg.Now.IsZero() {
		cfg.Now = r.clock() // once per load: Load and build agree on what is due
	}
	if prev != nil && r.opts.ReloadWorkers > 0 {
		cfg.Workers = r.opts.ReloadWorkers
	}
	was := func(string) bool { return false } // the first load knows of no earlier one
	if prev != nil {
		was = func(p string) bool { return prev.records[p] }
	}
	var prevMemo memo = memo{}
	if prev != nil {
		prevMemo = prev.memo
	}
	// Bodies are sanitized as they are parsed, since the documents that
	// hold them are rendered next, except on a first load from saved
	// feeds, which renders only what changed since they were saved. A
	// first load with a cache folder reads only the records that changed
	// since the cache was written (see loadCached).
	lazy := prev == nil && r.restored != nil
	var recs *Records
	var gone []*Item
	var err error
	if prev == nil && r.cfg.CacheDir != "" {
		recs, gone, err = r.loadCached(cfg, lazy, list)
	} else {
		recs, err = load(r.fsys, cfg, was, prevMemo, r.bodies, lazy, list)
	}
	if err != nil {
		rep.Err = err
		return rep
	}
	rep.Read, rep.Skipped = recs.Files, len(recs.Skipped)
	rep.Errors, rep.Warnings = recs.Errors, recs.Warnings
	rep.NextScheduled, rep.Skips, rep.Kept = recs.NextScheduled, recs.Skipped, recs.Kept
	items := recs.Items
	if prev != nil && len(recs.Errors) > 0 {
		items, rep.Kept = keepLastGood(items, recs.Errors, prev.items)
	}
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
	} else if r.restored != nil {
		prevHandler = r.restored // its store becomes the new handler's
	} else if s, err := newSpillFile(""); err == nil {
		prevHandler.store = s
	}
	h, err := newHandler(cat, r.opts.Handler, rep.Start, prevHandler)
	if err != nil {
		rep.Err = err
		return rep
	}
	next := &snapshot{cat: cat, h: h, items: items, retracted: recs.Retracted, records: recs.records, memo: recs.memo, terms: terms, ids: map[string]int32{}}
	for _, e := range recs.memo {
		if e.res.item != nil {
			next.ids[e.res.item.ID]++
		}
	}
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
	rep.Published, rep.Feeds, rep.Files, rep.Rendered = len(items), len(cat.Feeds), len(h.files), h.rendered
	next.rep = rep
	r.cur.Store(next)
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

// quick reloads the record files at paths alone, when each change is an
// edit that leaves the catalog's shape as it was: the file still reads as
// the same published item (same ID, status, archetype, dates, community,
// site path and topics), with only its title, summary, body or other
// content changed, and no other record shares its ID. It swaps the edited
// items into a copy of the catalog (Catalog.withItems) and renders only
// the documents that hold them. It reports false, having changed nothing,
// when a full load is needed instead.
func (r *Reloader) quick(prev *snapshot, paths []string, rep *ReloadReport) bool {
	if prev.terms == nil || prev.memo == nil {
		return false
	}
	start := time.Now()
	cfg, site, err := r.cfg.normalize()
	if err != nil {
		return false
	}
	type change struct {
		path      string
		term      uint64
		entry     memoEntry
		old, next *Item // the published items, before and after; nil when the bytes did not change
		at        int   // index of old in prev.items
	}
	var changes []change
	seen := map[string]bool{}
	ids := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		old, ok := prev.memo[p]
		if !ok || old.res.err != nil || old.res.item == nil {
			return false // a file added, or one that was not a good record
		}
		term := r.fileTerm(p)
		if term == prev.terms[p] {
			continue // as it was at the last load
		}
		fi, err := fs.Stat(r.fsys, p)
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
		data, err := readRecord(r.fsys, p, fi.Mode().Type(), cfg.MaxRecordBytes)
		if err != nil {
			return false
		}
		e := memoEntry{sum: fileSum(data), size: int64(len(data)), mod: fileStamp(fi)}
		if fi.Size() != e.size {
			e.mod = 0 // changed as it was read: read it again next time
		}
		if e.sum == old.sum {
			e.res = old.res
			changes = append(changes, change{path: p, term: term, entry: e})
			continue
		}
		it, warns, err := parseRecord(p, data, parseOptions{SiteURL: site})
		if err != nil || it == nil || !sameShape(old.res.item, it) {
			return false
		}
		at := slices.IndexFunc(prev.items, func(x *Item) bool { return x.Path == p })
		if at < 0 {
			return false // not published (withdrawn, scheduled, filtered, or a duplicate's loser)
		}
		it.sum = e.sum
		if it.content != nil && r.bodies != nil {
			it.content.get()
			if c, err := it.content.spillTo(r.bodies, ""); err == nil {
				it.content = c
			}
		}
		raw := *it // as parsed: the memo's copy
		e.res = parsed{item: &raw, warnings: warns}
		next := *it
		next.Community = prev.items[at].Community // as loading joined it
		changes = append(changes, change{p, term, e, prev.items[at], &next, at})
		ids[it.ID] = true
	}
	for id := range ids {
		if prev.ids[id] != 1 {
			return false // another record has the same ID
		}
	}

	items := prev.items
	repl := map[*Item]*Item{}
	for _, c := range changes {
		if c.next == nil {
			continue
		}
		if len(repl) == 0 {
			items = slices.Clone(items)
		}
		items[c.at] = c.next
		repl[c.old] = c.next
	}
	cat, h := prev.cat, prev.h
	if len(repl) > 0 {
		cat = prev.cat.withItems(repl)
		if w := r.opts.ReloadWorkers; w > 0 {
			cat.cfg.Workers = w // the first load's catalog has Config.Workers
		}
		var err error
		if h, err = newHandler(cat, r.opts.Handler, start, prev.h); err != nil {
			return false
		}
	}

	// Commit: nothing above changed the snapshot.
	sig := r.sig.Load()
	edited := map[string]bool{}
	for _, c := range changes {
		sig += c.term - prev.terms[c.path]
		prev.terms[c.path] = c.term
		prev.memo[c.path] = c.entry
		if c.next != nil {
			edited[c.path] = true
		}
	}
	r.sig.Store(sig)
	*rep = ReloadReport{Start: start}
	pr := prev.rep
	rep.Read, rep.Skipped, rep.Skips, rep.Errors, rep.Kept, rep.NextScheduled = pr.Read, pr.Skipped, pr.Skips, pr.Errors, pr.Kept, pr.NextScheduled
	for _, w := range pr.Warnings {
		if !edited[w.Path] {
			rep.Warnings = append(rep.Warnings, w)
		}
	}
	for _, c := range changes {
		if c.next != nil {
			rep.Warnings = append(rep.Warnings, c.entry.res.warnings...)
		}
	}
	rep.Warnings.sortByPlace()
	// Only the patched documents' files may have changed; none is removed.
	for _, p := range slices.Sorted(maps.Keys(cat.patched)) {
		for _, format := range Formats() {
			f := p + "/" + format.fileName()
			if old, e := prev.h.files[f], h.files[f]; old == nil || (old != e && old.plain.etag != e.plain.etag) {
				rep.Changed = append(rep.Changed, f)
			}
		}
	}
	sort.Strings(rep.Changed)
	rep.ChangedFeeds = changedFeeds(cat, rep.Changed)
	rep.Published, rep.Feeds, rep.Files, rep.Rendered = len(items), len(cat.Feeds), len(h.files), 0
	if h != prev.h {
		rep.Rendered = h.rendered
	}
	next := *prev
	next.cat, next.h, next.items, next.rep = cat, h, items, *rep
	r.cur.Store(&next)
	if p := r.opts.Publisher; p != nil && len(rep.ChangedFeeds) > 0 && r.pubCtx.Err() == nil {
		r.publish(p, rep.ChangedFeeds)
	}
	rep.Duration = time.Since(start)
	return true
}

// sameShape reports whether two parses of one record file give items that
// take the same place in a catalog: the same ID, status, archetype, dates,
// community, site path and topics.
func sameShape(a, b *Item) bool {
	return a.ID == b.ID && a.Status == b.Status && a.Archetype == b.Archetype &&
		a.Published.Equal(b.Published) && a.Updated.Equal(b.Updated) &&
		a.Community == b.Community && a.extra.sitePath() == b.extra.sitePath() &&
		slices.Equal(a.Topics, b.Topics)
}

// bodyBytes is the size of the bodies in sp that the snapshot's records
// use: each record file's item in the memo holds its own body, which the
// published copies share (the few kept last good versions are left out, so
// the file is moved a little early rather than late). It looks at the memo
// only, without allocating: reload asks before every reload.
func (s *snapshot) bodyBytes(sp *spillFile) int64 {
	var n int64
	for _, e := range s.memo {
		if it := e.res.item; it != nil {
			if l := it.content.stored(); l != nil && l.spill == sp {
				span, _ := l.spilled()
				n += span.n
			}
		}
	}
	return n
}

// eachItem calls fn with every item of the snapshot that may be rendered
// again (the memo's, the published and the withdrawn ones) and puts the
// item fn returns in its place.
func (s *snapshot) eachItem(fn func(*Item) *Item) {
	for k, e := range s.memo {
		if it := e.res.item; it != nil {
			if e.res.item = fn(it); e.res.item != it {
				s.memo[k] = e
			}
		}
	}
	for _, list := range [][]*Item{s.items, s.retracted} {
		for i, it := range list {
			if n := fn(it); n != it {
				list[i] = n
			}
		}
	}
}

// moveBodies returns a copy of the snapshot whose items (and the memo's)
// hold their bodies in a fresh spill file, with that file; the bodies are
// copied from sp, each once. ok is false, and nothing changed, when a
// file cannot be made or written.
func (s *snapshot) moveBodies(sp *spillFile) (moved *snapshot, to *spillFile, ok bool) {
	to, err := newSpillFile("")
	if err != nil {
		return nil, nil, false
	}
	c := *s
	c.from = s
	c.memo = maps.Clone(s.memo)
	c.items, c.retracted = slices.Clone(s.items), slices.Clone(s.retracted)
	done := map[*lazyHTML]*lazyHTML{}
	c.eachItem(func(it *Item) *Item {
		l := it.content
		if err != nil || l == nil {
			return it
		}
		if l.from != nil {
			if got := l.stored(); got != nil {
				l = got
			} else if l.from.spill == sp {
				// Unread: it will be read into the fresh file.
				n, ok := done[l]
				if !ok {
					n = &lazyHTML{from: l.from.in(to)}
					done[l] = n
				}
				cp := *it
				cp.content = n
				return &cp
			}
		}
		if l.spill != sp {
			return it
		}
		n, ok := done[l]
		if !ok {
			span, clean := l.spilled()
			var b []byte
			if b, err = sp.read(span); err != nil {
				return it
			}
			n = &lazyHTML{spill: to, markdown: l.markdown, base: l.base, clean: clean, onPage: l.onPage, page: l.page, keepClean: l.keepClean}
			if n.span, err = to.add(b); err != nil {
				return it
			}
			done[l] = n
		}
		cp := *it
		cp.content = n
		return &cp
	})
	if err != nil {
		to.close()
		return nil, nil, false
	}
	return &c, to, true
}
