package curafeed

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curafeed/curafeed/sanitize"
)

// DefaultLimit is the number of items a feed holds when Config.Limit is 0.
const DefaultLimit = 50

// DefaultPublishedStatuses are the record statuses that mean "published"
// when Config.PublishedStatuses is nil. Matching ignores case.
var DefaultPublishedStatuses = []string{"", "approved", "published"}

// DefaultRetractedStatuses are the record statuses that mean "withdrawn"
// when Config.RetractedStatuses is nil. Matching ignores case.
var DefaultRetractedStatuses = []string{"retracted", "withdrawn"}

// Defaults of the syndication settings of Config.
const (
	// DefaultArchiveSize is the number of items per archive document.
	DefaultArchiveSize = 50
	// DefaultTombstonePeriod is how long a withdrawn item's tombstone stays
	// in its Atom feeds.
	DefaultTombstonePeriod = 30 * 24 * time.Hour
	// DefaultMaxFeedBytes is every feed document's size budget: JSON Feed
	// 1.1 asks feeds to stay under 250 KB.
	DefaultMaxFeedBytes = 250_000
)

// Config is the trusted configuration of a build. The zero value is not
// usable: SiteURL is required. A Config is read, never changed, by Load and
// Build.
type Config struct {
	// SiteURL is the absolute http(s) URL of the community site. Item pages,
	// relative URLs in records and every feed URL are resolved against it.
	SiteURL string
	// Title names the site in feed titles; the site's host when empty.
	Title string
	// Language is the feeds' language tag; "en" when empty.
	Language string
	// Limit is the number of newest items per feed; DefaultLimit when 0.
	Limit int
	// PublishedStatuses lists the status values that publish a record
	// (case-insensitive); DefaultPublishedStatuses when nil. Records with any
	// other status stay out of every feed.
	PublishedStatuses []string
	// Kinds, when not empty, lists the record kinds (archetype values) that
	// are published; records of other kinds stay out of every feed.
	Kinds []string
	// LinkToPage makes an item's RSS <link> its page on the community site
	// instead of the curated article.
	LinkToPage bool
	// Workers is the number of records parsed at once; GOMAXPROCS when 0.
	Workers int
	// MaxRecordBytes caps the size of a record file: a larger one is
	// rejected without being read whole. DefaultMaxRecordBytes when 0; no
	// cap when negative.
	MaxRecordBytes int64
	// CacheDir, when set, is where BuildDir keeps what each record parsed to
	// (by content hash) and what each feed file was made of, so that the
	// next build parses only the records that changed and renders only the
	// feeds whose bytes change. A cache written by another version of
	// curafeed, or for another site URL, statuses or kinds, or a damaged
	// one, is ignored; after any other change of configuration its feed
	// fingerprints are.
	CacheDir string

	// ArchiveSize is the number of items per archive document (RFC 5005):
	// the items of a feed beyond its newest Limit are published in archive
	// documents of this size, oldest first. DefaultArchiveSize when 0.
	ArchiveSize int
	// NoArchives turns archive documents off: each feed then publishes only
	// its newest Limit items.
	NoArchives bool
	// RetractedStatuses lists the status values that mean a record was
	// withdrawn (case-insensitive); DefaultRetractedStatuses when nil. Such
	// a record leaves every feed, and the Atom feeds it belonged to carry a
	// tombstone for it (RFC 6721).
	RetractedStatuses []string
	// TombstonePeriod is how long a tombstone stays, counted back from the
	// newest date of the catalog (never the clock); DefaultTombstonePeriod
	// when 0; no tombstones when negative (withdrawn items still leave
	// every feed).
	TombstonePeriod time.Duration
	// MaxFeedBytes is the size budget of every feed document: a document
	// over it has the content of its oldest items replaced by their summary
	// and a link to read more, oldest first, until it fits.
	// DefaultMaxFeedBytes when 0; no budget when negative.
	MaxFeedBytes int
	// Hubs are WebSub hub URLs announced in every feed document (an Atom
	// link, an RSS atom:link and JSON Feed hubs, each rel="hub").
	Hubs []string

	// CommunityAliases joins the spellings of one community into one feed:
	// each key is a community slug records use (an alias, e.g.
	// "risk-compliance"), its value the slug the community is published
	// under ("risk-and-compliance"). Keys and values are folded by
	// [sanitize.Slug]; an alias of an alias resolves to the last one, and a cycle is
	// an error. The community takes the display name of the records that
	// use the canonical slug, when there are some.
	CommunityAliases map[string]string
	// Now is the time against which records dated in the future are
	// scheduled rather than published: a record whose date is after Now
	// stays out of every feed (see IncludeFuture). When zero, Load, Build
	// and BuildDir read the clock once each; the same records, Config and
	// Now always give the same bytes, so set Now for reproducible builds.
	Now time.Time
	// IncludeFuture publishes records dated after Now as well.
	IncludeFuture bool
}

// canonicalCommunity returns the community slug s is published under: its
// alias target in the normalized CommunityAliases, or s.
func (c Config) canonicalCommunity(s string) string {
	if v, ok := c.CommunityAliases[s]; ok {
		return v
	}
	return s
}

// scheduled reports whether it is dated after the build's time and is
// therefore kept back until then; c is normalized.
func (c Config) scheduled(it *Item) bool {
	return !c.IncludeFuture && it.Published.After(c.Now)
}

// normalizeAliases folds the keys and values of aliases by sanitize.Slug and
// resolves chains, so that every alias maps straight to a slug that is no
// alias.
func normalizeAliases(aliases map[string]string) (map[string]string, error) {
	if len(aliases) == 0 {
		return nil, nil
	}
	folded := make(map[string]string, len(aliases))
	for k, v := range aliases {
		fk, fv := sanitize.Slug(k), sanitize.Slug(v)
		if fk == "" || fv == "" {
			return nil, fmt.Errorf("curafeed: community alias %q=%q: both must name a community", k, v)
		}
		if old, ok := folded[fk]; ok && old != fv {
			return nil, fmt.Errorf("curafeed: community alias %q is given two communities, %q and %q", fk, old, fv)
		}
		if fk != fv {
			folded[fk] = fv
		}
	}
	out := make(map[string]string, len(folded))
	for k, v := range folded {
		seen := map[string]bool{k: true}
		for {
			next, ok := folded[v]
			if !ok {
				break
			}
			if seen[v] {
				return nil, fmt.Errorf("curafeed: community aliases go round in a cycle through %q", v)
			}
			seen[v] = true
			v = next
		}
		out[k] = v
	}
	return out, nil
}

// site returns the parsed site URL and a normalized copy of c.
func (c Config) normalize() (Config, *url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(c.SiteURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return c, nil, fmt.Errorf("curafeed: site URL %q is not an absolute http(s) URL", c.SiteURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	c.SiteURL = u.String()
	if c.Title == "" {
		c.Title = u.Host
	}
	if c.Language == "" {
		c.Language = "en"
	}
	if c.Limit <= 0 {
		c.Limit = DefaultLimit
	}
	if c.PublishedStatuses == nil {
		c.PublishedStatuses = DefaultPublishedStatuses
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.ArchiveSize <= 0 {
		c.ArchiveSize = DefaultArchiveSize
	}
	if c.RetractedStatuses == nil {
		c.RetractedStatuses = DefaultRetractedStatuses
	}
	if c.TombstonePeriod == 0 {
		c.TombstonePeriod = DefaultTombstonePeriod
	}
	if c.MaxFeedBytes == 0 {
		c.MaxFeedBytes = DefaultMaxFeedBytes
	}
	var hubs []string
	for _, h := range c.Hubs {
		hu, err := url.Parse(h)
		switch {
		case err != nil || (hu.Scheme != "http" && hu.Scheme != "https") || hu.Host == "":
			return c, nil, fmt.Errorf("curafeed: hub URL %q is not an absolute http(s) URL", h)
		case hu.User != nil:
			// Feeds and Link headers are public: a hub's credentials would
			// be published with them.
			return c, nil, fmt.Errorf("curafeed: hub URL %q carries credentials, which every feed would publish", redactURL(h))
		case secretQuery(hu) != "":
			return c, nil, fmt.Errorf("curafeed: hub URL %q carries a secret in its query (%s), which every feed would publish", redactURL(h), secretQuery(hu))
		case strings.ContainsAny(h, " \t\r\n<>\"',\\"):
			return c, nil, fmt.Errorf("curafeed: hub URL %q has characters a Link header cannot carry; percent-encode them", h)
		}
		if !slices.Contains(hubs, h) {
			hubs = append(hubs, h)
		}
	}
	c.Hubs = hubs
	if c.CommunityAliases, err = normalizeAliases(c.CommunityAliases); err != nil {
		return c, nil, err
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	c.Now = c.Now.UTC()
	return c, u, nil
}

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
	// Files is the number of record files (*.md) read.
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
}

type parsed struct {
	item     *Item
	warnings ErrorList
	err      error
}

// Load reads every record file (*.md) of fsys, walked in lexical order and
// parsed in parallel. Bad records are reported in Records.Errors and every
// other record is still returned; so are paths that are not regular files
// (a named pipe, a link to a device) and files over Config.MaxRecordBytes,
// which are never read whole. For a folder on disk, pass DirFS(dir) rather
// than os.DirFS(dir): it also refuses links out of the folder. The error is non-nil only when fsys itself
// cannot be walked or cfg is unusable.
func Load(fsys fs.FS, cfg Config) (*Records, error) {
	return load(fsys, cfg, nil)
}

// load is Load with what an earlier load knew: was, when not nil, reports
// the paths that held a record then (see damaged), and the result's
// records then lists the paths that hold one now.
func load(fsys fs.FS, cfg Config, was func(path string) bool) (*Records, error) {
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	names, types, err := recordNames(fsys)
	if err != nil {
		return nil, err
	}
	results := parseAll(fsys, names, types, cfg, ParseOptions{SiteURL: site}, nil)
	damaged(names, results, was)
	recs := &Records{Files: len(names)}
	if was != nil {
		recs.records = make(map[string]bool, len(names))
		for i, res := range results {
			if res.err == nil || !IsNotRecord(res.err) {
				recs.records[names[i]] = true
			}
		}
	}
	recs.collect(names, results, cfg)
	return recs, nil
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

// walkFailed is the type recordNames gives a path the walk could not read.
const walkFailed = fs.ModeIrregular | fs.ModeDir

// recordNames lists the record files (*.md) of fsys in lexical order, with
// the type of each as the walk saw it (not following links), so that files
// that are not regular are refused before they are opened.
func recordNames(fsys fs.FS) ([]string, []fs.FileMode, error) {
	var names []string
	var types []fs.FileMode
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			names = append(names, p)
			types = append(types, walkFailed) // its error is reported when it is read
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".md") {
			names = append(names, p)
			types = append(types, d.Type())
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("curafeed: reading records: %w", err)
	}
	return names, types, nil
}

// parseAll reads and parses the named files on cfg.Workers goroutines;
// results are in the order of names.
func parseAll(fsys fs.FS, names []string, types []fs.FileMode, cfg Config, opts ParseOptions, keep func(*Item, []byte) *Item) []parsed {
	results := make([]parsed, len(names))
	parallel(len(names), cfg.Workers, func(i int) {
		data, err := readRecord(fsys, names[i], types[i], cfg.MaxRecordBytes)
		if err != nil {
			results[i].err = &RecordError{Path: names[i], Err: err}
			return
		}
		r := &results[i]
		r.item, r.warnings, r.err = ParseRecord(names[i], data, opts)
		if r.item != nil && keep != nil {
			r.item = keep(r.item, data)
		}
	})
	return results
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
	items = r.dedupe(items)
	items, r.Retracted = r.filter(items, cfg)
	all := append(items[:len(items):len(items)], r.Retracted...)
	mergeCommunities(all)
	aliasCommunities(all, cfg)
	sortItems(items)
	sortItems(r.Retracted)
	r.Items = items
	r.Published = len(items)
	r.Errors.Sort()
	r.Warnings.Sort()
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
	winners := map[string]*Item{}
	lose := map[*Item]*Item{}
	for _, key := range []func(*Item) string{
		func(it *Item) string {
			if it.RecordID == "" {
				return ""
			}
			return "id:" + it.RecordID
		},
		func(it *Item) string { return "uuid:" + it.ID },
	} {
		clear(winners)
		for _, it := range items {
			if lose[it] != nil {
				continue
			}
			k := key(it)
			if k == "" {
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
		r.Warnings.Add(it.Path, 0, "id", errors.New(why))
	}
	return out
}

// All returns the published and the retracted records, as Build takes
// them.
func (r *Records) All() []*Item {
	return append(r.Items[:len(r.Items):len(r.Items)], r.Retracted...)
}

// filter drops records whose status or kind is not published, and records
// scheduled for later than cfg.Now (noting the earliest in NextScheduled),
// and returns apart those whose status says they were withdrawn.
func (r *Records) filter(items []*Item, cfg Config) (published, retracted []*Item) {
	out := items[:0]
	for _, it := range items {
		kindOK := len(cfg.Kinds) == 0 || containsFold(cfg.Kinds, it.Kind)
		switch {
		case kindOK && cfg.retracted(it) && cfg.scheduled(it):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q: withdrawn before its date %s", it.Status, it.Published.Format(time.RFC3339))})
		case kindOK && cfg.retracted(it):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q: withdrawn, published as a tombstone", it.Status)})
			retracted = append(retracted, it)
		case !containsFold(cfg.PublishedStatuses, it.Status):
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("status %q is not published", it.Status)})
		case !kindOK:
			r.Skipped = append(r.Skipped, Skip{it.Path, fmt.Sprintf("kind %q is not published", it.Kind)})
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

// retracted reports whether it's status says it was withdrawn.
func (c Config) retracted(it *Item) bool {
	return it.Status != "" && containsFold(c.RetractedStatuses, it.Status)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// mergeCommunities joins a community known only from a record's type
// (communities/medigy-security) to the community that other records place
// under basePath (/communities/security/), when the type's name ends with
// "-" and that community's slug, and takes that community's display name.
func mergeCommunities(items []*Item) {
	known := map[string]Community{}
	for _, it := range items {
		if seg := segmentAfter(it.Extra.sitePath(), "communities"); seg != "" && sanitize.Slug(seg) == it.Community.Slug {
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

// sortItems orders items newest first by published time, ties by ID.
func sortItems(items []*Item) {
	sort.SliceStable(items, func(i, j int) bool { return newer(items[i], items[j]) })
}

func newer(a, b *Item) bool {
	if !a.Published.Equal(b.Published) {
		return a.Published.After(b.Published)
	}
	return a.ID < b.ID
}
