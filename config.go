package curafeed

import (
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/curafeed/curafeed/sanitize"
	"github.com/curafeed/curafeed/websub"
)

// The defaults of Config, documented on its fields.
const (
	defaultLimit           = 50
	defaultArchiveSize     = 50
	defaultTombstonePeriod = 30 * 24 * time.Hour
	defaultMaxFeedBytes    = 250_000 // JSON Feed 1.1 asks feeds to stay under 250 KB
	defaultMaxRecordBytes  = 8 << 20
)

// defaultPublishedStatuses and defaultRetractedStatuses are the statuses
// used when Config leaves them nil; normalize copies them.
var (
	defaultPublishedStatuses = []string{"", "approved", "published"}
	defaultRetractedStatuses = []string{"retracted", "withdrawn"}
)

// Config is the configuration of a build. Only SiteURL is required. Every
// numeric setting follows one convention: 0 means its default, a negative
// value turns the feature off where it can be off (and is an error where it
// cannot); a nil list means the default list, an empty one means none.
// Load, Build and the others read a Config and never change it; all of
// them check it the same way and return the same error for a bad one.
type Config struct {
	// SiteURL is the absolute http(s) URL of the community site. Item pages,
	// relative URLs in records and the feeds' home links are resolved
	// against it, and feed ids are derived from it.
	SiteURL string
	// FeedsURL is the absolute http(s) URL the feed tree is served from,
	// when not SiteURL: mounting the handler under /feeds is
	// FeedsURL: "https://example.org/feeds" with SiteURL
	// "https://example.org". Feed self links, the OPML list and the
	// stylesheet use it; item and home links and feed ids do not change.
	FeedsURL string
	// Title names the site in feed titles; the site's host when empty.
	Title string
	// Language is the feeds' language tag; "en" when empty.
	Language string
	// Limit is the number of newest items per feed; 50 when 0. It cannot be
	// off.
	Limit int
	// PublishedStatuses lists the status values that publish a record
	// (case-insensitive); "", "approved" and "published" when nil. Records
	// with any other status (e.g. "draft") stay out of every feed.
	PublishedStatuses []string
	// RetractedStatuses lists the status values that mean a record was
	// withdrawn (case-insensitive); "retracted" and "withdrawn" when nil.
	// Such a record leaves every feed, and the Atom feeds it belonged to
	// carry a tombstone for it (RFC 6721).
	RetractedStatuses []string
	// Archetypes, when not empty, lists the kinds of record (Item.Archetype)
	// that are published; records of other archetypes stay out of every
	// feed.
	Archetypes []string
	// LinkToPage makes an item's RSS <link> its page on the community site
	// instead of the curated article.
	LinkToPage bool
	// Workers is the number of records parsed at once; GOMAXPROCS when 0.
	Workers int
	// MaxRecordBytes caps the size of a record file: a larger one is
	// rejected without being read whole. 8 MiB when 0; no cap when
	// negative.
	MaxRecordBytes int64
	// CacheDir, when set, is where BuildDir keeps what each record parsed to
	// (by content hash) and what each feed file was made of, so that the
	// next build parses only the records that changed and renders only the
	// feeds whose bytes change. A cache written by another version of
	// curafeed, or for another site URL, statuses or archetypes, or a
	// damaged one, is ignored; after any other change of configuration its
	// feed fingerprints are. A Reloader uses the folder too: Reloader.Save
	// keeps there the feed documents it serves, and the next Reloader made
	// with the same configuration renders on its first load only the
	// documents whose content changed since (see Reloader.Save).
	CacheDir string

	// ArchiveSize is the number of items per archive document (RFC 5005):
	// the items of a feed beyond its newest Limit are published in archive
	// documents of this size, oldest first. 50 when 0; no archives when
	// negative (each feed then publishes only its newest Limit items).
	ArchiveSize int
	// ArchiveFeeds lists the feeds that keep archive documents: "all" (the
	// site-wide feed), "community", "topic" and "community-topic". When
	// nil, the site-wide and community feeds do: readers of a community
	// want its whole history, while topic and community×topic feeds, which
	// repeat the same items, would multiply the output many times over.
	// An empty list means none.
	ArchiveFeeds []string
	// TombstonePeriod is how long a tombstone stays, counted back from the
	// newest date of the catalog (never the clock); 30 days when 0; no
	// tombstones when negative (withdrawn items still leave every feed).
	TombstonePeriod time.Duration
	// MaxFeedBytes is the size budget of every feed document: a document
	// over it has the content of its oldest items replaced by their summary
	// and a link to read more, oldest first, until it fits. 250,000 when 0
	// (JSON Feed 1.1 asks for less than 250 KB); no budget when negative.
	MaxFeedBytes int
	// Hubs are WebSub hub URLs announced in every feed document (an Atom
	// link, an RSS atom:link and JSON Feed hubs, each rel="hub"); each must
	// pass websub.CheckHub: feeds are public, so a hub URL carries no
	// credentials or secrets.
	Hubs []string

	// CommunityAliases joins the spellings of one community into one feed:
	// each key is a community slug records use (an alias, e.g.
	// "risk-compliance"), its value the slug the community is published
	// under ("risk-and-compliance"). Keys and values are folded to slugs;
	// an alias of an alias resolves to the last one, and a cycle is an
	// error. The community takes the display name of the records that use
	// the canonical slug, when there are some.
	CommunityAliases map[string]string
	// Now is the time against which records dated in the future are
	// scheduled rather than published: a record whose date is after Now
	// stays out of every feed (see IncludeFuture). When zero, Load, Build
	// and BuildDir read the clock once each; the same records, Config and
	// Now always give the same bytes, so set Now for reproducible builds.
	Now time.Time
	// IncludeFuture publishes records dated after Now as well.
	IncludeFuture bool
	archives      [kindCommunityTopic + 1]bool // by feed kind, from ArchiveFeeds

	// Progress, when not nil, is told how a long run advances, for a
	// progress display: while records are parsed (stage "records", done of
	// total record files: Load, BuildDir and each load of a Reloader) and
	// while feed files are written (stage "feeds", done of total feed
	// documents × formats, written or left as they were: BuildDir and
	// Catalog.WriteDir). It is called every 64 files and when a stage
	// ends, from the goroutines doing the work but never two at once, with
	// done rising within a stage. It should return quickly. It changes
	// nothing in what is built, nor in the build cache.
	Progress func(stage string, done, total int)
}

// archived reports whether feeds of kind k keep archive documents; c is
// normalized.
func (c Config) archived(k feedKind) bool { return c.ArchiveSize > 0 && c.archives[k] }

// archiveFeedNames name the kinds of feed in Config.ArchiveFeeds.
var archiveFeedNames = map[string]feedKind{
	"all": kindAll, "community": kindCommunity, "topic": kindTopic, "community-topic": kindCommunityTopic,
}

// normalize checks c and returns a copy with every default filled in, and
// the parsed site URL. It is the one place a Config is checked.
func (c Config) normalize() (Config, *url.URL, error) {
	u, err := absoluteHTTP("site URL", c.SiteURL)
	if err != nil {
		return c, nil, err
	}
	c.SiteURL = u.String()
	if strings.TrimSpace(c.FeedsURL) == "" {
		c.FeedsURL = c.SiteURL
	} else {
		fu, err := absoluteHTTP("feeds URL", c.FeedsURL)
		if err != nil {
			return c, nil, err
		}
		c.FeedsURL = fu.String()
	}
	if c.Title == "" {
		c.Title = u.Host
	}
	if c.Language == "" {
		c.Language = "en"
	}
	for _, n := range []struct {
		name string
		v    int64
	}{{"Limit", int64(c.Limit)}, {"Workers", int64(c.Workers)}} {
		if n.v < 0 {
			return c, nil, fmt.Errorf("curafeed: %s is %d: it cannot be off (0 means the default)", n.name, n.v)
		}
	}
	c.Limit = or(c.Limit, defaultLimit)
	c.Workers = or(c.Workers, runtime.GOMAXPROCS(0))
	c.MaxRecordBytes = or(c.MaxRecordBytes, defaultMaxRecordBytes)
	c.ArchiveSize = or(c.ArchiveSize, defaultArchiveSize)
	c.TombstonePeriod = or(c.TombstonePeriod, defaultTombstonePeriod)
	c.MaxFeedBytes = or(c.MaxFeedBytes, defaultMaxFeedBytes)
	c.archives = [len(c.archives)]bool{}
	if c.ArchiveFeeds == nil {
		c.archives[kindAll], c.archives[kindCommunity] = true, true
	}
	for _, name := range c.ArchiveFeeds {
		k, ok := archiveFeedNames[strings.TrimSpace(name)]
		if !ok {
			return c, nil, fmt.Errorf("curafeed: ArchiveFeeds names %q: want all, community, topic or community-topic", name)
		}
		c.archives[k] = true
	}
	if c.PublishedStatuses == nil {
		c.PublishedStatuses = slices.Clone(defaultPublishedStatuses)
	}
	if c.RetractedStatuses == nil {
		c.RetractedStatuses = slices.Clone(defaultRetractedStatuses)
	}
	var hubs []string
	for i, h := range c.Hubs {
		if _, err := websub.CheckHub(h); err != nil {
			return c, nil, fmt.Errorf("curafeed: Config.Hubs[%d]: %w", i, err)
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

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// absoluteHTTP parses an absolute http(s) URL without credentials, query or
// fragment, and drops its trailing slashes.
func absoluteHTTP(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("curafeed: %s %q is not an absolute http(s) URL", what, raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u, nil
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

// retracted reports whether it's status says it was withdrawn.
func (c Config) retracted(it *Item) bool {
	return it.Status != "" && containsFold(c.RetractedStatuses, it.Status)
}

// published reports whether it's status and archetype publish it.
func (c Config) published(it *Item) bool {
	return containsFold(c.PublishedStatuses, it.Status) &&
		(len(c.Archetypes) == 0 || containsFold(c.Archetypes, it.Archetype))
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// normalizeAliases folds the keys and values of aliases to slugs and
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
				return nil, errors.New("curafeed: community aliases go round in a cycle through " + fmt.Sprintf("%q", v))
			}
			seen[v] = true
			v = next
		}
		out[k] = v
	}
	return out, nil
}
