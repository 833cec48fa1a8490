package curafeed

import (
	"bytes"
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
	data := struct{ SiteTitle, IndexURL, CSS string }{
		SiteTitle: xmlText(c.cfg.Title),
		IndexURL:  xmlText(c.feeds + "/" + indexPath),
		CSS:       xmlText(viewCSS),
	}
	if err := feedXSLTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("curafeed: writing %s: %w", stylesheetPath, err)
	}
	return nil
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
	if err := indexHTMLTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("curafeed: writing %s: %w", indexPath, err)
	}
	return nil
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

// viewFiles calls fn with the tree's browser-view files: index.html, then
// feed.xsl.
func (c *Catalog) viewFiles(fn func(File) error) error {
	var newest time.Time
	for _, f := range c.Feeds {
		if f.Updated.After(newest) {
			newest = f.Updated
		}
	}
	var buf bytes.Buffer
	if err := c.writeIndexHTML(&buf); err != nil {
		return err
	}
	if err := fn(File{Path: indexPath, ContentType: indexContentType, Body: bytes.Clone(buf.Bytes()), Updated: newest}); err != nil {
		return err
	}
	buf.Reset()
	if err := c.writeStylesheet(&buf); err != nil {
		return err
	}
	return fn(File{Path: stylesheetPath, ContentType: stylesheetContentType, Body: bytes.Clone(buf.Bytes())})
}
