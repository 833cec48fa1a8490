package curafeed

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curafeed/curafeed/sanitize"
)

// Skip is a file that was read but not published, and why.
type Skip struct {
	Path   string
	Reason string
}

// Records is the result of Load: every published record, and an account of
// every file that was not published.
type Records struct {
	// Items are the published records, newest first, ties by ID.
	Items []*Item
	// Retracted are the withdrawn records (Config.RetractedStatuses),
	// newest first. Pass them to Build with Items, so that the feeds they
	// belonged to carry their tombstones: Build(recs.All(), cfg).
	Retracted []*Item
	// Files is the number of record files (*.md) read, or of records
	// LoadRecords was given.
	Files int
	// Published is the number of published records: len(Items) after
	// Load; BuildDir, which keeps no items, sets only this.
	Published int
	// Skipped lists files that are not records, records filtered out by
	// status or kind, and duplicates that lost to a newer copy.
	Skipped []Skip
	// Errors lists the rejected records, sorted by path and line.
	Errors ErrorList
	// Kept lists the paths of rejected records whose last good version is
	// still published, sorted: BuildDir with Config.CacheDir keeps a record
	// that was published at the last build and no longer parses, as the
	// Reloader does (ReloadReport.Kept). They count in Published.
	Kept []string
	// Warnings lists problems that cost a field but not the record.
	Warnings ErrorList
	// NextScheduled is the earliest date of the records kept back because
	// they are dated after Config.Now (listed in Skipped as scheduled);
	// zero when there are none. A build at or after it publishes more.
	NextScheduled time.Time

	// records holds the paths of the files that read as records (published
	// or not, rejected or not), when load was given what an earlier load
	// knew.
	records map[string]bool
	memo    memo // what each file parsed to, for the next load of a Reloader
}

type parsed struct {
	item     *Item
	warnings ErrorList
	err      error
}

// memo is what each record file parsed to, by path, with the hash of its
// bytes: a load given the memo of the one before parses only the files
// whose bytes changed. A memo is never changed once made.
type memo map[string]memoEntry

type memoEntry struct {
	sum       uint64
	size, mod int64  // the file's size and fileStamp (0 when unknown)
	res       parsed // its item as parsed, before loading joined communities
}

// recall returns the result the memo has for the file name of bytes sum,
// with a copy of its item, which loading may change.
func (m memo) recall(name string, sum uint64) (parsed, bool) {
	e, ok := m[name]
	if !ok || e.sum != sum {
		return parsed{}, false
	}
	return e.result(), true
}

// unchanged returns the memo's entry for name when the file still has the
// size and modification time it had when its bytes were read: like the
// build cache, a load then trusts it without reading the file. fi is what
// the walk saw of the file, or nil to stat it.
func (m memo) unchanged(fsys fs.FS, name string, fi fs.FileInfo) (memoEntry, bool) {
	e, ok := m[name]
	if !ok || e.mod == 0 {
		return memoEntry{}, false
	}
	var err error
	if fi == nil {
		fi, err = fs.Stat(fsys, name)
	}
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.size || fileStamp(fi) != e.mod {
		return memoEntry{}, false
	}
	return e, true
}

// result is the entry's parse result, with a copy of its item.
func (e memoEntry) result() parsed {
	res := e.res
	if res.item != nil {
		c := *res.item
		res.item = &c
	}
	return res
}

// Load reads every record file (*.md) of fsys, walked in lexical order and
// parsed in parallel. Bad records are reported in Records.Errors and every
// other record is still returned; so are paths that are not regular files
// (a named pipe, a link to a device) and files over Config.MaxRecordBytes,
// which are never read whole. For a folder on disk, pass DirFS(dir) rather
// than os.DirFS(dir): it also refuses links out of the folder. The error is non-nil only when fsys itself
// cannot be walked or cfg is unusable.
func Load(fsys fs.FS, cfg Config) (*Records, error) {
	recs, err := load(fsys, cfg, nil, nil, nil, false, nil)
	if recs != nil {
		recs.memo = nil
	}
	return recs, err
}

// errNoFS is the error of every entry point given no records file system.
var errNoFS = errors.New("curafeed: no records: the fs.FS is nil")

// load is Load with what an earlier load knew: was, when not nil, reports
// the paths that held a record then (see damaged), and the result's
// records then lists the paths that hold one now. With bodies, each body
// parsed is sanitized at once and kept there, out of memory; when lazy, it
// is kept as written and sanitized the first time it is rendered (see
// lazyHTML.keepClean).
func load(fsys fs.FS, cfg Config, was func(path string) bool, prev memo, bodies *spillFile, lazy bool, list *recordList) (*Records, error) {
	if fsys == nil {
		return nil, errNoFS
	}
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if list == nil {
		if list, err = walkRecords(fsys, ".", nil, false); err != nil {
			return nil, err
		}
	}
	names, types := list.names, list.types
	var keep func(*Item, []byte) *Item
	if bodies != nil {
		keep = bodyKeeper(bodies, lazy)
	}
	results, next := parseAll(fsys, names, types, list.infos, cfg, parseOptions{SiteURL: site}, keep, prev)
	damaged(names, results, was)
	recs := &Records{Files: len(names)}
	if was != nil {
		recs.records = recordPaths(names, results)
	}
	recs.memo = next
	recs.collect(names, results, cfg)
	return recs, nil
}

// bodyKeeper returns the keep function of a Reloader's loads: each body
// parsed goes to bodies, sanitized at once, or when lazy as written, to be
// sanitized the first time it is rendered (see lazyHTML.keepClean).
func bodyKeeper(bodies *spillFile, lazy bool) func(*Item, []byte) *Item {
	return func(it *Item, _ []byte) *Item {
		if it.content != nil {
			if !lazy {
				it.content.get()
			}
			if c, err := it.content.spillTo(bodies, ""); err == nil {
				c.keepClean = lazy
				it.content = c
			}
		}
		return it
	}
}

// recordPaths returns the set of names whose files read as records, good
// or rejected.
func recordPaths(names []string, results []parsed) map[string]bool {
	out := make(map[string]bool, len(names))
	for i, res := range results {
		if res.err == nil || !IsNotRecord(res.err) {
			out[names[i]] = true
		}
	}
	return out
}

// damaged turns the results of files that do not read as records (empty,
// garbage, front matter cut short) but held a record at an earlier load or
// build (was reports those) into rejected records: a file damaged in place
// is an error to mend, never a withdrawal. Only deleting the file, or a
// withdrawn status, withdraws a record. It returns the indexes it changed.
func damaged(names []string, results []parsed, was func(path string) bool) []int {
	if was == nil {
		return nil
	}
	var out []int
	for i := range results {
		if err := results[i].err; err != nil && IsNotRecord(err) && was(names[i]) {
			results[i].err = &RecordError{Path: names[i], Err: fmt.Errorf(
				"damaged record: %v, but the file held a record before; mend it, or delete the file to withdraw the record",
				unwrapRecord(err))}
			out = append(out, i)
		}
	}
	return out
}

// walkFailed is the type the walk gives a path it could not read.
const walkFailed = fs.ModeIrregular | fs.ModeDir

// recordList is what one walk of the records' folders found: the record
// files (*.md) in lexical order, with the type of each as the walk saw it
// (not following links), so that files that are not regular are refused
// before they are opened. A path the walk could not read has the type
// walkFailed, and its error in errs. With infos, it also holds what the
// walk's entry says of each regular file (its size and times, nil for the
// others), which costs a stat of each but spares the path lookups of
// fs.Stat.
type recordList struct {
	names []string
	types []fs.FileMode
	infos []fs.FileInfo // with infos, one per name
	errs  map[string]error
}

// recordNames lists the record files of fsys (see recordList).
func recordNames(fsys fs.FS, infos bool) ([]string, []fs.FileMode, []fs.FileInfo, error) {
	l, err := walkRecords(fsys, ".", nil, infos)
	if err != nil {
		return nil, nil, nil, err
	}
	return l.names, l.types, l.infos, nil
}

// walkRecords walks the folder root of fsys, the one record walker of
// builds, loads and Reloader.Watch. The folders at the top of root are
// walked on every core, and their lists joined in the order of the top
// folder: the order of one walk. visit, when not nil, is called with each
// folder before it is read, one call at a time; an error it returns ends
// the walk, and walkRecords returns the first such error. The error is
// also non-nil when root cannot be read.
func walkRecords(fsys fs.FS, root string, visit func(dir string) error, infos bool) (*recordList, error) {
	var visitMu sync.Mutex
	visitDir := func(p string) error {
		if visit == nil {
			return nil
		}
		visitMu.Lock()
		defer visitMu.Unlock()
		return visit(p)
	}
	if err := visitDir(root); err != nil {
		return nil, err
	}
	// Like fs.WalkDir, the walk begins with a stat of root: a DirFS opens
	// its folder again then when its path names another one.
	if _, err := fs.Stat(fsys, root); err != nil {
		return nil, fmt.Errorf("curafeed: reading records: %w", err)
	}
	top, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("curafeed: reading records: %w", err)
	}
	join := func(name string) string {
		if root == "." {
			return name
		}
		return path.Join(root, name)
	}
	lists := make([]recordList, len(top))
	stops := make([]error, len(top))
	parallel(len(top), runtime.GOMAXPROCS(0), func(i int) {
		l := &lists[i]
		add := func(p string, d fs.DirEntry, typ fs.FileMode, err error) {
			l.names = append(l.names, p)
			l.types = append(l.types, typ)
			var fi fs.FileInfo
			if infos && d != nil && typ.IsRegular() {
				fi, _ = d.Info()
			}
			l.infos = append(l.infos, fi)
			if err != nil {
				if l.errs == nil {
					l.errs = map[string]error{}
				}
				l.errs[p] = err
			}
		}
		d := top[i]
		if !d.IsDir() {
			if strings.HasSuffix(strings.ToLower(d.Name()), ".md") {
				add(join(d.Name()), d, d.Type(), nil)
			}
			return
		}
		stops[i] = fs.WalkDir(fsys, join(d.Name()), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				add(p, nil, walkFailed, err) // reported again when it is read
			case d.IsDir():
				return visitDir(p)
			case strings.HasSuffix(strings.ToLower(p), ".md"):
				add(p, d, d.Type(), nil)
			}
			return nil
		})
	})
	for _, err := range stops {
		if err != nil {
			return nil, err
		}
	}
	out := &recordList{}
	for _, l := range lists {
		out.names = append(out.names, l.names...)
		out.types = append(out.types, l.types...)
		if infos {
			out.infos = append(out.infos, l.infos...)
		}
		for p, err := range l.errs {
			if out.errs == nil {
				out.errs = map[string]error{}
			}
			out.errs[p] = err
		}
	}
	return out, nil
}

// parseAll reads and parses the named files on cfg.Workers goroutines;
// results are in the order of names.
//
// With a memo (not nil, even empty), a file whose bytes the memo has is not
// parsed again, and parseAll returns the memo of this load.
func parseAll(fsys fs.FS, names []string, types []fs.FileMode, infos []fs.FileInfo, cfg Config, opts parseOptions, keep func(*Item, []byte) *Item, prev memo) ([]parsed, memo) {
	results := make([]parsed, len(names))
	var sums []uint64
	var read []bool
	if prev != nil {
		sums, read = make([]uint64, len(names)), make([]bool, len(names))
	}
	var stamps [][2]int64 // size and modification time of each file read, when known
	if prev != nil {
		stamps = make([][2]int64, len(names))
	}
	prog := newProgress(cfg.Progress, "records", len(names))
	parallel(len(names), cfg.Workers, func(i int) {
		defer prog.add()
		r := &results[i]
		if prev != nil && types[i] != walkFailed {
			var fi fs.FileInfo
			if i < len(infos) {
				fi = infos[i]
			}
			if e, ok := prev.unchanged(fsys, names[i], fi); ok {
				*r, sums[i], read[i], stamps[i] = e.result(), e.sum, true, [2]int64{e.size, e.mod}
				return
			}
			var err error
			if fi == nil {
				fi, err = fs.Stat(fsys, names[i])
			}
			if err == nil && fi.Mode().IsRegular() && fileStamp(fi) != 0 {
				stamps[i] = [2]int64{fi.Size(), fileStamp(fi)}
			}
		}
		data, err := readRecord(fsys, names[i], types[i], cfg.MaxRecordBytes)
		if err != nil {
			r.err = &RecordError{Path: names[i], Err: err}
			return
		}
		if prev != nil {
			sums[i], read[i] = fileSum(data), true
			if int64(len(data)) != stamps[i][0] {
				stamps[i] = [2]int64{} // changed since it was stat'ed: read it again next time
			}
			if res, ok := prev.recall(names[i], sums[i]); ok {
				*r = res
				return
			}
		}
		r.item, r.warnings, r.err = parseRecord(names[i], data, opts)
		if r.item != nil && prev != nil {
			r.item.sum = sums[i] // lets a handler know the documents it holds already
		}
		if r.item != nil && keep != nil {
			r.item = keep(r.item, data)
		}
	})
	if prev == nil {
		return results, nil
	}
	next := make(memo, len(names))
	for i, res := range results {
		if !read[i] {
			continue // not read: read it again next time
		}
		e := memoEntry{sum: sums[i], size: stamps[i][0], mod: stamps[i][1], res: res}
		if res.item != nil {
			c := *res.item // as parsed: loading changes the item it returns
			e.res.item = &c
		}
		next[names[i]] = e
	}
	return results, next
}

// parallel calls fn(i) for every i in [0, n) on workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// collect sorts parse results into published items, skips and errors, then
// resolves duplicates, filters by status and kind, joins community spellings
// and orders the items newest first.
func (r *Records) collect(names []string, results []parsed, cfg Config) {
	var items []*Item
	for i, res := range results {
		r.Warnings = append(r.Warnings, res.warnings...)
		if res.err != nil {
			if IsNotRecord(res.err) {
				r.Skipped = append(r.Skipped, Skip{names[i], "not a record: " + unwrapRecord(res.err).Error()})
				continue
			}
			var re *RecordError
			if !errors.As(res.err, &re) {
				re = &RecordError{Path: names[i], Err: res.err}
			}
			r.Errors = append(r.Errors, re)
			continue
		}
		items = append(items, res.item)
	}
	r.finish(items, cfg)
}

// finish deduplicates, filters and sorts the loaded items, for records from
// files and from code alike; cfg is normalized.
func (r *Records) finish(items []*Item, cfg Config) {
	items = r.dedupe(items)
	items, r.Retracted = r.filter(items, cfg)
	all := append(items[:len(items):len(items)], r.Retracted...)
	mergeCommunities(all)
	aliasCommunities(all, cfg)
	sortItems(items)
	sortItems(r.Retracted)
	r.Items = items
	r.Published = len(items)
	r.Errors.sortByPlace()
	r.Warnings.sortByPlace()
	sort.SliceStable(r.Skipped, func(i, j int) bool { return r.Skipped[i].Path < r.Skipped[j].Path })
}

func unwrapRecord(err error) error {
	var re *RecordError
	if errors.As(err, &re) && re.Err != nil {
		return re.Err
	}
	return err
}

// dedupe keeps one record per curation id and per item id: the one with the
// newer lastMod (on a tie, the first in lexical path order). Losers are
// reported as skipped with a warning naming the winner.
func (r *Records) dedupe(items []*Item) []*Item {
	winners := make(map[string]*Item, len(items))
	lose := map[*Item]*Item{}
	// Two rounds, by record id then by item id, each with its own winners:
	// the keys are the ids themselves, no string is built per item.
	for _, key := range []func(*Item) (string, bool){
		func(it *Item) (string, bool) { return it.RecordID, it.RecordID != "" },
		func(it *Item) (string, bool) { return it.ID, true },
	} {
		clear(winners)
		for _, it := range items {
			if lose[it] != nil {
				continue
			}
			k, ok := key(it)
			if !ok {
				continue
			}
			w, ok := winners[k]
			if !ok {
				winners[k] = it
				continue
			}
			if it.Updated.After(w.Updated) {
				winners[k] = it
				lose[w] = it
			} else {
				lose[it] = w
			}
		}
	}
	if len(lose) == 0 {
		return items
	}
	out := items[:0]
	for _, it := range items {
		w := lose[it]
		for w != nil && lose[w] != nil {
			w = lose[w]
		}
		if w == nil {
			out = append(out, it)
			continue
		}
		why := fmt.Sprintf("duplicate of %s (id %s), which has the newer lastMod", w.Path, w.RecordID)
		r.Skipped = append(r.Skipped, Skip{it.Path, why})
		r.Warnings.add(it.Path, 0, "id", errors.New(why))
	}
	return out
}

// All returns the published and the retracted records, as Build takes
// them.
func (r *Records) All() []*Item {
	if r == nil {
		return nil
	}
	return append(r.Items[:len(r.Items):len(r.Items)], r.Retracted...)
}

// filter drops records whose status or kind is not published, and records
// scheduled for later than cfg.Now (noting the earliest in NextScheduled),
// and returns apart those whose status says they were withdrawn.
func (r *Records) filter(items []*Item, cfg Config) (published, retracted []*Item) {
	out := items[:0]
	for _, it := range items {
		kindOK := len(cfg.Archetypes) == 0 || containsFold(cfg.Archetypes, it.Archetype)
		switch {
		case kindOK && cfg.retracted(it) && cfg.scheduled(it):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q: withdrawn before its date %s", it.Status, it.Published.Format(time.RFC3339))})
		case kindOK && cfg.retracted(it):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q: withdrawn, published as a tombstone", it.Status)})
			retracted = append(retracted, it)
		case !containsFold(cfg.PublishedStatuses, it.Status):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q is not published", it.Status)})
		case !kindOK:
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("archetype %q is not published", it.Archetype)})
		case cfg.scheduled(it):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("scheduled: dated %s, after the build's time %s", it.Published.Format(time.RFC3339), cfg.Now.Format(time.RFC3339))})
			if r.NextScheduled.IsZero() || it.Published.Before(r.NextScheduled) {
				r.NextScheduled = it.Published
			}
		default:
			out = append(out, it)
		}
	}
	return out, retracted
}

// mergeCommunities joins a community known only from a record's type
// (communities/medigy-security) to the community that other records place
// under basePath (/communities/security/), when the type's name ends with
// "-" and that community's slug, and takes that community's display name.
func mergeCommunities(items []*Item) {
	known := map[string]Community{}
	for _, it := range items {
		if seg := segmentAfter(it.extra.sitePath(), "communities"); seg != "" && sanitize.Slug(seg) == it.Community.Slug {
			if _, ok := known[it.Community.Slug]; !ok {
				known[it.Community.Slug] = it.Community
			}
		}
	}
	slugs := make([]string, 0, len(known))
	for s := range known {
		slugs = append(slugs, s)
	}
	// Longest first, so "risk-and-compliance" wins over "compliance".
	sort.Slice(slugs, func(i, j int) bool {
		if len(slugs[i]) != len(slugs[j]) {
			return len(slugs[i]) > len(slugs[j])
		}
		return slugs[i] < slugs[j]
	})
	for _, it := range items {
		s := it.Community.Slug
		if s == "" {
			continue
		}
		if _, ok := known[s]; ok {
			continue
		}
		for _, k := range slugs {
			if strings.HasSuffix(s, "-"+k) {
				it.Community = known[k]
				break
			}
		}
	}
}

// aliasCommunities moves the items of every alias of cfg.CommunityAliases
// to its canonical community. The community takes one display name: that of
// the first record, in path order, that names the canonical slug itself,
// or when none does, of the first that names an alias of it. cfg is
// normalized.
func aliasCommunities(items []*Item, cfg Config) {
	if len(cfg.CommunityAliases) == 0 {
		return
	}
	byPath := slices.Clone(items)
	sort.SliceStable(byPath, func(i, j int) bool { return byPath[i].Path < byPath[j].Path })
	direct, aliased := map[string]string{}, map[string]string{}
	for _, it := range byPath {
		s := it.Community.Slug
		if to, ok := cfg.CommunityAliases[s]; ok {
			if _, ok := aliased[to]; !ok {
				aliased[to] = it.Community.Name
			}
		} else if _, ok := direct[s]; !ok && s != "" {
			direct[s] = it.Community.Name
		}
	}
	for _, it := range items {
		to, ok := cfg.CommunityAliases[it.Community.Slug]
		if !ok {
			if _, target := aliased[it.Community.Slug]; target {
				it.Community.Name = direct[it.Community.Slug]
			}
			continue
		}
		name, ok := direct[to]
		if !ok {
			name = aliased[to]
		}
		it.Community = Community{Slug: to, Name: name}
	}
}

// sortItems orders items newest first by published time, ties by ID, then
// path: a total order, so that no sort is needed to keep any other.
func sortItems(items []*Item) {
	slices.SortFunc(items, func(a, b *Item) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
}
