package curafeed

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// FeedKind says what a feed collects.
type FeedKind int

// The kinds of feed a catalog holds, in the order they are listed.
const (
	KindAll            FeedKind = iota // every published item
	KindCommunity                      // one community's items
	KindTopic                          // one topic's items, across communities
	KindCommunityTopic                 // one community's items on one topic
)

// String returns the kind's name.
func (k FeedKind) String() string {
	switch k {
	case KindAll:
		return "all"
	case KindCommunity:
		return "community"
	case KindTopic:
		return "topic"
	case KindCommunityTopic:
		return "community-topic"
	}
	return fmt.Sprintf("FeedKind(%d)", int(k))
}

// Format is a feed format.
type Format int

// The formats every feed is written in.
const (
	RSS  Format = iota // RSS 2.0
	Atom               // Atom 1.0 (RFC 4287)
	JSON               // JSON Feed 1.1
)

// Formats lists every format, in the order feeds are written.
var Formats = []Format{RSS, Atom, JSON}

// FileName is the format's file name in the output tree.
func (f Format) FileName() string {
	switch f {
	case Atom:
		return "atom.xml"
	case JSON:
		return "feed.json"
	}
	return "rss.xml"
}

// ContentType is the format's media type, with its charset.
func (f Format) ContentType() string {
	switch f {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/rss+xml; charset=utf-8"
}

// MediaType is the format's media type without parameters.
func (f Format) MediaType() string {
	mt, _, _ := strings.Cut(f.ContentType(), ";")
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
type Feed struct {
	Kind        FeedKind
	Path        string // directory in the output tree, e.g. communities/femtech
	Title       string
	Description string
	HomeURL     string     // the site page this feed follows
	Community   Community  // set for community feeds
	Topic       *TopicInfo // set for topic feeds
	Items       []*Item
	Updated     time.Time // the newest item's updated time

	cat *Catalog
}

// URL returns the absolute URL of the feed in the given format.
func (f *Feed) URL(format Format) string {
	return f.cat.site + "/" + f.Path + "/" + format.FileName()
}

// ID returns the feed's permanent id (Atom feed id), derived from the site
// and the feed's path, so it never changes between builds.
func (f *Feed) ID() string {
	return "urn:uuid:" + uuidV5(f.cat.site+"/"+f.Path+"/")
}

// Catalog is every feed built from one set of records. It is immutable once
// Build returns it and safe for concurrent use.
type Catalog struct {
	// Feeds lists every feed: all, then communities, topics and
	// community×topic feeds, each group ordered by path.
	Feeds []*Feed

	cfg     Config
	site    string
	byPath  map[string]*Feed
	topics  map[string]*TopicInfo
	updated map[string]time.Time // by item ID
}

// Config returns the catalog's normalized configuration.
func (c *Catalog) Config() Config { return c.cfg }

// Feed returns the feed at path (e.g. "topics/gartner-cybersecurity"), or nil.
func (c *Catalog) Feed(path string) *Feed { return c.byPath[path] }

// Topic returns the catalog's published form of a topic key, or nil.
func (c *Catalog) Topic(key string) *TopicInfo { return c.topics[key] }

// Build groups items into the site-wide feed, one feed per community, per
// topic and per community×topic. Items need not be sorted, but their IDs
// must be distinct, as Load makes them. Build does not modify the items.
func Build(items []*Item, cfg Config) (*Catalog, error) {
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	sorted := append([]*Item(nil), items...)
	sortItems(sorted)

	c := &Catalog{cfg: cfg, site: cfg.SiteURL, byPath: map[string]*Feed{}}
	c.topics = chooseTopics(sorted)
	c.updated = distinctUpdated(sorted)

	all := c.feed(KindAll, "all", cfg.Title, "Curated articles from every community of "+cfg.Title+".", site.String()+"/")
	for _, it := range sorted {
		c.add(all, it)
		var cf *Feed
		if s := it.Community.Slug; s != "" {
			cf = c.byPath["communities/"+s]
			if cf == nil {
				cf = c.feed(KindCommunity, "communities/"+s, it.Community.Name+" | "+cfg.Title,
					"Curated articles from the "+it.Community.Name+" community of "+cfg.Title+".",
					site.ResolveReference(&url.URL{Path: "/communities/" + s + "/"}).String())
				cf.Community = it.Community
			}
			c.add(cf, it)
		}
		for _, t := range it.Topics {
			ti := c.topics[t.Key]
			tp := "topics/" + ti.Slug
			tf := c.byPath[tp]
			if tf == nil {
				tf = c.feed(KindTopic, tp, ti.Label()+" | "+cfg.Title,
					"Curated articles on "+ti.Label()+" from every community of "+cfg.Title+".", site.String()+"/")
				tf.Topic = ti
			}
			c.add(tf, it)
			if cf != nil {
				ctp := cf.Path + "/" + tp
				ctf := c.byPath[ctp]
				if ctf == nil {
					ctf = c.feed(KindCommunityTopic, ctp, ti.Label()+" | "+cf.Community.Name+" | "+cfg.Title,
						"Curated articles on "+ti.Label()+" from the "+cf.Community.Name+" community of "+cfg.Title+".", cf.HomeURL)
					ctf.Community, ctf.Topic = cf.Community, ti
				}
				c.add(ctf, it)
			}
		}
	}
	sort.SliceStable(c.Feeds, func(i, j int) bool {
		a, b := c.Feeds[i], c.Feeds[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Path < b.Path
	})
	return c, nil
}

func (c *Catalog) feed(kind FeedKind, path, title, desc, home string) *Feed {
	f := &Feed{Kind: kind, Path: path, Title: title, Description: desc, HomeURL: home, cat: c}
	c.byPath[path] = f
	c.Feeds = append(c.Feeds, f)
	return f
}

// add appends it to f unless f is full; items arrive newest first.
func (c *Catalog) add(f *Feed, it *Item) {
	if len(f.Items) >= c.cfg.Limit {
		return
	}
	f.Items = append(f.Items, it)
	if u := c.updated[it.ID]; u.After(f.Updated) {
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
// each, in ID order: Atom readers and validators treat equal updated times
// as one entry edited twice. Published times are never changed.
func distinctUpdated(items []*Item) map[string]time.Time {
	byUpdated := append([]*Item(nil), items...)
	sort.SliceStable(byUpdated, func(i, j int) bool {
		a, b := byUpdated[i], byUpdated[j]
		if !a.Updated.Equal(b.Updated) {
			return a.Updated.Before(b.Updated)
		}
		return a.ID < b.ID
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
		slug := Slugify(best.Label())
		if slug == "" || used[slug] {
			sum := sha1.Sum([]byte(k))
			slug = strings.Trim(slug+"-"+hex.EncodeToString(sum[:4]), "-")
		}
		used[slug] = true
		out[k] = &TopicInfo{Topic: best, Slug: slug}
	}
	return out
}

// vocabularyURL is the category scheme of a vocabulary: an absolute URL on
// the site, as Atom requires an IRI.
func (c *Catalog) vocabularyURL(vocab string) string {
	s := Slugify(vocab)
	if s == "" {
		return ""
	}
	return c.site + "/vocabularies/" + s
}
