package curafeed

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/curafeed/curafeed/sanitize"
)

// feedKind says what a feed collects.
type feedKind int

// The kinds of feed a catalog holds, in the order they are listed.
const (
	kindAll            feedKind = iota // every published item
	kindCommunity                      // one community's items
	kindTopic                          // one topic's items, across communities
	kindCommunityTopic                 // one community's items on one topic
)

// String returns the kind's name.
func (k feedKind) String() string {
	switch k {
	case kindAll:
		return "all"
	case kindCommunity:
		return "community"
	case kindTopic:
		return "topic"
	case kindCommunityTopic:
		return "community-topic"
	}
	return fmt.Sprintf("feedKind(%d)", int(k))
}

// Format is a feed format.
type Format int

// The formats every feed is written in.
const (
	RSS  Format = iota // RSS 2.0
	Atom               // Atom 1.0 (RFC 4287)
	JSON               // JSON Feed 1.1
)

// Formats returns every format, in the order feeds are written.
func Formats() []Format { return []Format{RSS, Atom, JSON} }

// fileName is the format's file name in the output tree.
func (f Format) fileName() string {
	switch f {
	case Atom:
		return "atom.xml"
	case JSON:
		return "feed.json"
	}
	return "rss.xml"
}

// contentType is the format's media type, with its charset.
func (f Format) contentType() string {
	switch f {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/rss+xml; charset=utf-8"
}

// mediaType is the format's media type without parameters.
func (f Format) mediaType() string {
	mt, _, _ := strings.Cut(f.contentType(), ";")
	return mt
}

// String returns the format's short name: rss, atom or json.
func (f Format) String() string {
	switch f {
	case Atom:
		return "atom"
	case JSON:
		return "json"
	}
	return "rss"
}

// TopicInfo is a topic as the catalog publishes it: one per folded key, with
// one display spelling and one slug.
type TopicInfo struct {
	Topic        // the chosen spelling: the most used one, ties by label
	Slug  string // URL slug, unique in the catalog
}

// Feed is one feed of a catalog: its items (newest first, at most the
// configured limit) and what it is called. A Feed is immutable and safe for
// concurrent use.
//
// What a feed collects follows from Community and Topic: the site-wide feed
// has neither, a community feed only Community, a topic feed only Topic,
// and a community×topic feed both.
type Feed struct {
	Path        string // directory in the output tree, e.g. communities/femtech
	Title       string
	Description string
	HomeURL     string     // the site page this feed follows
	Community   Community  // set for community and community×topic feeds
	Topic       *TopicInfo // set for topic and community×topic feeds
	Items       []*Item
	Updated     time.Time // the newest item's updated time, or tombstone's when later; for an empty site feed, the day of Config.Now

	// Archive is the number of this archive document (RFC 5005), 1 for the
	// oldest; 0 for a current feed.
	Archive int
	// Archives are the archive documents of a current feed, oldest first:
	// the items beyond its newest Limit, Config.ArchiveSize to a document;
	// only the newest may hold fewer. Archive N holds the same items build
	// after build as long as no record of the feed is added, edited or
	// removed before them.
	Archives []*Feed
	// Current is the current feed of an archive document; nil for a current
	// feed.
	Current *Feed
	// Tombstones are the items withdrawn from a current feed (RFC 6721),
	// newest first. Atom documents carry them; RSS and JSON Feed simply no
	// longer list the items.
	Tombstones []Tombstone

	older []*Item // while building: items beyond Limit, newest first
	cat   *Catalog
	kind  feedKind
}

// Tombstone is an item withdrawn from a feed: its record's status says it
// was retracted (Config.RetractedStatuses), or its record disappeared
// between two builds that shared a cache.
type Tombstone struct {
	ID   string    // the withdrawn item's id
	When time.Time // when it was withdrawn, as the records tell it
	Path string    // the record file it came from
}

// URL returns the absolute URL of the feed in the given format.
// It is "" for a Feed that Build did not make.
func (f *Feed) URL(format Format) string {
	if f == nil || f.cat == nil {
		return ""
	}
	return f.cat.feeds + "/" + f.Path + "/" + format.fileName()
}

// ID returns the feed's permanent id (Atom feed id), derived from the site
// and the feed's path, so it never changes between builds. An archive
// document has the id of its current feed: they are one logical feed. It
// is "" for a Feed that Build did not make.
func (f *Feed) ID() string {
	if f == nil || f.cat == nil {
		return ""
	}
	p := f.Path
	if f.Current != nil {
		p = f.Current.Path
	}
	return "urn:uuid:" + uuidV5(f.cat.site+"/"+p+"/")
}

// fullArchive reports whether f is an archive document whose bytes stay
// as long as its records do: it holds Config.ArchiveSize items, so newer
// items never move into it, and it is not the newest archive, whose
// next-archive link (the current feed) becomes the next archive once one is
// made. Caches may keep it long.
func (f *Feed) fullArchive() bool {
	return f.Archive > 0 && len(f.Items) == f.cat.cfg.ArchiveSize && f.Archive < len(f.Current.Archives)
}

// Documents returns the feed and its archive documents, newest first:
// every document a reader walking the feed's history can fetch.
func (f *Feed) Documents() []*Feed {
	if f == nil {
		return nil
	}
	docs := []*Feed{f}
	for i := len(f.Archives) - 1; i >= 0; i-- {
		docs = append(docs, f.Archives[i])
	}
	return docs
}

// Catalog is every feed built from one set of records. It is immutable once
// Build returns it and safe for concurrent use.
type Catalog struct {
	// Feeds lists every feed: all, then communities, topics and
	// community×topic feeds, each group ordered by path.
	Feeds []*Feed

	cfg     Config
	site    string
	feeds   string // Config.FeedsURL: where the feed tree is served
	byPath  map[string]*Feed
	topics  map[string]*TopicInfo
	updated map[string]time.Time // by item ID

	// patched names the documents whose items withItems replaced, in a
	// catalog it made; nil for a catalog built from its items.
	patched map[string]bool
}

// withItems returns a copy of c in which every document holding an item
// of repl holds its replacement instead. Each replacement must leave the
// catalog's shape as it was: same ID, dates, community and topics, so the
// same place in every feed. c is left as it was.
func (c *Catalog) withItems(repl map[*Item]*Item) *Catalog {
	nc := *c
	nc.byPath = make(map[string]*Feed, len(c.byPath))
	nc.Feeds = make([]*Feed, len(c.Feeds))
	nc.patched = map[string]bool{}
	swap := func(f *Feed) {
		f.cat = &nc
		for i, it := range f.Items {
			if n, ok := repl[it]; ok {
				if !nc.patched[f.Path] {
					f.Items = slices.Clone(f.Items)
					nc.patched[f.Path] = true
				}
				f.Items[i] = n
			}
		}
		nc.byPath[f.Path] = f
	}
	for i, f := range c.Feeds {
		nf := *f
		swap(&nf)
		nf.Archives = make([]*Feed, len(f.Archives))
		for j, a := range f.Archives {
			na := *a
			na.Current = &nf
			swap(&na)
			nf.Archives[j] = &na
		}
		nc.Feeds[i] = &nf
	}
	return &nc
}

// Config returns the catalog's normalized configuration.
func (c *Catalog) Config() Config { return c.cfg }

// Feed returns the feed or archive document at path (e.g.
// "topics/gartner-cybersecurity" or "all/archive/3"), and whether there is
// one. A nil Catalog has none.
func (c *Catalog) Feed(path string) (*Feed, bool) {
	if c == nil {
		return nil, false
	}
	f, ok := c.byPath[path]
	return f, ok
}

// errNilCatalog is the error of a Catalog method called on nil, or given a
// nil writer or function.
var errNilCatalog = errors.New("curafeed: no catalog (nil), or a nil writer or function: build one with Build")

// Build groups items into the site-wide feed, one feed per community, per
// topic and per community×topic, each with its archive documents. Items
// need not be sorted.
//
// Build trusts no item: an item made in code rather than by Load or
// NewItem gets the same checks and cleaning as a record (its text cleaned,
// links that are not http(s) dropped, its community slug made path-safe),
// and every item is filtered by status, archetype and date as Load filters
// records. An item with no id, title or date, a nil item, or an item whose
// id another item already has (the newer Updated wins) is left out. Build
// then returns the Catalog of the other items together with an ErrorList
// naming each item left out and each field dropped; any other error means
// a bad Config, and the Catalog is nil.
//
// Items whose status says they were withdrawn (Config.RetractedStatuses)
// are published only as tombstones in the Atom feeds they belong to, for
// Config.TombstonePeriod; pass Records.All() to give Build both kinds.
// Items dated after Config.Now are scheduled, not published: they stay out
// of every feed unless Config.IncludeFuture. Community slugs are mapped by
// Config.CommunityAliases. Build does not modify the items.
func Build(items []*Item, cfg Config) (*Catalog, error) {
	ncfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	items, problems := checkItems(items, ncfg, site)
	c, err := build(items, nil, cfg)
	if err != nil {
		return nil, err
	}
	return c, problems.Err()
}

// checkItems returns items that Build can trust: items made in code are
// made again through newItem, items that are not published are left out,
// and of items sharing an id the newer stays. Problems are listed by item.
func checkItems(items []*Item, cfg Config, site *url.URL) ([]*Item, ErrorList) {
	var problems ErrorList
	out := make([]*Item, 0, len(items))
	byID := make(map[string]int, len(items))
	for i, it := range items {
		if it == nil {
			problems.add(fmt.Sprintf("items[%d]", i), 0, "", errors.New("nil item"))
			continue
		}
		if !it.checked {
			if it.Path == "" {
				c := *it
				c.Path = fmt.Sprintf("items[%d]", i)
				it = &c
			}
			c, err := checkItem(it, site, &problems)
			if err != nil {
				problems = append(problems, asRecordError(it.Path, err))
				continue
			}
			it = c
		}
		if !cfg.published(it) && !cfg.retracted(it) {
			continue
		}
		if j, dup := byID[it.ID]; dup {
			// A withdrawn item and a published one with its id are how a
			// record comes back: the published one stays, silently.
			w, l := out[j], it
			if cfg.retracted(w) != cfg.retracted(it) {
				if cfg.retracted(w) {
					out[j] = it
				}
				continue
			}
			if it.Updated.After(w.Updated) {
				w, l = it, w
				out[j] = it
			}
			problems.add(l.Path, 0, "ID", fmt.Errorf("duplicate id %s, also the id of %s: left out", l.ID, w.Path))
			continue
		}
		byID[it.ID] = len(out)
		out = append(out, it)
	}
	problems.sortByPlace()
	return out, problems
}

// build is Build with gone: records that disappeared since an earlier
// build, each with its Updated set to when it was found gone.
func build(items, gone []*Item, cfg Config) (*Catalog, error) {
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	var sorted, withdrawn []*Item
	for _, it := range items {
		if cfg.scheduled(it) {
			continue // not yet published: Load reports it as scheduled
		}
		if cfg.retracted(it) {
			withdrawn = append(withdrawn, it)
		} else {
			sorted = append(sorted, it)
		}
	}
	withdrawn = append(withdrawn, gone...)

	c := &Catalog{cfg: cfg, site: cfg.SiteURL, feeds: cfg.FeedsURL, byPath: map[string]*Feed{}}
	// The topics' spellings and the items' distinct updated times do not
	// depend on the order of the items: they are found, from a copy of the
	// list, while it is sorted.
	published := slices.Clone(sorted)
	var wg sync.WaitGroup
	wg.Go(func() { c.topics = chooseTopics(published) })
	wg.Go(func() { c.updated = distinctUpdated(published) })
	sortItems(sorted)
	wg.Wait()

	all := c.feed(kindAll, "all", cfg.Title, "Curated articles from every community of "+cfg.Title+".", site.String()+"/")
	// Feeds by what they group, so that an item finds its feeds without
	// building their paths: by community slug as the record has it, by
	// topic, by community and topic.
	type crossKey struct {
		cf *Feed
		ti *TopicInfo
	}
	byCommunity := map[Community]*Feed{}
	byTopic := map[*TopicInfo]*Feed{}
	byCross := map[crossKey]*Feed{}
	for _, it := range sorted {
		u := c.updated[it.ID]
		c.add(all, it, u)
		cf, ok := byCommunity[it.Community]
		if !ok {
			if cm := c.community(it); cm.Slug != "" {
				cf = c.byPath["communities/"+cm.Slug]
				if cf == nil {
					cf = c.feed(kindCommunity, "communities/"+cm.Slug, cm.Name+" | "+cfg.Title,
						"Curated articles from the "+cm.Name+" community of "+cfg.Title+".",
						site.ResolveReference(&url.URL{Path: "/communities/" + cm.Slug + "/"}).String())
					cf.Community = cm
				}
			}
			byCommunity[it.Community] = cf
		}
		if cf != nil {
			c.add(cf, it, u)
		}
		for _, t := range it.Topics {
			ti := c.topics[t.Key]
			tf := byTopic[ti]
			if tf == nil {
				tf = c.feed(kindTopic, "topics/"+ti.Slug, ti.Label()+" | "+cfg.Title,
					"Curated articles on "+ti.Label()+" from every community of "+cfg.Title+".", site.String()+"/")
				tf.Topic = ti
				byTopic[ti] = tf
			}
			c.add(tf, it, u)
			if cf != nil {
				ctf := byCross[crossKey{cf, ti}]
				if ctf == nil {
					ctf = c.feed(kindCommunityTopic, cf.Path+"/topics/"+ti.Slug, ti.Label()+" | "+cf.Community.Name+" | "+cfg.Title,
						"Curated articles on "+ti.Label()+" from the "+cf.Community.Name+" community of "+cfg.Title+".", cf.HomeURL)
					ctf.Community, ctf.Topic = cf.Community, ti
					byCross[crossKey{cf, ti}] = ctf
				}
				c.add(ctf, it, u)
			}
		}
	}
	sort.SliceStable(c.Feeds, func(i, j int) bool {
		a, b := c.Feeds[i], c.Feeds[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.Path < b.Path
	})
	c.tombstones(withdrawn)
	if all.Updated.IsZero() {
		// Nothing published and no tombstone: the site feed, which must
		// carry a date, is dated on the day of the build (validators take
		// the Unix epoch for a bug), and changes at most once a day.
		all.Updated = cfg.Now.Truncate(24 * time.Hour)
	}
	for _, f := range c.Feeds {
		c.archive(f)
	}
	return c, nil
}

// archive splits the items beyond f's limit into archive documents of
// Config.ArchiveSize items, numbered from the oldest, so that a document
// keeps its items as newer ones arrive; only the newest may hold fewer.
func (c *Catalog) archive(f *Feed) {
	n, size := len(f.older), c.cfg.ArchiveSize
	for k := 1; (k-1)*size < n; k++ {
		hi := n - (k-1)*size
		lo := max(hi-size, 0)
		a := &Feed{
			kind: f.kind, Path: f.Path + "/archive/" + strconv.Itoa(k),
			Title: f.Title, Description: f.Description, HomeURL: f.HomeURL,
			Community: f.Community, Topic: f.Topic,
			Items: f.older[lo:hi:hi], Archive: k, Current: f, cat: c,
		}
		for _, it := range a.Items {
			if u := c.updated[it.ID]; u.After(a.Updated) {
				a.Updated = u
			}
		}
		c.byPath[a.Path] = a
		f.Archives = append(f.Archives, a)
	}
	f.older = nil
}

// tombstones gives every feed the tombstones of the withdrawn items that
// belong to it and were withdrawn within the tombstone period of the
// catalog's newest date. An item that is also published gets none.
func (c *Catalog) tombstones(withdrawn []*Item) {
	if len(withdrawn) == 0 || c.cfg.TombstonePeriod < 0 {
		return
	}
	var newest time.Time
	for _, u := range c.updated {
		if u.After(newest) {
			newest = u
		}
	}
	latest := map[string]*Item{}
	for _, it := range withdrawn {
		if _, published := c.updated[it.ID]; published {
			continue
		}
		if w := latest[it.ID]; w == nil || it.Updated.After(w.Updated) || it.Updated.Equal(w.Updated) && it.Path < w.Path {
			latest[it.ID] = it
		}
		if it.Updated.After(newest) {
			newest = it.Updated
		}
	}
	list := make([]*Item, 0, len(latest))
	for _, it := range latest {
		if !it.Updated.Before(newest.Add(-c.cfg.TombstonePeriod)) {
			list = append(list, it)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !a.Updated.Equal(b.Updated) {
			return a.Updated.After(b.Updated)
		}
		return a.ID < b.ID
	})
	for _, it := range list {
		ts := Tombstone{ID: it.ID, When: it.Updated.UTC(), Path: it.Path}
		for _, p := range c.feedPaths(it) {
			if f := c.byPath[p]; f != nil {
				f.Tombstones = append(f.Tombstones, ts)
				if ts.When.After(f.Updated) {
					f.Updated = ts.When
				}
			}
		}
	}
}

// withdrawnSince returns what an earlier catalog knew that the records no
// longer hold, sorted by ID: the items it already knew were gone (gone, as
// they are), and the items it published or retracted (live) that are now
// in neither items nor retracted, each a copy with its Updated set to when
// this was found: for one that was published under cfg, the newest date of
// the records now, or its own when later.
func withdrawnSince(gone, live, items, retracted []*Item, cfg Config) []*Item {
	now := map[string]bool{}
	var newest time.Time
	for _, list := range [][]*Item{items, retracted} {
		for _, it := range list {
			now[it.ID] = true
			if it.Updated.After(newest) {
				newest = it.Updated
			}
		}
	}
	var out []*Item
	for _, it := range gone {
		if !now[it.ID] {
			now[it.ID] = true
			out = append(out, it)
		}
	}
	for _, it := range live {
		if now[it.ID] {
			continue
		}
		now[it.ID] = true
		g := *it
		if !cfg.retracted(it) && newest.After(g.Updated) {
			g.Updated = newest
		}
		out = append(out, &g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// tombstoned returns the IDs of the items some feed carries a tombstone
// for.
func (c *Catalog) tombstoned() map[string]bool {
	ids := map[string]bool{}
	for _, f := range c.Feeds {
		for _, t := range f.Tombstones {
			ids[t.ID] = true
		}
	}
	return ids
}

// community returns the community of it as the catalog publishes it: its
// slug folded by sanitize.Slug, so that a slug set in code ("../x", "CON", "")
// cannot name a path outside its feed's folder, then mapped by
// Config.CommunityAliases; its name, or the slug when it has none.
func (c *Catalog) community(it *Item) Community {
	cm := it.Community
	if cm.Slug == "" {
		return Community{}
	}
	cm.Slug = c.cfg.canonicalCommunity(sanitize.Slug(cm.Slug))
	if cm.Slug == "" {
		return Community{}
	}
	if cm.Name == "" {
		cm.Name = cm.Slug
	}
	return cm
}

// feedPaths lists the paths of the feeds an item belongs to.
func (c *Catalog) feedPaths(it *Item) []string {
	paths := []string{"all"}
	cp := ""
	if s := c.community(it).Slug; s != "" {
		cp = "communities/" + s
		paths = append(paths, cp)
	}
	for _, t := range it.Topics {
		ti := c.topics[t.Key]
		if ti == nil {
			continue
		}
		paths = append(paths, "topics/"+ti.Slug)
		if cp != "" {
			paths = append(paths, cp+"/topics/"+ti.Slug)
		}
	}
	return paths
}

func (c *Catalog) feed(kind feedKind, path, title, desc, home string) *Feed {
	f := &Feed{kind: kind, Path: path, Title: title, Description: desc, HomeURL: home, cat: c}
	c.byPath[path] = f
	c.Feeds = append(c.Feeds, f)
	return f
}

// add appends it, whose updated time in the catalog is u, to f, or once f
// holds Limit items to what f archives; items arrive newest first.
func (c *Catalog) add(f *Feed, it *Item, u time.Time) {
	if len(f.Items) >= c.cfg.Limit {
		if c.cfg.archived(f.kind) {
			f.older = append(f.older, it)
		}
		return
	}
	f.Items = append(f.Items, it)
	if u.After(f.Updated) {
		f.Updated = u
	}
}

// itemUpdated returns the time the catalog publishes as it's updated time.
func (c *Catalog) itemUpdated(it *Item) time.Time {
	if u, ok := c.updated[it.ID]; ok {
		return u
	}
	return it.Updated
}

// distinctUpdated gives every item an updated time no other item has, by
// moving ties (common when records carry only a day) apart by a microsecond
// each, in order of publication, then ID: Atom readers and validators treat
// equal updated times as one entry edited twice. Published times are never
// changed.
func distinctUpdated(items []*Item) map[string]time.Time {
	byUpdated := append([]*Item(nil), items...)
	slices.SortFunc(byUpdated, func(a, b *Item) int {
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		// Ties: the earlier published keeps the time, so that a record
		// published later moves itself, not items already archived.
		if c := a.Published.Compare(b.Published); c != 0 {
			return c
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path) // a total order
	})
	m := make(map[string]time.Time, len(items))
	var prev time.Time
	for i, it := range byUpdated {
		u := it.Updated
		if i > 0 && !u.After(prev) {
			u = prev.Add(time.Microsecond)
		}
		m[it.ID] = u
		prev = u
	}
	return m
}

// chooseTopics picks, for every folded topic key, the spelling used most
// (ties: the smallest label) and a slug unique in the catalog.
func chooseTopics(items []*Item) map[string]*TopicInfo {
	counts := map[string]map[Topic]int{}
	for _, it := range items {
		for _, t := range it.Topics {
			if counts[t.Key] == nil {
				counts[t.Key] = map[Topic]int{}
			}
			counts[t.Key][t]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]*TopicInfo, len(keys))
	used := map[string]bool{}
	for _, k := range keys {
		var best Topic
		bestN := -1
		for t, n := range counts[k] {
			if n > bestN || n == bestN && t.Label() < best.Label() {
				best, bestN = t, n
			}
		}
		// sanitize.Slug bounds the slug and keeps it a safe file name. A topic
		// whose slug another took is told apart by a hash of its key (the
		// first 8 hex digits of its SHA-1, as published before slugs were
		// bounded, so that its feed keeps its URL), cut to fit.
		slug := sanitize.Slug(best.Label())
		for n := 0; slug == "" || used[slug]; n++ {
			key := k
			if n > 0 {
				key += "\x00" + strconv.Itoa(n)
			}
			sum := sha1.Sum([]byte(key))
			h := hex.EncodeToString(sum[:4])
			base := sanitize.Slug(best.Label())
			if base == "" {
				base = "u"
			}
			if len(base) > sanitize.MaxSlugBytes-1-len(h) {
				base = strings.TrimRight(base[:sanitize.MaxSlugBytes-1-len(h)], "-")
			}
			slug = base + "-" + h
		}
		used[slug] = true
		out[k] = &TopicInfo{Topic: best, Slug: slug}
	}
	return out
}

// vocabularyURL is the category scheme of a vocabulary: an absolute URL on
// the site, as Atom requires an IRI.
func (c *Catalog) vocabularyURL(vocab string) string {
	s := sanitize.Slug(vocab)
	if s == "" {
		return ""
	}
	return c.site + "/vocabularies/" + s
}
