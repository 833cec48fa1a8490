package curafeed

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// BuildDir reads every record of fsys and writes the catalog's static tree
// into dir, as Load, Build and Catalog.WriteDir do together, with the same
// bytes, but in memory bounded by the feeds rather than by the bodies of the
// records: each record is read and parsed once, and its body and the
// fields only feeds show set aside in a temporary file (in Config.CacheDir,
// or the system's temporary folder) until a feed needs them; each item that reaches a feed is then rendered
// once and encoded once per format, and its encodings are set aside in the
// same file for the other documents that hold it. Feeds are written one
// community at a time (then the site-wide and topic feeds).
//
// The returned Records hold the counts, skips, errors and warnings of Load,
// but no Items. The error is non-nil when fsys cannot be walked, cfg is
// unusable, an output or temporary file cannot be written, or, with a
// cache, a record the cache vouched for changed on disk while the build ran.
//
// BuildDir holds a lock on dir (and on Config.CacheDir) while it runs,
// where the system has one (flock): a second build into the same folder
// waits for the first to end, up to 10 minutes, then fails. Like WriteDir,
// it overwrites and removes only the files its manifest (ManifestName)
// lists as written by curafeed and unchanged since, leaves every other file
// alone, and lists those in its way in WriteStats.Foreign and Blocked. A
// file a cached build keeps without rendering it must be listed there, and
// of the size listed (an edit that keeps the size is found when the feed
// next changes). With a cache, a
// record file that held a record at the last build and no longer reads as
// one (emptied, garbage, front matter cut short) is a rejected record, not a
// withdrawal: it gets no tombstone, and a withdrawn one keeps its own. A
// published record that is rejected (damaged, or its front matter no longer
// parses) stays published in its last good version, parsed from the bytes
// the cache's record pack keeps, and Records.Kept lists it.
func BuildDir(fsys fs.FS, cfg Config, dir string) (*Records, WriteStats, error) {
	if fsys == nil {
		return nil, WriteStats{}, errNoFS
	}
	ncfg, site, err := cfg.normalize()
	if err != nil {
		return nil, WriteStats{}, err
	}
	unlock, err := lockOutput(dir)
	if err != nil {
		return nil, WriteStats{}, err
	}
	defer unlock()
	var prev chan *buildCache
	if ncfg.CacheDir != "" {
		// Builds into other folders may share the cache: it is locked too.
		unlockCache, err := lockCache(ncfg.CacheDir, dir)
		if err != nil {
			return nil, WriteStats{}, err
		}
		defer unlockCache()
		// The cache is read while the records' folders are walked.
		prev = make(chan *buildCache, 1)
		go func() { prev <- readCache(ncfg.CacheDir, ncfg) }()
		defer func() {
			if prev != nil {
				<-prev // not taken: a walk failed
			}
		}()
	}
	names, types, infos, err := recordNames(fsys, ncfg.CacheDir != "")
	if err != nil {
		return nil, WriteStats{}, err
	}
	sp, err := newBufferedSpill(ncfg.CacheDir)
	if err != nil {
		return nil, WriteStats{}, err
	}
	defer sp.close()
	b := &dirBuild{fsys: fsys, cfg: ncfg, opts: parseOptions{SiteURL: site}, names: names, types: types, infos: infos, spill: sp}
	if prev != nil {
		b.prev = <-prev
		prev = nil
	}
	b.keep = func(it *Item, _ []byte) *Item { return holdItem(it, sp, &b.in) }
	defer func() { b.pack.close() }() // opened by read, with a cache
	if err := b.read(); err != nil {
		return nil, WriteStats{}, err
	}
	cat, err := build(b.recs.All(), b.gone, cfg)
	if err != nil {
		return nil, WriteStats{}, err
	}
	tw, err := openTree(cat, dir)
	if err != nil {
		return nil, WriteStats{}, err
	}
	defer tw.closeJournal(false)
	b.cat, b.tw = cat, tw
	defer b.indexWritten() // before the journal is closed, on every return
	for _, stage := range []func() error{b.plan, b.render, b.commit} {
		if err := stage(); err != nil {
			return nil, tw.stats(), err
		}
	}
	b.recs.Items, b.recs.Retracted = nil, nil
	return b.recs, tw.stats(), nil
}

// dirBuild is one run of BuildDir, in its stages: read (every record,
// once), then, with the catalog built and the output tree open, plan
// (which files to render, and the index files), render, and commit (the
// tree's manifest and removals, and the cache).
type dirBuild struct {
	fsys  fs.FS
	cfg   Config // normalized
	opts  parseOptions
	spill *spillFile // the records' bodies and the items' encodings
	in    interner
	keep  func(*Item, []byte) *Item // holds a parsed item (see holdItem)

	names   []string
	types   []fs.FileMode
	infos   []fs.FileInfo   // with Config.CacheDir: what the walk saw of each regular file
	prev    *buildCache     // with Config.CacheDir: what the last build knew (never nil then)
	entries []*cachedRecord // with Config.CacheDir: the next cache's entry of each name
	pack    *recordPack
	recs    *Records
	gone    []*Item // what the last build knew that the records no longer hold

	cat     *Catalog
	tw      *treeWriter
	tasks   []renderTask
	outputs map[string]cachedOutput // with Config.CacheDir: the next cache's outputs of feed files
	// indexOutputs are the next cache's outputs of the index files.
	indexOutputs map[string]cachedOutput
	index        chan error // writeIndex's result, while it runs (see plan)
}

// read parses every record once (with a cache, only those whose file
// changed), holding each item (see holdItem), and collects them.
func (b *dirBuild) read() error {
	cfg := b.cfg
	var results []parsed
	if b.prev != nil {
		results, b.entries = parseCached(b.fsys, b.names, b.types, b.infos, cfg, b.opts, b.prev.Records, b.keep)
		for _, i := range damaged(b.names, results, b.prev.heldRecord) {
			var re *RecordError
			if b.entries[i] == nil || !errors.As(results[i].err, &re) {
				continue
			}
			e := *b.entries[i] // a copy: the entry may be shared with prev
			ce := toCached(re)
			e.Err = &ce
			b.entries[i] = &e
		}
	} else {
		results, _ = parseAll(b.fsys, b.names, b.types, nil, cfg, b.opts, b.keep, nil)
	}
	if err := b.spill.failed(); err != nil {
		return err
	}
	b.recs = &Records{Files: len(b.names)}
	b.recs.collect(b.names, results, cfg)
	if b.prev == nil {
		return nil
	}
	joinedCommunities(results, b.entries)
	b.pack = openPack(cfg.CacheDir, b.prev)
	keepDamaged(b.prev, b.pack, b.recs, b.names, b.entries, cfg, b.opts, b.keep)
	if err := b.spill.failed(); err != nil {
		return err
	}
	b.gone = goneItems(b.prev, b.recs, cfg)
	return nil
}

// plan starts writing index.opml, index.html and feed.xsl (commit waits
// for them), and lists the feed files to render: all of them, or with a
// cache those whose fingerprint changed or whose file is not as the last
// build left it; the others are kept as they are.
func (b *dirBuild) plan() error {
	if b.prev != nil {
		if err := markDirty(b.cfg.CacheDir); err != nil {
			return err
		}
	}
	// The index files are written while the feed files are planned and
	// rendered: alone, they would keep one core busy and the other idle.
	index := make(chan error, 1)
	b.index = index
	go func() { index <- b.writeIndex() }()
	b.planFeeds()
	return nil
}

// indexWritten waits for the index files plan started writing, and returns
// writeIndex's error; nil when they were not started or were waited for.
func (b *dirBuild) indexWritten() error {
	if b.index == nil {
		return nil
	}
	err := <-b.index
	b.index = nil
	return err
}

// writeIndex writes index.opml, index.html and feed.xsl; with a cache, a
// file whose model has the fingerprint the last build wrote it with, and
// whose bytes are those the manifest lists, is kept without being made (a
// file edited by hand is found, as in a build that makes it).
func (b *dirBuild) writeIndex() error {
	cat, tw, prev := b.cat, b.tw, b.prev
	b.indexOutputs = map[string]cachedOutput{}
	for _, f := range cat.indexModels() {
		if prev != nil {
			key := f.model.key()
			b.indexOutputs[f.path] = cachedOutput{Key: key}
			if old, ok := prev.Outputs[f.path]; ok && old.Key == key {
				if e, ok := tw.intact(f.path); ok {
					tw.keep(f.path, e)
					continue
				}
			}
		}
		var buf bytes.Buffer
		if err := f.model.write(&buf); err != nil {
			return err
		}
		if err := tw.put(f.path, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// planFeeds lists the feed files to render (see plan).
func (b *dirBuild) planFeeds() {
	cat, tw, prev := b.cat, b.tw, b.prev
	docs := cat.documents()
	if prev == nil {
		b.tasks = renderPlan(docs, nil)
		return
	}
	// Fingerprints and file checks run on all workers: at 100,000 records
	// there are tens of thousands of feed files.
	type docPlan struct {
		keys [3]uint64        // by format
		keep [3]bool          // the file is curafeed's, there, and its fingerprint is unchanged
		own  [3]manifestEntry // the manifest's entry of a file kept
	}
	plans := make([]docPlan, len(docs))
	keys := cat.docKeys(docs)
	parallel(len(docs), b.cfg.Workers, func(i int) {
		f, p := docs[i], &plans[i]
		base, ok := keys[f]
		if !ok {
			base = f.contentKey()
		}
		for j, format := range Formats() {
			rel := f.Path + "/" + format.fileName()
			p.keys[j] = formatKey(base, format)
			if old, ok := prev.Outputs[rel]; ok && old.Key == p.keys[j] {
				p.own[j], p.keep[j] = tw.owned(rel)
			}
		}
	})
	b.outputs = make(map[string]cachedOutput, 3*len(docs))
	todo := map[*Feed][]Format{}
	for i, f := range docs {
		for j, format := range Formats() {
			rel := f.Path + "/" + format.fileName()
			b.outputs[rel] = cachedOutput{Key: plans[i].keys[j]}
			if plans[i].keep[j] {
				old := prev.Outputs[rel]
				b.outputs[rel] = old
				tw.keepFeed(rel, plans[i].own[j], docStats{old.Truncated, old.Over})
				continue
			}
			todo[f] = append(todo[f], format)
		}
	}
	b.tasks = renderPlan(docs, todo)
}

// render renders the planned files (see Catalog.render) and writes them.
// The items a cached build took from the cache are read again from their
// records when a window first needs them.
func (b *dirBuild) render() error {
	store := newFragmentStore(b.spill, b.tasks)
	store.resolve = func(lt *Item) (*Item, error) { return reread(b.fsys, lt, b.cfg.MaxRecordBytes, b.opts, b.keep) }
	return b.cat.render(b.tasks, store, false, func(f File) error {
		return b.tw.putFeed(f.Feed, f.Format, f.Body, docStats{f.Truncated, f.OverBudget})
	})
}

// commit ends the tree (the files it no longer has removed, its manifest
// written) and, with a cache, writes what the next build needs.
func (b *dirBuild) commit() error {
	tw, prev := b.tw, b.prev
	if err := b.indexWritten(); err != nil {
		return err
	}
	if prev == nil {
		return tw.finish()
	}
	// The tree is finished while the cache is written; the cache is marked
	// clean only once both are done.
	finished := make(chan error, 1)
	go func() { finished <- tw.finish() }()
	err := b.writeCache()
	if ferr := <-finished; ferr != nil {
		return ferr
	}
	if err != nil {
		return err
	}
	return markClean(b.cfg.CacheDir)
}

// writeCache writes what the next build needs to the cache, when it
// changed.
func (b *dirBuild) writeCache() error {
	tw, prev := b.tw, b.prev
	for rel, ds := range tw.rendered() {
		o := b.outputs[rel]
		o.Truncated, o.Over = ds.short, ds.over
		b.outputs[rel] = o
	}
	maps.Copy(b.outputs, b.indexOutputs)
	next := &buildCache{Records: make(map[string]*cachedRecord, len(b.names)), Outputs: b.outputs, Gone: map[string]*Item{}}
	for i, e := range b.entries {
		if e != nil {
			next.Records[b.names[i]] = e
		}
	}
	tombstoned := b.cat.tombstoned()
	for _, it := range b.gone {
		if tombstoned[it.ID] {
			next.Gone[it.ID] = it
		}
	}
	for _, list := range [][]*Item{b.recs.Items, b.recs.Retracted} {
		for _, it := range list {
			next.Live = append(next.Live, it.Path)
		}
	}
	sort.Strings(next.Live)
	next.Pack, next.PackSize = b.pack.update(b.fsys, slices.Concat(b.recs.Items, b.recs.Retracted), b.cfg.Workers, b.cfg.MaxRecordBytes)
	next.OutputsKey = configKey(b.cfg)
	if sameCache(prev, next) {
		return nil
	}
	return writeCache(b.cfg.CacheDir, b.cfg, next, prev)
}

// goneItems returns what the previous build knew that the records no
// longer hold (see withdrawnSince). A record that is still there but now
// rejected is not gone: a clean build would not publish it either, and it
// comes back once mended. A withdrawn one keeps its tombstone meanwhile.
func goneItems(prev *buildCache, recs *Records, cfg Config) []*Item {
	rejected := make(map[string]bool, len(recs.Errors))
	for _, e := range recs.Errors {
		rejected[e.Path] = true
	}
	var live []*Item
	for _, p := range prev.Live {
		if it, _ := prev.Records[p].good(); it != nil && (!rejected[p] || cfg.retracted(it)) {
			live = append(live, it) // its Path is p: entries are kept by path
		}
	}
	return withdrawnSince(slices.Collect(maps.Values(prev.Gone)), live, recs.Items, recs.Retracted, cfg)
}

// keepDamaged keeps published, in its last good version, each rejected
// record that was published at the last build, as the Reloader does (see
// keepLastGood): its item, parsed from the bytes the pack holds (checked)
// and passed to keep, joins recs.Items, its path recs.Kept, and its entry
// in entries carries the cache's item to the next build. A record is kept
// only when the pack holds its last good bytes and they still parse.
func keepDamaged(prev *buildCache, pack *recordPack, recs *Records, names []string, entries []*cachedRecord, cfg Config, opts parseOptions, keep func(*Item, []byte) *Item) {
	if len(recs.Errors) == 0 {
		return
	}
	lasts := map[string]*Item{} // by path: the light item as the cache holds it
	var candidates []*Item
	for _, e := range recs.Errors {
		if _, ok := lasts[e.Path]; ok {
			continue
		}
		it, sum := prev.Records[e.Path].good()
		if it == nil || cfg.retracted(it) {
			continue
		}
		if _, live := slices.BinarySearch(prev.Live, e.Path); !live {
			continue
		}
		data, ok := pack.read(sum)
		if !ok {
			continue
		}
		full, _, err := parseRecord(e.Path, data, opts)
		if err != nil || full.ID != it.ID {
			continue
		}
		full.Community = it.Community // as joined across records when it was good
		full.sum = sum
		lasts[e.Path] = it
		candidates = append(candidates, keep(full, data))
	}
	if len(candidates) == 0 {
		return
	}
	items, kept := keepLastGood(recs.Items, recs.Errors, candidates)
	if len(kept) == 0 {
		return
	}
	sortItems(items)
	recs.Items, recs.Published, recs.Kept = items, len(items), kept
	byPath := map[string]*Item{}
	for _, it := range candidates {
		byPath[it.Path] = it
	}
	for i, name := range names {
		l, ok := lasts[name]
		if !ok || !slices.Contains(kept, name) {
			continue
		}
		sum := byPath[name].sum
		e := entries[i]
		if e != nil && e.Kept == l && e.KeptSum == sum {
			continue
		}
		var ne cachedRecord
		if e != nil {
			ne = *e // a copy: the entry may be shared with prev
		} else {
			// A file refused before it was read (not regular, too big):
			// an entry that never matches a file, to carry the item.
			ne.Size = -1
			for _, re := range recs.Errors {
				if re.Path == name {
					ce := toCached(re)
					ne.Err = &ce
					break
				}
			}
		}
		ne.Kept, ne.KeptSum = l, sum
		entries[i] = &ne
	}
}

// joinedCommunities gives the cache entry of each record parsed by this
// build the community that collecting the records joined its item to, as
// the next build, which does not parse it again, must see it.
func joinedCommunities(results []parsed, entries []*cachedRecord) {
	for i, res := range results {
		if it, e := res.item, entries[i]; it != nil && it.form != formLight && e != nil && e.Item != nil {
			e.Item.Community = it.Community
		}
	}
}

// holdItem keeps in memory only what BuildDir needs of an item before it
// renders it: its body and the fields that only feeds show go to s (see
// Item.held), the strings that many records share (communities, topics,
// statuses) are kept once, by in, and of its site fields those that joining
// communities reads. A write error is kept by s (see failed).
func holdItem(it *Item, s *spillFile, in *interner) *Item {
	// The body and the held fields go side by side, for the render to
	// read at once (see fragmentStore.full).
	var body []byte
	if it.content != nil {
		it.content, body = it.content.toSpill(s, it.URL)
	}
	span, held, _ := s.addPair(body, appendHeld(nil, it))
	if body != nil {
		it.content.span = span
	}
	it.held, it.form = held, formHeld
	it.Title, it.Summary, it.URL, it.ExternalURL, it.Brand = "", "", "", "", ""
	it.Tags, it.Authors, it.Image = nil, nil, nil
	it.Community = Community{Slug: in.str(it.Community.Slug), Name: in.str(it.Community.Name)}
	for i, t := range it.Topics {
		it.Topics[i] = Topic{Key: in.str(t.Key), Vocabulary: in.str(t.Vocabulary), Term: in.str(t.Term)}
	}
	it.Status, it.Archetype = in.str(it.Status), in.str(it.Archetype)
	it.extra = siteFields{BasePath: in.str(it.extra.BasePath), OGURL: it.extra.OGURL}
	packStrings(&it.ID, &it.RecordID, &it.Path, &it.extra.OGURL) // free of the record's buffer (see detach)
	return it
}

// interner keeps one copy of each string given to it. It is safe for
// concurrent use.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if in.m == nil {
		in.m = map[string]string{}
	}
	v := strings.Clone(s)
	in.m[v] = v
	return v
}

// errRecordChanged is the error of a record whose bytes are no longer those
// the cache vouched for when it is read again: it changed while the build
// or load ran.
var errRecordChanged = errors.New("changed since this run first read it; run again")

// reread reads and parses again the record of a light item (see
// formLight), checked against the content hash the cache knew it by,
// and passes it to keep, with the community the first pass gave it.
func reread(fsys fs.FS, lt *Item, maxBytes int64, opts parseOptions, keep func(*Item, []byte) *Item) (*Item, error) {
	data, err := readRecord(fsys, lt.Path, 0, maxBytes) // regular at the first pass; checked again once open
	if err != nil {
		return nil, &RecordError{Path: lt.Path, Err: err}
	}
	if fileSum(data) != lt.sum {
		return nil, fmt.Errorf("curafeed: %s %w", lt.Path, errRecordChanged)
	}
	it, _, err := parseRecord(lt.Path, data, opts)
	if err != nil {
		return nil, err
	}
	it.Community = lt.Community // as joined across records by the first pass
	it.sum = lt.sum
	return keep(it, data), nil
}

// light returns the part of it that the build cache keeps: what grouping
// and ordering need, with the hash of its file, so that the record can be
// read again and checked. It is the cache's copy: the item a build takes
// from it is marked formLight (see cachedRecord.parsed); the items of
// records gone are only ever tombstones.
func (it *Item) light(sum uint64) *Item {
	l := &Item{
		ID: it.ID, RecordID: it.RecordID, Path: it.Path,
		Published: it.Published, Updated: it.Updated,
		Community: it.Community, Topics: slices.Clone(it.Topics),
		Status: it.Status, Archetype: it.Archetype, checked: true,
		extra: siteFields{BasePath: it.extra.BasePath, OGURL: it.extra.OGURL},
		sum:   sum,
	}
	// Its strings get a buffer of their own, free of the record's (see detach).
	ptrs := []*string{&l.ID, &l.RecordID, &l.Path, &l.Community.Slug, &l.Community.Name,
		&l.Status, &l.Archetype, &l.extra.BasePath, &l.extra.OGURL}
	for i := range l.Topics {
		t := &l.Topics[i]
		ptrs = append(ptrs, &t.Key, &t.Vocabulary, &t.Term)
	}
	packStrings(ptrs...)
	return l
}

// treeWriter writes files of a tree, leaving alone those whose bytes are
// already right and those curafeed did not write (see openTree), and can
// then remove the files of an earlier build that the tree no longer has. It
// is safe for concurrent use.
type treeWriter struct {
	dir   string
	dirs  sync.Map // directories known to exist
	fresh bool     // dir was empty when the build began: every file is free to write

	// prev and pending are what the manifest and the journal say curafeed
	// wrote, read-only once the writer is open; prevRaw is the manifest's
	// bytes, nil when there was none.
	prev    map[string]manifestEntry
	pending map[string][]manifestEntry
	prevRaw []byte

	mu   sync.Mutex
	want map[string]bool
	next map[string]manifestEntry // the manifest to write: files written or found right
	docs map[string]docStats      // feed files rendered by putFeed, by path
	st   WriteStats
	prog *progress // counts the feed files written or kept

	jmu       sync.Mutex
	journal   *os.File // open once a file was written; guarded by jmu
	journaled bool     // a journal is on disk; guarded by jmu once open
	// legacyJournal: the journal on disk is of the first version (see
	// manifestHeader1).
	legacyJournal bool
}

// newTreeWriter returns a writer of c's tree into dir that takes every file
// there for one curafeed did not write; openTree reads what it did.
func newTreeWriter(c *Catalog, dir string) *treeWriter {
	st := WriteStats{Feeds: len(c.Feeds)}
	for _, f := range c.Feeds {
		st.Archives += len(f.Archives)
	}
	prog := newProgress(c.cfg.Progress, "feeds", len(c.documents())*len(Formats()))
	return &treeWriter{
		dir: dir, prev: map[string]manifestEntry{}, pending: map[string][]manifestEntry{},
		want: map[string]bool{}, next: map[string]manifestEntry{}, docs: map[string]docStats{}, st: st,
		prog: prog,
	}
}

// stats returns what the writer did, its lists sorted.
func (tw *treeWriter) stats() WriteStats {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	st := tw.st
	for _, list := range []*[]string{&st.OverBudget, &st.Changed, &st.Foreign, &st.Blocked} {
		*list = slices.Clone(*list)
		sort.Strings(*list)
	}
	return st
}

// putFeed writes a document of feed f in format, and counts what meeting the
// size budget took and whether a current feed changed.
func (tw *treeWriter) putFeed(f *Feed, format Format, data []byte, ds docStats) error {
	rel := f.Path + "/" + format.fileName()
	written, err := tw.write1(rel, data, true)
	if err != nil {
		return err
	}
	tw.prog.add()
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.docs[rel] = ds
	tw.countBudget(rel, ds)
	if written && f.Current == nil {
		tw.st.Changed = append(tw.st.Changed, f.URL(format))
	}
	return nil
}

// keepFeed counts a feed file left as it is, whose manifest entry is e,
// with what meeting the size budget took when it was made.
func (tw *treeWriter) keepFeed(rel string, e manifestEntry, ds docStats) {
	tw.keep(rel, e)
	tw.prog.add()
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.countBudget(rel, ds)
}

// countBudget adds a feed file's budget figures to the stats; tw.mu is held.
func (tw *treeWriter) countBudget(rel string, ds docStats) {
	if ds.short > 0 {
		tw.st.Truncated += ds.short
		tw.st.TruncatedFiles++
	}
	if ds.over {
		tw.st.OverBudget = append(tw.st.OverBudget, rel)
	}
}

// rendered returns what meeting the size budget took for each feed file
// written by putFeed.
func (tw *treeWriter) rendered() map[string]docStats {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return maps.Clone(tw.docs)
}

func (tw *treeWriter) put(rel string, data []byte) error {
	_, err := tw.write1(rel, data, false)
	return err
}

// write1 writes one file of the tree unless its bytes are already right or
// a file curafeed did not write is in its place (then left alone, and
// reported; feed tells a feed document), and reports whether it wrote it.
// The file is named in the journal before it is written. A path that would
// leave the tree is an error, and nothing is written.
func (tw *treeWriter) write1(rel string, data []byte, feed bool) (bool, error) {
	p, err := outputPath(tw.dir, rel)
	if err != nil {
		return false, err
	}
	if rel == ManifestName || rel == journalName {
		return false, fmt.Errorf("curafeed: refusing %q: the name of curafeed's list of the files it wrote", rel)
	}
	e := entryOf(data)
	state := tw.place(rel, p, data)
	if state == placeFree {
		if err := tw.log(rel, e, data); err != nil {
			return false, err
		}
		if err := tw.write(p, data); err != nil {
			return false, fmt.Errorf("curafeed: writing %s: %w", p, err)
		}
	}
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.want[rel] = true
	tw.st.Files++
	switch state {
	case placeFree:
		tw.next[rel] = e
		tw.st.Written++
	case placeSame:
		tw.next[rel] = e
		tw.st.Unchanged++
	default:
		tw.st.Foreign = append(tw.st.Foreign, rel)
		if feed {
			tw.st.Blocked = append(tw.st.Blocked, rel)
		}
	}
	return state == placeFree, nil
}

// tempPrefix begins the names of the temporary files a build writes beside
// the files it replaces.
const tempPrefix = ".curafeed-"

// tempSeq numbers the temporary files of this process, and tempPid names
// the process in them.
var (
	tempSeq atomic.Uint64
	tempPid = strconv.Itoa(os.Getpid())
)

// write replaces p with data atomically: it writes a temporary file of a
// name no other writer uses beside it and renames it over p. Directories are
// made once per build.
func (tw *treeWriter) write(p string, data []byte) error {
	d := filepath.Dir(p)
	if _, ok := tw.dirs.Load(d); !ok {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		tw.dirs.Store(d, true)
	}
	for {
		tmp := filepath.Join(d, tempPrefix+filepath.Base(p)+"."+tempPid+"-"+strconv.FormatUint(tempSeq.Add(1), 10))
		err := createFile(tmp, data)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := renameFile(tmp, p); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
}

// keep counts rel as part of the tree, unchanged, without looking at it; e
// is its manifest entry.
func (tw *treeWriter) keep(rel string, e manifestEntry) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.want[rel] = true
	tw.next[rel] = e
	tw.st.Files++
	tw.st.Unchanged++
}
