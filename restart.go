package curafeed

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// A Reloader with Config.CacheDir shares the build cache (see buildCache)
// with BuildDir: Save writes its records' entries there, whole (every
// field of each item but its body), and the first load of a Reloader made
// later reads them instead of the record files whose size and stamp are
// unchanged, as a cached build does. The bodies of those records are read
// from their files only when a document that holds them is rendered, which
// after a restart from saved feeds is for few of them.

// loadCached is the first load of a Reloader with a cache folder, of the
// record files list names (walked again when nil): the records as load
// returns them (with the memo and the paths that read as
// records), and the items the cache knew that the records no longer hold,
// for their tombstones (see goneItems). A record file that held a record
// in the cache and no longer reads as one is a rejected record; one that
// was published and is now rejected stays published in its last good
// version where the cache's record pack has it, as in a cached build.
func (r *Reloader) loadCached(cfg Config, lazy bool, list *recordList) (*Records, []*Item, error) {
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, nil, err
	}
	cache := readCache(cfg.CacheDir, cfg)
	if list == nil || list.infos == nil {
		if list, err = walkRecords(r.fsys, ".", nil, true); err != nil {
			return nil, nil, err
		}
	}
	names, types, infos := list.names, list.types, list.infos
	opts := parseOptions{SiteURL: site}
	keep := func(it *Item, _ []byte) *Item { return it }
	if r.bodies != nil {
		keep = bodyKeeper(r.bodies, lazy)
	}
	// Entries a build wrote hold light items, which a Reloader cannot
	// serve: their records are parsed.
	old := make(map[string]*cachedRecord, len(cache.Records))
	for p, e := range cache.Records {
		if e.Whole || e.Item == nil {
			old[p] = e
		}
	}
	results, entries := parseCached(r.fsys, names, types, infos, cfg, opts, old, keep)
	for i := range results {
		if it := results[i].item; it != nil && it.form == formLight {
			results[i].item = r.whole(it, entries[i], cfg.MaxRecordBytes, opts)
		}
	}
	damaged(names, results, cache.heldRecord)
	recs := &Records{Files: len(names), records: recordPaths(names, results), memo: make(memo, len(names))}
	for i, e := range entries {
		if e == nil {
			continue // refused before it was read
		}
		res := results[i]
		if res.item != nil {
			c := *res.item // as parsed: loading changes the item it returns
			res.item = &c
		}
		recs.memo[names[i]] = memoEntry{sum: e.Sum, size: e.Size, mod: e.ModTime, res: res}
	}
	recs.collect(names, results, cfg)
	pack := openPack(cfg.CacheDir, cache)
	defer pack.close()
	keepDamaged(cache, pack, recs, names, entries, cfg, opts, keep)
	return recs, goneItems(cache, recs, cfg), nil
}

// whole returns the item of a whole cache entry (see cachedRecord.Whole)
// as its record parsed, with the community the record names, and its body
// to be read from the record when first rendered; it itself, light, is
// the entry's item as cachedRecord.parsed copies it.
func (r *Reloader) whole(it *Item, e *cachedRecord, maxBytes int64, opts parseOptions) *Item {
	it.form = formWhole
	it.Community = e.ParsedCommunity
	if e.Body {
		it.content = &lazyHTML{from: &bodySource{fsys: r.fsys, path: it.Path, sum: it.sum, maxBytes: maxBytes, opts: opts, spill: r.bodies}}
	}
	return it
}

// bodySource is where the body of a Reloader's item restored from the
// cache is: its record file, which the first render reads again, checked
// against the content hash the cache knew it by. The body then goes to
// spill as written, and is kept there sanitized once rendered, as the
// bodies the Reloader parses are (see lazyHTML.keepClean).
type bodySource struct {
	fsys     fs.FS
	path     string
	sum      uint64
	maxBytes int64
	opts     parseOptions
	spill    *spillFile // nil: the body stays in memory

	once sync.Once
	got  atomic.Pointer[lazyHTML]
	err  error
}

// body reads the body the first time it is called, and returns it.
func (s *bodySource) body() (*lazyHTML, error) {
	s.once.Do(func() {
		it, err := reread(s.fsys, &Item{Path: s.path, sum: s.sum}, s.maxBytes, s.opts, func(it *Item, _ []byte) *Item { return it })
		if err != nil {
			s.err = err
			return
		}
		l := it.content
		if l == nil { // the bytes the cache vouched for have a body
			s.err = fmt.Errorf("curafeed: %s: the record has no body, though the cache says it had", s.path)
			return
		}
		if s.spill != nil {
			if c, err := l.spillTo(s.spill, ""); err == nil {
				c.keepClean = true
				l = c
			}
		}
		s.got.Store(l)
	})
	return s.got.Load(), s.err
}

// in returns a source of the same body that keeps it in spill instead.
func (s *bodySource) in(spill *spillFile) *bodySource {
	return &bodySource{fsys: s.fsys, path: s.path, sum: s.sum, maxBytes: s.maxBytes, opts: s.opts, spill: spill}
}

// stored returns the body as it is kept: l itself, or for a body read from
// its record, what was read, nil while it is unread.
func (l *lazyHTML) stored() *lazyHTML {
	if l == nil || l.from == nil {
		return l
	}
	return l.from.got.Load()
}

// saveRecords writes the snapshot's records to the build cache in dir,
// whole (see cachedRecord.Whole), keeping what the cache holds of a
// build's outputs and record pack. cfg is normalized.
func saveRecords(dir string, cfg Config, s *snapshot) error {
	unlock, err := lockCache(dir, "")
	if err != nil {
		return err
	}
	defer unlock()
	prev := readCache(dir, cfg)
	next := &buildCache{
		Records: make(map[string]*cachedRecord, len(s.memo)), Gone: map[string]*Item{},
		Outputs: prev.Outputs, Pack: prev.Pack, PackSize: prev.PackSize, OutputsKey: configKey(cfg),
	}
	live := slices.Concat(s.items, s.retracted)
	joined := make(map[string]Community, len(live))
	for _, it := range live {
		joined[it.Path] = it.Community
		next.Live = append(next.Live, it.Path)
	}
	sort.Strings(next.Live)
	next.Live = slices.Compact(next.Live)
	for name, m := range s.memo {
		e := &cachedRecord{Size: m.size, ModTime: m.mod, Sum: m.sum}
		for _, w := range m.res.warnings {
			e.Warns = append(e.Warns, toCached(w))
		}
		if m.res.err != nil {
			var re *RecordError
			if !errors.As(m.res.err, &re) {
				re = &RecordError{Path: name, Err: m.res.err}
			}
			ce := toCached(re)
			e.Err = &ce
			if was := prev.Records[name]; was != nil && was.Sum == m.sum {
				e.Kept, e.KeptSum = was.Kept, was.KeptSum
			}
		} else if it := m.res.item; it != nil {
			e.Whole, e.Body, e.ParsedCommunity = true, it.content != nil, it.Community
			e.Item = it.cached(m.sum)
			if c, ok := joined[name]; ok {
				e.Item.Community = c // as the cache's light items have it
			}
		}
		if was := prev.Records[name]; sameEntry(was, e) {
			e = was // unchanged: not written again (see delta)
		}
		next.Records[name] = e
	}
	for _, it := range s.gone {
		next.Gone[it.ID] = it.light(it.sum)
	}
	if sameCache(prev, next) {
		return nil
	}
	return writeCache(dir, cfg, next, prev)
}

// sameEntry reports whether a Reloader's entry b says what a holds: the
// same file, parsed to the same whole item (compared by what a restart
// takes of it: the file's content hash stands for the rest), warnings and
// error.
func sameEntry(a, b *cachedRecord) bool {
	if a == nil || a.Whole != b.Whole || a.Size != b.Size || a.ModTime != b.ModTime || a.Sum != b.Sum ||
		a.Body != b.Body || a.ParsedCommunity != b.ParsedCommunity ||
		(a.Item == nil) != (b.Item == nil) || (a.Err == nil) != (b.Err == nil) ||
		!slices.Equal(a.Warns, b.Warns) || a.Kept != b.Kept || a.KeptSum != b.KeptSum {
		return false
	}
	if a.Item != nil && (a.Item.Community != b.Item.Community || a.Item.ID != b.Item.ID) {
		return false
	}
	return a.Err == nil || *a.Err == *b.Err
}

// cached returns the item as a Reloader's save keeps it in the build cache:
// its light part (see light) and every field feeds show, but its body.
func (it *Item) cached(sum uint64) *Item {
	l := it.light(sum)
	l.Title, l.Summary, l.URL, l.ExternalURL, l.Brand = it.Title, it.Summary, it.URL, it.ExternalURL, it.Brand
	l.Tags, l.Authors = it.Tags, it.Authors
	if it.Image != nil {
		img := *it.Image
		l.Image = &img
	}
	return l
}
