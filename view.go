package curafeed

import (
	_ "embed"
	"encoding/xml"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"
)

// The browser view: a stylesheet that turns RSS and Atom feeds into a
// readable page when a browser opens them, an index page of every feed, and
// autodiscovery tags for other pages.

const (
	// stylesheetPath is the XSLT stylesheet's path in the output tree. Every
	// RSS and Atom feed names it, relative to the feed, in an
	// xml-stylesheet processing instruction.
	stylesheetPath = "feed.xsl"
	// indexPath is the HTML index page's path in the output tree.
	indexPath = "index.html"

	// stylesheetContentType is the registered media type of XSLT (XSLT 2.0,
	// appendix B.1). Chromium applies stylesheets served with it, and
	// Firefox documents accepting it next to text/xml and application/xml;
	// the unregistered text/xsl is not among Firefox's types.
	stylesheetContentType = "application/xslt+xml; charset=utf-8"
	indexContentType      = "text/html; charset=utf-8"
)

var (
	//go:embed assets/feed.xsl
	feedXSLSource string
	//go:embed assets/index.html
	indexHTMLSource string
	//go:embed assets/view.css
	viewCSS string

	feedXSLTemplate   = texttemplate.Must(texttemplate.New("feed.xsl").Parse(feedXSLSource))
	indexHTMLTemplate = template.Must(template.New("index.html").Parse(indexHTMLSource))
)

// stylesheetHref is the href of the feed's xml-stylesheet processing
// instruction: feed.xsl at the root of the tree, relative to the feed's
// directory. A relative reference keeps the stylesheet on the origin the
// feed is served from (browsers apply only same-origin XSLT) wherever the
// tree is mounted, whatever the configured site URL.
func (f *Feed) stylesheetHref() string {
	return strings.Repeat("../", strings.Count(f.Path, "/")+1) + stylesheetPath
}

// writeStylesheet writes feed.xsl, the XSLT 1.0 stylesheet that every RSS
// and Atom feed of the catalog names. A browser that opens a feed applies it
// and shows the feed's title and description, what a web feed is, the
// address to copy into a feed reader, links to the feed's other formats and
// its items. Feed readers ignore it.
func (c *Catalog) writeStylesheet(w io.Writer) error {
	return c.stylesheet().write(w)
}

// stylesheetData is what assets/feed.xsl renders.
type stylesheetData struct{ SiteTitle, IndexURL, CSS string }

func (c *Catalog) stylesheet() *stylesheetData {
	return &stylesheetData{
		SiteTitle: xmlText(c.cfg.Title),
		IndexURL:  xmlText(c.feeds + "/" + indexPath),
		CSS:       xmlText(viewCSS),
	}
}

func (d *stylesheetData) write(w io.Writer) error {
	if err := feedXSLTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("curafeed: writing %s: %w", stylesheetPath, err)
	}
	return nil
}

// key fingerprints everything the stylesheet's bytes are made of: the
// data and the template.
func (d *stylesheetData) key() uint64 {
	var k keyHash
	k.str(cacheVersion, feedXSLSource, d.SiteTitle, d.IndexURL, d.CSS)
	return k.sum
}

// xmlText escapes s for XML character data and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

// indexPage is what assets/index.html renders.
type indexPage struct {
	Lang, Title   string
	Count         int
	OPML          string
	Autodiscovery template.HTML
	CSS           template.CSS
	Groups        []*indexGroup
}

type indexGroup struct {
	ID, Name, Note string
	Feeds          []indexFeed
	Sub            []*indexGroup // community topics, one group per community
}

type indexFeed struct {
	Name, Meta      string
	RSS, Atom, JSON string
}

var indexGroups = [...]struct{ ID, Note string }{
	kindAll:            {"all", "Every curated article, from every community."},
	kindCommunity:      {"communities", "One feed per community."},
	kindTopic:          {"topics", "One feed per topic, across every community."},
	kindCommunityTopic: {"community-topics", "One community’s articles on one topic."},
}

// writeIndexHTML writes index.html: an HTML page that lists every feed of
// the catalog, grouped like the OPML list (all, communities, topics,
// community topics), each with links to its RSS, Atom and JSON Feed. Its
// head carries autodiscovery links for the site-wide feed in every format
// and for each community feed in RSS; topic feeds, which can number in the
// hundreds, are listed only in the page.
func (c *Catalog) writeIndexHTML(w io.Writer) error {
	return c.indexPage().write(w)
}

// indexPage is what writeIndexHTML writes.
func (c *Catalog) indexPage() *indexPage {
	p := &indexPage{
		Lang: c.cfg.Language, Title: c.cfg.Title, Count: len(c.Feeds),
		OPML: c.feeds + "/index.opml", CSS: template.CSS(viewCSS),
	}
	var head strings.Builder
	groups := map[feedKind]*indexGroup{}
	subs := map[string]*indexGroup{}
	for _, f := range c.Feeds {
		switch f.kind {
		case kindAll:
			head.WriteString(string(f.autodiscovery(Formats()...)))
		case kindCommunity:
			head.WriteString(string(f.autodiscovery(RSS)))
		}
		g := groups[f.kind]
		if g == nil {
			g = &indexGroup{ID: indexGroups[f.kind].ID, Name: opmlGroups[f.kind], Note: indexGroups[f.kind].Note}
			groups[f.kind] = g
			p.Groups = append(p.Groups, g)
		}
		entry := indexFeed{Name: f.displayName(), Meta: f.indexMeta(), RSS: f.URL(RSS), Atom: f.URL(Atom), JSON: f.URL(JSON)}
		if f.kind != kindCommunityTopic {
			g.Feeds = append(g.Feeds, entry)
			continue
		}
		// Community topics come ordered by path, so a community's topics
		// are consecutive.
		s := subs[f.Community.Slug]
		if s == nil {
			s = &indexGroup{Name: f.Community.Name}
			subs[f.Community.Slug] = s
			g.Sub = append(g.Sub, s)
		}
		s.Feeds = append(s.Feeds, entry)
	}
	p.Autodiscovery = template.HTML(strings.TrimSuffix(head.String(), "\n"))
	return p
}

func (p *indexPage) write(w io.Writer) error {
	if err := indexHTMLTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("curafeed: writing %s: %w", indexPath, err)
	}
	return nil
}

// key fingerprints everything the page's bytes are made of: the page and
// the template.
func (p *indexPage) key() uint64 {
	var k keyHash
	k.str(cacheVersion, indexHTMLSource, p.Lang, p.Title, p.OPML, string(p.Autodiscovery), string(p.CSS))
	k.num(uint64(p.Count))
	var groups func([]*indexGroup)
	groups = func(list []*indexGroup) {
		k.num(uint64(len(list)))
		for _, g := range list {
			k.str(g.ID, g.Name, g.Note)
			k.num(uint64(len(g.Feeds)))
			for _, f := range g.Feeds {
				k.str(f.Name, f.Meta, f.RSS, f.Atom, f.JSON)
			}
			groups(g.Sub)
		}
	}
	groups(p.Groups)
	return k.sum
}

// displayName is what the index calls the feed: the community, the topic,
// or, for the site-wide feed, "All communities".
func (f *Feed) displayName() string {
	switch {
	case f.kind == kindAll:
		return "All communities"
	case f.Topic != nil:
		return f.Topic.Label()
	case f.Community.Name != "":
		return f.Community.Name
	}
	return f.Title
}

// indexMeta says how many items the feed holds and when it last changed.
func (f *Feed) indexMeta() string {
	switch len(f.Items) {
	case 0:
		return "no articles yet"
	case 1:
		return "1 article, updated " + f.Updated.UTC().Format(time.DateOnly)
	}
	return fmt.Sprintf("%d articles, updated %s", len(f.Items), f.Updated.UTC().Format(time.DateOnly))
}

// formatNames are the names autodiscovery titles give each format.
var formatNames = [...]string{RSS: "RSS", Atom: "Atom", JSON: "JSON Feed"}

// AutodiscoveryHTML returns the feed's autodiscovery tags, for the head of
// any HTML page from which readers should find the feed: three
// <link rel="alternate"> elements, one per line, for RSS
// (application/rss+xml), Atom (application/atom+xml) and JSON Feed
// (application/feed+json), in that order, so that readers which take the
// first one subscribe to RSS. Each title is the feed's title followed by the
// format's name. Titles and URLs are escaped for HTML attributes, and media
// types are written literally (not as character references), as simple
// autodiscovery parsers expect.
func (f *Feed) AutodiscoveryHTML() template.HTML {
	if f == nil || f.cat == nil {
		return ""
	}
	return template.HTML(strings.TrimSuffix(string(f.autodiscovery(Formats()...)), "\n"))
}

// autodiscovery returns one <link rel="alternate"> line per format.
func (f *Feed) autodiscovery(formats ...Format) template.HTML {
	var b strings.Builder
	for _, format := range formats {
		fmt.Fprintf(&b, `<link rel="alternate" type="%s" title="%s" href="%s">`+"\n",
			format.mediaType(), html.EscapeString(f.Title+" ("+formatNames[format]+")"), html.EscapeString(f.URL(format)))
	}
	return template.HTML(b.String())
}

// indexFile is one of the files of the tree that are not feeds (the lists
// of every feed and the stylesheet), and the model it is written from.
type indexFile struct {
	path, contentType string
	updated           time.Time // when the newest feed changed; zero for feed.xsl
	model             interface {
		write(io.Writer) error
		key() uint64 // fingerprint of everything the bytes are made of
	}
}

// indexModels returns index.opml, index.html and feed.xsl, unwritten.
func (c *Catalog) indexModels() []indexFile {
	var newest time.Time
	for _, f := range c.Feeds {
		if f.Updated.After(newest) {
			newest = f.Updated
		}
	}
	return []indexFile{
		{"index.opml", "text/x-opml; charset=utf-8", newest, (*opmlModel)(c.opmlDocument())},
		{indexPath, indexContentType, newest, c.indexPage()},
		{stylesheetPath, stylesheetContentType, time.Time{}, c.stylesheet()},
	}
}
