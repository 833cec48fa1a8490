package curafeed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mmcdole/gofeed"
	atomparser "github.com/mmcdole/gofeed/atom"
	rssparser "github.com/mmcdole/gofeed/rss"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The sample corpus's one retracted record.
const (
	synRetractedUUID = "dd427a73-4e9c-5625-ac26-06edb777e6b9"
	synRetractedID   = "urn:uuid:" + synRetractedUUID
	synRetractedPath = "communities/femtech/curated-content/" + synRetractedUUID + ".md"
	synRetractedWhen = "2024-09-02T08:30:00Z"
)

// The feeds the retracted record belonged to.
var synRetractedFeeds = []string{
	"all",
	"communities/femtech",
	"communities/femtech/topics/medigy-maternal-health",
	"topics/medigy-maternal-health",
}

// The namespaces the tests look for, spelled out here rather than taken
// from the package.
const (
	synNSAtom      = "http://www.w3.org/2005/Atom"
	synNSHistory   = "http://purl.org/syndication/history/1.0"
	synNSTombstone = "http://purl.org/atompub/tombstones/1.0"
)

// synConfig is sampleConfig changed by mod.
func synConfig(mod func(*Config)) Config {
	cfg := sampleConfig
	if mod != nil {
		mod(&cfg)
	}
	return cfg
}

// synBuild loads fsys and builds every record, retracted ones included.
func synBuild(t testing.TB, fsys fs.FS, cfg Config) (*Records, *Catalog) {
	t.Helper()
	recs, err := Load(fsys, cfg)
	require.NoError(t, err)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	return recs, cat
}

// synFiles returns every file of the catalog's tree, in the order Files
// yields them.
func synFiles(t testing.TB, cat *Catalog) []File {
	t.Helper()
	var files []File
	require.NoError(t, cat.Files(func(f File) error { files = append(files, f); return nil }))
	return files
}

// synSampleFS is a copy of testdata/records that a test may add to.
func synSampleFS(t testing.TB) fstest.MapFS {
	t.Helper()
	src := os.DirFS("testdata/records")
	m := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, len(m), 40)
	return m
}

// synRecord is a record file of the femtech community on maternal health,
// spelled as the sample's other femtech records are, published at date.
func synRecord(uuid string, recordID int, date, status string) []byte {
	return []byte(`---
archetype: curated-content
author:
- Vinit @maxinovip.com
basePath: /communities/femtech/curated-content/
communityTopics:
- 'Medigy: Maternal Health'
date: '` + date + `'
description: 'A synthetic record ` + uuid + ` added by the syndication tests.'
id: ` + strconv.Itoa(recordID) + `
identifier: FemTech
lastMod: '` + date + `'
link:
  brand: synthetic.example
  href: https://synthetic.example/` + uuid + `
mastHead: FemTech CoP
mdName: ` + uuid + `
slug: synthetic-` + uuid + `
status: '` + status + `'
title: 'Synthetic Record ` + uuid + `'
type: communities/medigy-femtech
---
<p>The body of a synthetic record, long enough to be <em>worth</em> cutting when a feed must shrink.</p>
`)
}

// synParseItem parses a synRecord as Load would.
func synParseItem(t testing.TB, uuid string, recordID int, date, status string) *Item {
	t.Helper()
	site, err := url.Parse(sampleConfig.SiteURL)
	require.NoError(t, err)
	name := "communities/femtech/curated-content/" + uuid + ".md"
	it, _, err := parseRecord(name, synRecord(uuid, recordID, date, status), parseOptions{SiteURL: site})
	require.NoError(t, err)
	require.NotNil(t, it)
	return it
}

// ---- reading documents back ----

type synLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr"`
}

type synDeleted struct {
	Ref  string `xml:"ref,attr"`
	When string `xml:"when,attr"`
}

type synHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// synXRSS is what the tests read of an RSS document, by namespace.
type synXRSS struct {
	XMLName xml.Name `xml:"rss"`
	Channel struct {
		Links   []synLink    `xml:"http://www.w3.org/2005/Atom link"`
		Archive []struct{}   `xml:"http://purl.org/syndication/history/1.0 archive"`
		Deleted []synDeleted `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
		Items   []struct {
			GUID    string `xml:"guid"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

// synXAtom is what the tests read of an Atom document, by namespace.
type synXAtom struct {
	XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string       `xml:"http://www.w3.org/2005/Atom id"`
	Updated string       `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []synLink    `xml:"http://www.w3.org/2005/Atom link"`
	Archive []struct{}   `xml:"http://purl.org/syndication/history/1.0 archive"`
	Deleted []synDeleted `xml:"http://purl.org/atompub/tombstones/1.0 deleted-entry"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Content string `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// synXJSON is what the tests read of a JSON Feed document.
type synXJSON struct {
	Version string   `json:"version"`
	FeedURL string   `json:"feed_url"`
	NextURL string   `json:"next_url"`
	Hubs    []synHub `json:"hubs"`
	Items   []struct {
		ID          string `json:"id"`
		ContentHTML string `json:"content_html"`
	} `json:"items"`
}

// synDoc is one document read back.
type synDoc struct {
	IDs      []string  // item ids, in document order
	Contents []string  // item content (HTML), in document order
	Links    []synLink // feed-level links (RSS atom:link, Atom link)
	Archives int       // fh:archive elements
	Deleted  []synDeleted
	FeedID   string // Atom <id>
	Updated  string // Atom <updated>
	FeedURL  string // JSON feed_url
	NextURL  string // JSON next_url
	Hubs     []synHub
	HasHubs  bool // JSON: a "hubs" member is present
}

// rel returns the hrefs of the document's links with relation rel.
func (d synDoc) rel(rel string) []string {
	var out []string
	for _, l := range d.Links {
		if l.Rel == rel {
			out = append(out, l.Href)
		}
	}
	return out
}

// synWellFormed reads every token of an XML document, to its end.
func synWellFormed(t testing.TB, name string, body []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "%s is not well-formed XML", name)
	}
}

// synParse reads a document of the given format three ways: with
// encoding/xml or encoding/json, with gofeed's universal parser (which must
// find the same items) and, for RSS and Atom, with gofeed's format parser
// (which must find the same feed links).
func synParse(t testing.TB, name string, format Format, body []byte) synDoc {
	t.Helper()
	var d synDoc
	switch format {
	case RSS:
		synWellFormed(t, name, body)
		var x synXRSS
		require.NoError(t, xml.Unmarshal(body, &x), name)
		d.Links, d.Archives, d.Deleted = x.Channel.Links, len(x.Channel.Archive), x.Channel.Deleted
		for _, it := range x.Channel.Items {
			d.IDs = append(d.IDs, it.GUID)
			d.Contents = append(d.Contents, it.Content)
		}
		rf, err := (&rssparser.Parser{}).Parse(bytes.NewReader(body))
		require.NoError(t, err, name)
		var links []synLink
		for _, e := range rf.Extensions["atom"]["link"] {
			links = append(links, synLink{Rel: e.Attrs["rel"], Href: e.Attrs["href"], Type: e.Attrs["type"]})
		}
		assert.Equal(t, d.Links, links, "%s: gofeed's rss parser reads other atom:link elements", name)
	case Atom:
		synWellFormed(t, name, body)
		var x synXAtom
		require.NoError(t, xml.Unmarshal(body, &x), name)
		d.Links, d.Archives, d.Deleted, d.FeedID, d.Updated = x.Links, len(x.Archive), x.Deleted, x.ID, x.Updated
		for _, e := range x.Entries {
			d.IDs = append(d.IDs, e.ID)
			d.Contents = append(d.Contents, e.Content)
		}
		af, err := (&atomparser.Parser{}).Parse(bytes.NewReader(body))
		require.NoError(t, err, name)
		var links []synLink
		for _, l := range af.Links {
			links = append(links, synLink{Rel: l.Rel, Href: l.Href, Type: l.Type})
		}
		assert.Equal(t, d.Links, links, "%s: gofeed's atom parser reads other links", name)
		assert.Equal(t, d.FeedID, af.ID, name)
	case JSON:
		var x synXJSON
		require.NoError(t, json.Unmarshal(body, &x), name)
		var raw map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(body, &raw), name)
		_, d.HasHubs = raw["hubs"]
		assert.Equal(t, "https://jsonfeed.org/version/1.1", x.Version, name)
		d.FeedURL, d.NextURL, d.Hubs = x.FeedURL, x.NextURL, x.Hubs
		for _, it := range x.Items {
			d.IDs = append(d.IDs, it.ID)
			d.Contents = append(d.Contents, it.ContentHTML)
		}
	}
	pf, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	require.NoError(t, err, "gofeed cannot parse %s", name)
	var guids []string
	for _, it := range pf.Items {
		guids = append(guids, it.GUID)
	}
	require.Equal(t, d.IDs, guids, "%s: gofeed reads other items", name)
	return d
}

// synGet requests an absolute URL of the site from h and requires a 200.
func synGet(t testing.TB, h http.Handler, site, u string) *httptest.ResponseRecorder {
	t.Helper()
	p, ok := strings.CutPrefix(u, site+"/")
	require.True(t, ok, "%s is not on the site %s", u, site)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/"+p, nil))
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", u, rec.Body.String())
	return rec
}

// synFeedScope reads a current feed's community and topic slugs from its
// path, as the output tree lays them out.
func synFeedScope(t testing.TB, path string) (community, topic string) {
	t.Helper()
	seg := strings.Split(path, "/")
	switch {
	case len(seg) == 1 && seg[0] == "all":
	case len(seg) == 2 && seg[0] == "communities":
		community = seg[1]
	case len(seg) == 2 && seg[0] == "topics":
		topic = seg[1]
	case len(seg) == 4 && seg[0] == "communities" && seg[2] == "topics":
		community, topic = seg[1], seg[3]
	default:
		t.Fatalf("unexpected feed path %q", path)
	}
	return community, topic
}

// synExpected lists the ids of the items (newest first) that belong to the
// current feed at path: every item for all, the community's items, the
// items on the topic, or both.
func synExpected(t testing.TB, cat *Catalog, items []*Item, path string) []string {
	t.Helper()
	community, topic := synFeedScope(t, path)
	var ids []string
	for _, it := range items {
		if community != "" && it.Community.Slug != community {
			continue
		}
		if topic != "" {
			on := false
			for _, tp := range it.Topics {
				if ti := cat.topics[tp.Key]; ti != nil && ti.Slug == topic {
					on = true
				}
			}
			if !on {
				continue
			}
		}
		ids = append(ids, it.ID)
	}
	return ids
}

// ---- archives ----

// By default the site-wide and community feeds keep archives, topic and
// community×topic feeds do not; ArchiveFeeds chooses.
func TestArchiveFeedsByKind(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		feeds []string
		want  map[feedKind]bool
	}{
		{nil, map[feedKind]bool{kindAll: true, kindCommunity: true}},
		{[]string{}, map[feedKind]bool{}},
		{[]string{"topic", "community-topic"}, map[feedKind]bool{kindTopic: true, kindCommunityTopic: true}},
	} {
		cfg := synConfig(func(cf *Config) { cf.Limit, cf.ArchiveSize, cf.ArchiveFeeds = 1, 2, c.feeds })
		_, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
		seen := map[feedKind]bool{}
		for _, f := range cat.Feeds {
			if len(f.Items) == 1 && len(f.older) == 0 && len(f.Archives) == 0 && !c.want[f.kind] {
				continue
			}
			has := len(f.Archives) > 0
			if has {
				seen[f.kind] = true
			}
			assert.False(t, has && !c.want[f.kind], "%v: %s has archives", c.feeds, f.Path)
		}
		for k := range c.want {
			assert.True(t, seen[k], "%v: no feed of kind %v has archives", c.feeds, k)
		}
	}
	_, err := Build(nil, synConfig(func(cf *Config) { cf.ArchiveFeeds = []string{"topics"} }))
	assert.ErrorContains(t, err, `ArchiveFeeds names "topics"`)
}

// TestArchiveChain walks the archive chain (RFC 5005) of every feed in every
// format through the handler, from the current document back along
// prev-archive (RSS and Atom) or next_url (JSON Feed), and checks that it
// reaches every item of the feed once, newest first, in documents of the
// configured sizes, each linked and marked as RFC 5005 says and served with
// the right Cache-Control.
func TestArchiveChain(t *testing.T) {
	t.Parallel()
	for _, sz := range []struct{ limit, size int }{{3, 4}, {1, 3}} {
		t.Run(fmt.Sprintf("limit%d-size%d", sz.limit, sz.size), func(t *testing.T) {
			cfg := synConfig(func(c *Config) {
				c.Limit, c.ArchiveSize = sz.limit, sz.size
				c.ArchiveFeeds = []string{"all", "community", "topic", "community-topic"}
			})
			recs, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
			site := cat.Config().SiteURL
			h := NewHandler(cat, HandlerOptions{})

			archived, fullNewest := 0, 0
			visited := map[string]bool{}
			for _, f := range cat.Feeds {
				require.Zero(t, f.Archive, f.Path)
				require.Nil(t, f.Current, f.Path)
				want := synExpected(t, cat, recs.Items, f.Path)
				require.NotEmpty(t, want, f.Path)
				wantArchives := 0
				if n := len(want) - sz.limit; n > 0 {
					wantArchives = (n + sz.size - 1) / sz.size
				}
				require.Len(t, f.Archives, wantArchives, f.Path)
				archived += wantArchives
				if n := len(f.Archives); n > 0 && len(f.Archives[n-1].Items) == sz.size {
					fullNewest++
				}
				for i, a := range f.Archives {
					assert.Equal(t, i+1, a.Archive, f.Path)
					assert.Equal(t, f.Path+"/archive/"+strconv.Itoa(i+1), a.Path)
					assert.Same(t, f, a.Current, a.Path)
					assert.Same(t, a, feedOf(cat, a.Path), a.Path)
					assert.Equal(t, f.ID(), a.ID(), a.Path)
					assert.Equal(t, f.kind, a.kind, a.Path)
					assert.Empty(t, a.Archives, a.Path)
					assert.Empty(t, a.Tombstones, a.Path)
					assert.Equal(t, len(a.Items) == sz.size && i < len(f.Archives)-1, a.fullArchive(), a.Path)
					assert.NotEmpty(t, a.Items, a.Path)
					if i < len(f.Archives)-1 {
						assert.Len(t, a.Items, sz.size, "%s: only the newest archive may hold fewer", a.Path)
					}
				}
				docs := f.Documents()
				require.Len(t, docs, 1+len(f.Archives), f.Path)

				for _, format := range Formats() {
					name := f.Path + " " + format.String()
					var got []string
					var prevURL, feedID string
					u := f.URL(format)
					for k := 0; u != ""; k++ {
						require.Less(t, k, len(docs), "%s: the chain is longer than the feed's documents", name)
						require.False(t, visited[u], "%s: %s reached twice", name, u)
						visited[u] = true
						num := 0 // the archive number; 0 for the current document
						wantURL := site + "/" + f.Path + "/" + format.fileName()
						if k > 0 {
							num = len(f.Archives) - k + 1
							wantURL = site + "/" + f.Path + "/archive/" + strconv.Itoa(num) + "/" + format.fileName()
						}
						require.Equal(t, wantURL, u, name)
						require.Equal(t, docs[k].URL(format), u, name)
						rec := synGet(t, h, site, u)
						assert.Equal(t, format.contentType(), rec.Header().Get("Content-Type"), u)
						d := synParse(t, u, format, rec.Body.Bytes())

						switch {
						case k == 0:
							assert.Len(t, d.IDs, min(sz.limit, len(want)), u)
						case num == len(f.Archives): // the newest archive may hold fewer
							assert.NotEmpty(t, d.IDs, u)
							assert.LessOrEqual(t, len(d.IDs), sz.size, u)
						default:
							assert.Len(t, d.IDs, sz.size, u)
						}
						// Full archives but the newest get the long
						// Cache-Control: the newest one's next-archive
						// link changes when a newer archive is made.
						full := k > 0 && len(d.IDs) == sz.size && num < len(f.Archives)
						wantCC := defaultCacheControl
						if full {
							wantCC = defaultArchiveCacheControl
						}
						assert.Equal(t, wantCC, rec.Header().Get("Cache-Control"), u)
						got = append(got, d.IDs...)

						next := ""
						switch format {
						case RSS, Atom:
							mt := format.mediaType()
							assert.Equal(t, []string{u}, d.rel("self"), u)
							for _, l := range d.Links {
								if strings.HasSuffix(l.Rel, "archive") || l.Rel == "current" {
									assert.Equal(t, mt, l.Type, "%s: link %s", u, l.Rel)
								}
							}
							prev := d.rel("prev-archive")
							require.LessOrEqual(t, len(prev), 1, u)
							if len(prev) == 1 {
								next = prev[0]
							}
							if k == 0 {
								assert.Zero(t, d.Archives, "%s: a current feed carries fh:archive", u)
								assert.Empty(t, d.rel("current"), u)
								assert.Empty(t, d.rel("next-archive"), u)
							} else {
								assert.Equal(t, 1, d.Archives, "%s: an archive carries one fh:archive", u)
								assert.Equal(t, []string{f.URL(format)}, d.rel("current"), u)
								assert.Empty(t, d.Deleted, u)
								// next-archive is the document the walk came
								// from: the next archive, or for the newest
								// archive the current feed (README).
								assert.Equal(t, []string{prevURL}, d.rel("next-archive"), u)
							}
							if format == Atom {
								if k == 0 {
									feedID = d.FeedID
									assert.Equal(t, f.ID(), feedID, u)
								} else {
									assert.Equal(t, feedID, d.FeedID, "%s: an archive has its current feed's id", u)
								}
							}
						case JSON:
							assert.Equal(t, u, d.FeedURL, u)
							next = d.NextURL
						}
						if num == 1 {
							assert.Empty(t, next, "%s: archive 1 links an older document", u)
						} else if k < len(f.Archives) {
							assert.NotEmpty(t, next, "%s: the chain stops early", u)
						}
						prevURL, u = u, next
					}
					seen := map[string]int{}
					for _, id := range got {
						seen[id]++
					}
					for id, n := range seen {
						assert.Equal(t, 1, n, "%s: %s reached %d times", name, id, n)
					}
					assert.Equal(t, want, got, "%s: the chain's items", name)
				}
			}
			require.Greater(t, archived, 20)
			assert.Positive(t, fullNewest, "some feed's archived items fill their documents exactly, so its newest archive is full")

			// Every feed file the handler serves is reached by some walk.
			var feedFiles []string
			for _, file := range synFiles(t, cat) {
				if file.Feed != nil {
					feedFiles = append(feedFiles, site+"/"+file.Path)
				}
			}
			var walked []string
			for u := range visited {
				walked = append(walked, u)
			}
			sort.Strings(feedFiles)
			sort.Strings(walked)
			assert.Equal(t, feedFiles, walked)
		})
	}
}

// synStable builds the sample, then the sample and one newer record, with
// the given sizes, and requires every full archive document of the first
// build to keep its bytes in the second. It returns how many documents it
// compared.
func synStable(t *testing.T, limit, size int) int {
	cfg := synConfig(func(c *Config) { c.Limit, c.ArchiveSize = limit, size })
	fsys := synSampleFS(t)
	_, cat1 := synBuild(t, fsys, cfg)
	const uuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
	fsys["communities/femtech/curated-content/"+uuid+".md"] = &fstest.MapFile{Data: synRecord(uuid, 990001, "2024-09-01T12:00:00Z", ""), Mode: 0o644}
	recs2, cat2 := synBuild(t, fsys, cfg)
	require.Equal(t, "urn:uuid:"+uuid, recs2.Items[0].ID, "the new record is the newest")
	for _, p := range []string{"all", "communities/femtech", "topics/medigy-maternal-health", "communities/femtech/topics/medigy-maternal-health"} {
		require.Equal(t, "urn:uuid:"+uuid, feedOf(cat2, p).Items[0].ID, p)
	}

	files2 := map[string]File{}
	for _, f := range synFiles(t, cat2) {
		files2[f.Path] = f
	}
	compared := 0
	for _, f := range synFiles(t, cat1) {
		if f.Feed == nil || !f.Feed.fullArchive() {
			continue
		}
		g, ok := files2[f.Path]
		if !assert.True(t, ok, "%s is gone", f.Path) {
			continue
		}
		assert.Equal(t, string(f.Body), string(g.Body), "%s changed when a newer record was added", f.Path)
		compared++
	}
	return compared
}

// TestArchiveStable adds a record newer than every other and checks that
// the full archive documents of every feed keep their bytes, in every
// format; and that NoArchives leaves no trace of archives.
func TestArchiveStable(t *testing.T) {
	t.Parallel()
	t.Run("limit3-size4", func(t *testing.T) {
		// all: 39 older items, 9 full archives and one of 3, which the new
		// item fills.
		assert.Greater(t, synStable(t, 3, 4), 30)
	})
	t.Run("NoArchives", func(t *testing.T) {
		cfg := synConfig(func(c *Config) { c.Limit, c.ArchiveSize = 3, -1 })
		recs, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
		for _, f := range cat.Feeds {
			assert.Empty(t, f.Archives, f.Path)
			assert.Len(t, f.Documents(), 1, f.Path)
			assert.Equal(t, synExpected(t, cat, recs.Items, f.Path)[:len(f.Items)], func() []string {
				var ids []string
				for _, it := range f.Items {
					ids = append(ids, it.ID)
				}
				return ids
			}(), f.Path)
			assert.LessOrEqual(t, len(f.Items), 3, f.Path)
		}
		assert.Nil(t, feedOf(cat, "all/archive/1"))
		n := 0
		for _, file := range synFiles(t, cat) {
			assert.NotContains(t, file.Path, "/archive/")
			if file.Feed != nil { // feed.xsl knows archives, whether or not there are any
				for _, s := range []string{"prev-archive", "next-archive", `rel="current"`, "next_url", synNSHistory} {
					assert.NotContains(t, string(file.Body), s, file.Path)
				}
			}
			if file.Feed != nil {
				d := synParse(t, file.Path, file.Format, file.Body)
				assert.Zero(t, d.Archives, file.Path)
				assert.Empty(t, d.NextURL, file.Path)
				n++
			}
		}
		assert.Equal(t, 3*len(cat.Feeds), n)
		rec := httptest.NewRecorder()
		NewHandler(cat, HandlerOptions{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/all/archive/1/rss.xml", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code)
	})
}

// TestArchiveStableNewArchive is TestArchiveStable where the newest archive
// of the site-wide feed is full before the new record arrives (42 items,
// limit 3, archives of 3: archives 1 to 13 are full), so the new record
// opens archive 14. Archive 13 was the newest, so not a fullArchive, and
// is not compared (its next-archive link moves from the current feed to
// archive 14); archives 1 to 12 must keep their bytes, since the handler
// lets caches keep them for a week.
func TestArchiveStableNewArchive(t *testing.T) {
	t.Parallel()
	assert.Greater(t, synStable(t, 3, 3), 30)
}

// ---- tombstones ----

// TestRetracted checks the sample's retracted record: it is in no feed of
// any format, and the Atom feeds it belonged to carry its tombstone (RFC
// 6721) for the tombstone period.
func TestRetracted(t *testing.T) {
	t.Parallel()
	recs, err := Load(os.DirFS("testdata/records"), sampleConfig)
	require.NoError(t, err)
	require.Len(t, recs.Retracted, 1)
	retracted := recs.Retracted[0]
	assert.Equal(t, synRetractedID, retracted.ID)
	assert.Equal(t, synRetractedPath, retracted.Path)
	assert.True(t, strings.EqualFold("retracted", retracted.Status), retracted.Status)
	for _, it := range recs.Items {
		assert.NotEqual(t, synRetractedID, it.ID)
	}
	when, err := time.Parse(time.RFC3339, synRetractedWhen)
	require.NoError(t, err)

	for _, limit := range []int{0, 3} {
		t.Run(fmt.Sprintf("limit%d", limit), func(t *testing.T) {
			cfg := synConfig(func(c *Config) { c.Limit, c.ArchiveSize = limit, 4 })
			cat, err := Build(recs.All(), cfg)
			require.NoError(t, err)
			for _, f := range cat.Feeds {
				if containsString(synRetractedFeeds, f.Path) {
					require.Len(t, f.Tombstones, 1, f.Path)
					ts := f.Tombstones[0]
					assert.Equal(t, synRetractedID, ts.ID, f.Path)
					assert.True(t, when.Equal(ts.When), "%s: tombstone when %s", f.Path, ts.When)
					assert.Equal(t, synRetractedPath, ts.Path, f.Path)
					assert.False(t, f.Updated.Before(when), "%s: updated %s before its tombstone", f.Path, f.Updated)
				} else {
					assert.Empty(t, f.Tombstones, f.Path)
				}
			}
			docs := 0
			for _, file := range synFiles(t, cat) {
				body := string(file.Body)
				if file.Feed == nil {
					assert.NotContains(t, body, synRetractedUUID, file.Path)
					continue
				}
				docs++
				d := synParse(t, file.Path, file.Format, file.Body)
				assert.NotContains(t, d.IDs, synRetractedID, file.Path)
				assert.NotContains(t, body, "Wearable Patch Predicts", file.Path)
				current := file.Feed.Current == nil
				if file.Format != Atom || !current || !containsString(synRetractedFeeds, file.Feed.Path) {
					assert.NotContains(t, body, synRetractedUUID, file.Path)
					assert.Empty(t, d.Deleted, file.Path)
					assert.NotContains(t, body, synNSTombstone, file.Path)
					continue
				}
				assert.Equal(t, []synDeleted{{Ref: synRetractedID, When: synRetractedWhen}}, d.Deleted, file.Path)
				assert.Equal(t, 1, strings.Count(body, synRetractedUUID), file.Path)
				assert.Equal(t, synRetractedWhen, d.Updated, "%s: the feed's updated time is its tombstone's", file.Path)
			}
			assert.Greater(t, docs, 3*len(cat.Feeds)-1)
		})
	}

	// A tombstone lasts TombstonePeriod, counted back from the catalog's
	// newest date: here a newer published record's.
	for _, tc := range []struct {
		period time.Duration // 0: defaultTombstonePeriod
		after  time.Duration // how long after the retraction the newer record is
		kept   bool
	}{
		{0, defaultTombstonePeriod, true},
		{0, defaultTombstonePeriod + time.Second, false},
		{time.Hour, time.Hour, true},
		{time.Hour, time.Hour + time.Second, false},
		{time.Hour, 10 * 365 * 24 * time.Hour, false},
	} {
		t.Run(fmt.Sprintf("period%s-after%s", tc.period, tc.after), func(t *testing.T) {
			newer := synParseItem(t, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f70819", 990002, when.Add(tc.after).Format(time.RFC3339Nano), "")
			// The newer record may be dated after the clock: publish it.
			cfg := synConfig(func(c *Config) { c.TombstonePeriod = tc.period; c.IncludeFuture = true })
			cat, err := Build(append(recs.All(), newer), cfg)
			require.NoError(t, err)
			n := 0
			for _, f := range cat.Feeds {
				n += len(f.Tombstones)
			}
			for _, p := range synRetractedFeeds {
				ab, err := feedOf(cat, p).render(Atom)
				require.NoError(t, err)
				d := synParse(t, p, Atom, ab)
				assert.Len(t, d.Deleted, len(feedOf(cat, p).Tombstones), p)
			}
			if tc.kept {
				assert.Equal(t, len(synRetractedFeeds), n)
			} else {
				assert.Zero(t, n)
			}
		})
	}

	t.Run("OtherRetractedStatuses", func(t *testing.T) {
		cfg := synConfig(func(c *Config) { c.RetractedStatuses = []string{"withdrawn"} })
		recs2, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
		assert.Empty(t, recs2.Retracted)
		for _, it := range recs2.Items {
			assert.NotEqual(t, synRetractedID, it.ID)
		}
		skipped := false
		for _, s := range recs2.Skipped {
			skipped = skipped || s.Path == synRetractedPath
		}
		assert.True(t, skipped, "the record with status Retracted is skipped")
		for _, f := range cat.Feeds {
			assert.Empty(t, f.Tombstones, f.Path)
		}
		for _, file := range synFiles(t, cat) {
			assert.NotContains(t, string(file.Body), synRetractedUUID, file.Path)
		}
	})

	t.Run("StatusCaseInsensitive", func(t *testing.T) {
		cfg := synConfig(func(c *Config) { c.RetractedStatuses = []string{"RETRACTED"} })
		recs2, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
		require.Len(t, recs2.Retracted, 1)
		assert.Equal(t, synRetractedID, recs2.Retracted[0].ID)
		assert.Len(t, feedOf(cat, "all").Tombstones, 1)
	})

	t.Run("WithoutRetracted", func(t *testing.T) {
		cat, err := Build(recs.Items, sampleConfig)
		require.NoError(t, err)
		for _, f := range cat.Feeds {
			assert.Empty(t, f.Tombstones, f.Path)
		}
	})

	// The same id published and retracted: the published item wins, and no
	// feed carries a tombstone for it, whatever the order Build gets them in.
	t.Run("PublishedAndRetracted", func(t *testing.T) {
		published := *retracted
		published.Status = ""
		for _, items := range [][]*Item{
			append(recs.All(), &published),
			append([]*Item{&published}, recs.All()...),
		} {
			cat, err := Build(items, sampleConfig)
			require.NoError(t, err)
			for _, f := range cat.Feeds {
				assert.Empty(t, f.Tombstones, f.Path)
				ab, err := f.render(Atom)
				require.NoError(t, err)
				assert.NotContains(t, string(ab), "deleted-entry", f.Path)
			}
			var ids []string
			for _, it := range feedOf(cat, "communities/femtech/topics/medigy-maternal-health").Items {
				ids = append(ids, it.ID)
			}
			assert.Contains(t, ids, synRetractedID)
		}
	})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---- size budgets ----

// synCut is the content an item is cut to when a document is over its size
// budget: its summary and a link to its page.
func synCut(site string, it *Item) string {
	page := it.URL
	if page == "" {
		page = it.ExternalURL
	}
	if page == "" {
		page = site + "/"
	}
	return "<p>" + html.EscapeString(it.Summary) + "</p><p><a href=\"" + html.EscapeString(page) + "\">Read more</a></p>"
}

// synJSONLen is the length of s as a JSON string in a feed.
func synJSONLen(t testing.TB, s string) int {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(s))
	return b.Len() - 1
}

// synBalanced reports whether every element of an HTML fragment that is
// opened is closed, in order.
func synBalanced(s string) error {
	void := map[string]bool{"br": true, "img": true, "hr": true, "wbr": true}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var stack []string
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				return z.Err()
			}
			if len(stack) > 0 {
				return fmt.Errorf("unclosed %v", stack)
			}
			return nil
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				stack = append(stack, string(name))
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				return fmt.Errorf("</%s> closes %v", name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// synReparse parses an HTML fragment as a browser would, in a <div>, and
// renders it again: a well-formed fragment comes back as it was.
func synReparse(t testing.TB, s string) string {
	t.Helper()
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), ctx)
	require.NoError(t, err)
	var b bytes.Buffer
	for _, n := range nodes {
		require.NoError(t, xhtml.Render(&b, n))
	}
	return b.String()
}

// TestSizeBudget checks Config.MaxFeedBytes: documents over it have their
// oldest items, and only as many as needed, cut to their summary and a
// link to read more; they stay well-formed, parseable feeds; File and
// WriteStats say what was cut; the default budget cuts nothing in the
// sample, and a negative one never cuts.
func TestSizeBudget(t *testing.T) {
	t.Parallel()
	recs, err := Load(os.DirFS("testdata/records"), sampleConfig)
	require.NoError(t, err)
	byID := map[string]*Item{}
	for _, it := range recs.Items {
		byID[it.ID] = it
	}
	site := sampleConfig.SiteURL

	// The cut form of every item is balanced HTML that the sanitizer keeps
	// as it is.
	for _, it := range recs.Items {
		require.NotEmpty(t, it.Summary, it.Path)
		c := synCut(site, it)
		assert.NoError(t, synBalanced(c), it.Path)
		assert.Equal(t, c, synReparse(t, c), it.Path)
	}

	for _, tc := range []struct {
		name                string
		budget, limit, size int
	}{
		{"budget6000", 6000, 0, 0},
		{"budget4000-archives", 4000, 5, 5},
		{"budget2500", 2500, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := synConfig(func(c *Config) { c.MaxFeedBytes, c.Limit, c.ArchiveSize = tc.budget, tc.limit, tc.size })
			cat, err := Build(recs.All(), cfg)
			require.NoError(t, err)
			files := synFiles(t, cat)
			shortSum, shortFiles, fitted, over := 0, 0, 0, []string(nil)
			for _, file := range files {
				if file.Feed == nil {
					continue
				}
				name := file.Path
				body := file.Body
				assert.Equal(t, len(body) > tc.budget, file.OverBudget, "%s: %d bytes, budget %d, OverBudget %t", name, len(body), tc.budget, file.OverBudget)
				if file.Truncated > 0 {
					shortSum += file.Truncated
					shortFiles++
					assert.Contains(t, string(body), "Read more", name)
					if !file.OverBudget {
						fitted++
					}
				}
				if file.OverBudget {
					over = append(over, name)
				}
				d := synParse(t, name, file.Format, body)
				require.Len(t, d.Contents, len(file.Feed.Items), name)

				// Which items are cut: a suffix of the document, but for
				// items whose whole content is no longer than their cut form.
				cut := make([]bool, len(d.IDs))
				first := -1
				for i, id := range d.IDs {
					it := byID[id]
					require.NotNil(t, it, name)
					full, short := strings.TrimSpace(it.ContentHTML()), synCut(site, it)
					got := strings.TrimSpace(d.Contents[i])
					switch got {
					case short:
						cut[i] = true
						if first < 0 {
							first = i
						}
						assert.NoError(t, synBalanced(got), name)
					case full:
					default:
						t.Errorf("%s: item %s has content %q, neither its own nor its cut form", name, id, got)
					}
				}
				n := 0
				for _, c := range cut {
					if c {
						n++
					}
				}
				assert.Equal(t, file.Truncated, n, "%s: File.Truncated", name)
				if file.Format != JSON {
					continue
				}
				shrinks := func(i int) bool {
					it := byID[d.IDs[i]]
					return synJSONLen(t, synCut(site, it)) < synJSONLen(t, it.ContentHTML())
				}
				for i := range cut {
					if i > first && first >= 0 || file.OverBudget {
						assert.True(t, cut[i] || !shrinks(i), "%s: item %d (%s) is older than a cut item, or the document is over budget, and is not cut", name, i, d.IDs[i])
					}
				}
				if first >= 0 && !file.OverBudget {
					// Cutting stops as soon as the document fits: with its
					// newest cut item whole again it would not.
					it := byID[d.IDs[first]]
					restored := len(body) - synJSONLen(t, synCut(site, it)) + synJSONLen(t, it.ContentHTML())
					assert.Greater(t, restored, tc.budget, "%s: item %d was cut though the document fits without cutting it", name, first)
				}
				if file.Truncated == 0 {
					assert.LessOrEqual(t, len(body), tc.budget, name)
				}
			}
			assert.Positive(t, fitted, "some document fits once cut")
			assert.Positive(t, shortSum)

			st, err := cat.WriteDir(t.TempDir())
			require.NoError(t, err)
			assert.Equal(t, shortSum, st.Truncated)
			assert.Equal(t, shortFiles, st.TruncatedFiles)
			sort.Strings(over)
			assert.Equal(t, over, st.OverBudget)
		})
	}

	t.Run("default", func(t *testing.T) {
		cat, err := Build(recs.All(), sampleConfig)
		require.NoError(t, err)
		assert.Equal(t, defaultMaxFeedBytes, cat.Config().MaxFeedBytes)
		unlimited, err := Build(recs.All(), synConfig(func(c *Config) { c.MaxFeedBytes = -1 }))
		require.NoError(t, err)
		ufiles := synFiles(t, unlimited)
		for i, file := range synFiles(t, cat) {
			assert.Zero(t, file.Truncated, file.Path)
			assert.False(t, file.OverBudget, file.Path)
			assert.Equal(t, file.Path, ufiles[i].Path)
			assert.Equal(t, string(file.Body), string(ufiles[i].Body), file.Path)
		}
		st, err := cat.WriteDir(t.TempDir())
		require.NoError(t, err)
		assert.Zero(t, st.Truncated)
		assert.Zero(t, st.TruncatedFiles)
		assert.Empty(t, st.OverBudget)
	})

	t.Run("none", func(t *testing.T) {
		cat, err := Build(recs.All(), synConfig(func(c *Config) { c.MaxFeedBytes = -1 }))
		require.NoError(t, err)
		big := 0
		for _, file := range synFiles(t, cat) {
			assert.Zero(t, file.Truncated, file.Path)
			assert.False(t, file.OverBudget, file.Path)
			if file.Feed != nil {
				assert.NotContains(t, string(file.Body), ">Read more</a>", file.Path)
			}
			if len(file.Body) > 2500 {
				big++
			}
		}
		assert.Positive(t, big, "the budgets above cut something")
	})
}

// ---- hubs ----

// TestHubLinks checks Config.Hubs (WebSub): every document of every format
// names the hubs, the handler announces them in Link headers on feeds, and
// a hub that is not an absolute http(s) URL is refused.
func TestHubLinks(t *testing.T) {
	t.Parallel()
	hubs := []string{"https://hub.example.com/", "http://websub.example.org/hub?x=1"}
	cfg := synConfig(func(c *Config) { c.Hubs, c.Limit, c.ArchiveSize = hubs, 3, 4 })
	_, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
	site := cat.Config().SiteURL
	h := NewHandler(cat, HandlerOptions{})
	h2 := NewHandler(cat, HandlerOptions{Hubs: []string{hubs[1], "https://third.example.net/"}})
	wantJSON := []synHub{{Type: "WebSub", URL: hubs[0]}, {Type: "WebSub", URL: hubs[1]}}
	counts := map[Format]int{}
	for _, file := range synFiles(t, cat) {
		u := site + "/" + file.Path
		rec := synGet(t, h, site, u)
		links := rec.Header().Values("Link")
		rec2 := synGet(t, h2, site, u)
		if file.Feed == nil {
			assert.Equal(t, []string{"<" + u + `>; rel="self"`}, links, file.Path)
			assert.Equal(t, []string{"<" + u + `>; rel="self"`}, rec2.Header().Values("Link"), file.Path)
			continue
		}
		counts[file.Format]++
		assert.Equal(t, []string{"<" + u + `>; rel="self"`, "<" + hubs[0] + `>; rel="hub"`, "<" + hubs[1] + `>; rel="hub"`}, links, file.Path)
		assert.Equal(t, []string{"<" + u + `>; rel="self"`, "<" + hubs[0] + `>; rel="hub"`, "<" + hubs[1] + `>; rel="hub"`, `<https://third.example.net/>; rel="hub"`},
			rec2.Header().Values("Link"), file.Path)
		d := synParse(t, file.Path, file.Format, rec.Body.Bytes())
		switch file.Format {
		case RSS, Atom:
			assert.Equal(t, hubs, d.rel("hub"), file.Path)
		case JSON:
			assert.True(t, d.HasHubs, file.Path)
			assert.Equal(t, wantJSON, d.Hubs, file.Path)
		}
	}
	for _, format := range Formats() {
		assert.Greater(t, counts[format], len(cat.Feeds), "%s: archives are counted too", format)
	}

	// Without hubs, nothing names one.
	_, plain := synBuild(t, os.DirFS("testdata/records"), synConfig(func(c *Config) { c.Limit, c.ArchiveSize = 3, 4 }))
	hp := NewHandler(plain, HandlerOptions{})
	for _, file := range synFiles(t, plain) {
		if file.Feed == nil {
			continue
		}
		assert.NotContains(t, string(file.Body), `rel="hub"`, file.Path)
		assert.NotContains(t, string(file.Body), `"hubs"`, file.Path)
		rec := synGet(t, hp, site, site+"/"+file.Path)
		assert.Len(t, rec.Header().Values("Link"), 1, file.Path)
	}

	for _, bad := range []string{"ftp://hub.example.com/", "hub.example.com/hub", "https://", "//hub.example.com/", "mailto:hub@example.com", "http://exa mple.com/"} {
		_, err := Build(nil, synConfig(func(c *Config) { c.Hubs = []string{hubs[0], bad} }))
		assert.Error(t, err, "hub %q", bad)
	}
}

// TestNoTombstones checks that a negative TombstonePeriod writes no
// tombstone, while the withdrawn item still leaves every feed.
func TestNoTombstones(t *testing.T) {
	cfg := sampleConfig
	cfg.TombstonePeriod = -1
	recs, err := Load(os.DirFS("testdata/records"), cfg)
	require.NoError(t, err)
	require.Len(t, recs.Retracted, 1)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	require.NoError(t, cat.Files(func(f File) error {
		assert.NotContains(t, string(f.Body), "deleted-entry", f.Path)
		assert.NotContains(t, string(f.Body), recs.Retracted[0].ID, f.Path)
		return nil
	}))
}

// TestSizeBudgetEdge requires the budget to hold to the byte: a document
// exactly at the budget is left whole, one byte over is cut or flagged.
func TestSizeBudgetEdge(t *testing.T) {
	whole := synConfig(func(c *Config) { c.MaxFeedBytes = -1 })
	_, cat := synBuild(t, os.DirFS("testdata/records"), whole)
	sizes := map[string]int{}
	for _, f := range synFiles(t, cat) {
		if f.Feed != nil && len(f.Feed.Items) > 1 {
			sizes[f.Path] = len(f.Body)
		}
	}
	for _, path := range []string{"all/rss.xml", "all/atom.xml", "all/feed.json", "communities/femtech/feed.json"} {
		size := sizes[path]
		require.Positive(t, size, path)
		for _, budget := range []int{size, size - 1} {
			cfg := synConfig(func(c *Config) { c.MaxFeedBytes = budget })
			_, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
			for _, f := range synFiles(t, cat) {
				if f.Path != path {
					continue
				}
				if budget == size {
					assert.Zero(t, f.Truncated, "%s at a budget of its size is left whole", path)
					assert.Len(t, f.Body, size, path)
				} else {
					assert.True(t, f.Truncated > 0 || f.OverBudget, "%s one byte over the budget is neither cut nor flagged", path)
					assert.True(t, len(f.Body) <= budget || f.OverBudget, path)
				}
			}
		}
	}
}

// TestHubURLChecks requires hub URLs that would leak credentials or break
// a Link header to be refused, and repeated ones to be announced once.
func TestHubURLChecks(t *testing.T) {
	for _, hub := range []string{
		"https://alice:s3cret@hub.example/",
		"https://hub.example/a b",
		"https://hub.example/<x>",
		"https://hub.example/a,b",
		`https://hub.example/"`,
	} {
		cfg := synConfig(func(c *Config) { c.Hubs = []string{hub} })
		_, err := Build(nil, cfg)
		assert.Error(t, err, hub)
		if err != nil {
			assert.NotContains(t, err.Error(), "s3cret", "the error does not repeat the password")
		}
	}
	cfg := synConfig(func(c *Config) { c.Hubs = []string{"https://hub.example/", "https://hub.example/"} })
	_, cat := synBuild(t, os.DirFS("testdata/records"), cfg)
	assert.Equal(t, []string{"https://hub.example/"}, cat.Config().Hubs)
	for _, f := range synFiles(t, cat) {
		if f.Feed != nil {
			assert.Equal(t, 1, strings.Count(string(f.Body), "https://hub.example/"), f.Path)
		}
	}
}
