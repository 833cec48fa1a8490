package curafeed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// hostileConfig and testdata/view/records put markup, quotes and ampersands
// into every string the browser view shows: the site title (trusted, but
// still escaped), and a community name, topics, an item title, summary and
// curator that decode to <script> and <img onerror> text.
var hostileConfig = Config{SiteURL: "https://community.example.org", Title: `Example <script>alert("site")</script> & "Co"`}

func buildHostile(t testing.TB) *Catalog {
	t.Helper()
	recs, err := Load(os.DirFS("testdata/view/records"), hostileConfig)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	require.Len(t, recs.Items, 1)
	cat, err := Build(recs.All(), hostileConfig)
	require.NoError(t, err)
	return cat
}

func render(t testing.TB, write func(io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, write(&b))
	return b.Bytes()
}

// element is an HTML element found in a parsed page.
type element struct {
	tag   string
	attrs map[string]string
	text  string
	head  bool // inside <head>
}

// elements parses an HTML page the way a browser does and returns every
// element, in document order, with its attributes and text content.
func elements(t testing.TB, page []byte) []element {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	require.NoError(t, err)
	var out []element
	var text func(n *html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var walk func(n *html.Node, head bool)
	walk = func(n *html.Node, head bool) {
		if n.Type == html.ElementNode {
			head = head || n.Data == "head"
			e := element{tag: n.Data, attrs: map[string]string{}, text: text(n), head: head}
			for _, a := range n.Attr {
				e.attrs[a.Key] = a.Val
			}
			out = append(out, e)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, head)
		}
	}
	walk(doc, false)
	return out
}

// autodiscoveryLinks returns the type and href of every
// <link rel="alternate"> in the page's head.
func autodiscoveryLinks(els []element) [][3]string {
	var out [][3]string
	for _, e := range els {
		if e.tag == "link" && e.head && e.attrs["rel"] == "alternate" {
			out = append(out, [3]string{e.attrs["type"], e.attrs["title"], e.attrs["href"]})
		}
	}
	return out
}

func TestIndexHTMLListsEveryFeed(t *testing.T) {
	_, cat := buildSample(t)
	page := render(t, cat.writeIndexHTML)
	els := elements(t, page)

	hrefs := map[string]int{}
	for _, e := range els {
		if e.tag == "a" {
			hrefs[e.attrs["href"]]++
		}
	}
	for _, f := range cat.Feeds {
		for _, format := range Formats() {
			assert.Equal(t, 1, hrefs[f.URL(format)], "%s %s: want one link", f.Path, format)
		}
	}
	assert.Equal(t, 1, hrefs["https://community.example.org/index.opml"])
	assert.Len(t, hrefs, 3*len(cat.Feeds)+1, "links other than the feeds and the OPML list")

	// Groups in OPML order, each listing its feeds.
	var groups []string
	for _, e := range els {
		if e.tag == "h2" && e.attrs["id"] != "about" {
			groups = append(groups, e.text)
		}
	}
	assert.Equal(t, []string{"All", "Communities", "Topics", "Community topics"}, groups)

	// Autodiscovery: the site-wide feed in every format, then each
	// community feed in RSS.
	want := [][3]string{}
	for _, f := range cat.Feeds {
		switch f.kind {
		case kindAll:
			want = append(want,
				[3]string{"application/rss+xml", f.Title + " (RSS)", f.URL(RSS)},
				[3]string{"application/atom+xml", f.Title + " (Atom)", f.URL(Atom)},
				[3]string{"application/feed+json", f.Title + " (JSON Feed)", f.URL(JSON)})
		case kindCommunity:
			want = append(want, [3]string{"application/rss+xml", f.Title + " (RSS)", f.URL(RSS)})
		}
	}
	assert.Equal(t, want, autodiscoveryLinks(els))
	assert.Contains(t, string(page), `<link rel="alternate" type="application/rss+xml" title="Example Health Community (RSS)" href="https://community.example.org/all/rss.xml">`)
}

func TestIndexHTMLDeterministic(t *testing.T) {
	_, a := buildSample(t)
	_, b := buildSample(t)
	first := render(t, a.writeIndexHTML)
	assert.Equal(t, string(first), string(render(t, a.writeIndexHTML)))
	assert.Equal(t, string(first), string(render(t, b.writeIndexHTML)))
	assert.Equal(t, string(render(t, a.writeStylesheet)), string(render(t, b.writeStylesheet)))
}

func TestIndexHTMLEscapes(t *testing.T) {
	cat := buildHostile(t)
	page := render(t, cat.writeIndexHTML)
	lower := strings.ToLower(string(page))
	assert.NotContains(t, lower, "<script")
	assert.NotContains(t, lower, "<img")
	assert.NotContains(t, lower, "</title><")
	assert.Contains(t, string(page), "&lt;script&gt;")

	// A browser reads back exactly the names, and finds no script element.
	els := elements(t, page)
	var texts []string
	for _, e := range els {
		assert.NotEqual(t, "script", e.tag)
		assert.NotEqual(t, "img", e.tag)
		if e.tag == "title" || e.tag == "h1" || e.tag == "h3" || e.tag == "span" && e.attrs["class"] == "name" {
			texts = append(texts, e.text)
		}
	}
	assert.Contains(t, texts, "Feeds of "+hostileConfig.Title)
	assert.Contains(t, texts, feedOf(cat, "communities/hostile").Community.Name)
	for _, f := range cat.Feeds {
		if f.Topic != nil {
			assert.Contains(t, texts, f.Topic.Label())
		}
	}
	links := autodiscoveryLinks(els)
	require.Len(t, links, 4)
	assert.Equal(t, feedOf(cat, "communities/hostile").Title+" (RSS)", links[3][1])
}

func TestAutodiscoveryHTML(t *testing.T) {
	cat := buildHostile(t)
	for _, f := range cat.Feeds {
		got := string(f.AutodiscoveryHTML())
		assert.Equal(t, 2, strings.Count(got, "\n"), "three lines")
		assert.NotContains(t, strings.ToLower(got), "<script")
		assert.Contains(t, got, `type="application/rss+xml"`)
		assert.Contains(t, got, `type="application/atom+xml"`)
		assert.Contains(t, got, `type="application/feed+json"`)
		els := elements(t, []byte("<!DOCTYPE html><html><head>"+got+"</head></html>"))
		assert.Equal(t, [][3]string{
			{"application/rss+xml", f.Title + " (RSS)", f.URL(RSS)},
			{"application/atom+xml", f.Title + " (Atom)", f.URL(Atom)},
			{"application/feed+json", f.Title + " (JSON Feed)", f.URL(JSON)},
		}, autodiscoveryLinks(els))
	}
}

// TestStylesheetInstruction checks that every RSS and Atom feed names
// feed.xsl, relative to the feed, on the line after the XML declaration,
// and that JSON Feed and OPML do not.
func TestStylesheetInstruction(t *testing.T) {
	_, cat := buildSample(t)
	for _, f := range cat.Feeds {
		for _, format := range []Format{RSS, Atom} {
			data, err := f.render(format)
			require.NoError(t, err)
			lines := strings.SplitN(string(data), "\n", 3)
			require.Len(t, lines, 3)
			assert.Equal(t, strings.TrimSuffix(xml.Header, "\n"), lines[0])
			prefix, ok := strings.CutPrefix(lines[1], `<?xml-stylesheet type="text/xsl" href="`)
			require.True(t, ok, "%s/%s: %s", f.Path, format.fileName(), lines[1])
			href, ok := strings.CutSuffix(prefix, `"?>`)
			require.True(t, ok, lines[1])
			assert.Equal(t, stylesheetPath, path.Join(f.Path, href), "%s: %s does not lead to the root", f.Path, href)
		}
		data, err := f.render(JSON)
		require.NoError(t, err)
		assert.NotContains(t, string(data), "xml-stylesheet")
	}
	assert.NotContains(t, string(render(t, cat.WriteOPML)), "xml-stylesheet")
}

func TestStylesheetWellFormed(t *testing.T) {
	for name, cat := range map[string]*Catalog{"sample": buildSampleCatalog(t), "hostile": buildHostile(t)} {
		t.Run(name, func(t *testing.T) {
			data := render(t, cat.writeStylesheet)
			dec := xml.NewDecoder(bytes.NewReader(data))
			var root *xml.StartElement
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				if se, ok := tok.(xml.StartElement); ok && root == nil {
					root = &se
				}
			}
			require.NotNil(t, root)
			assert.Equal(t, xml.Name{Space: "http://www.w3.org/1999/XSL/Transform", Local: "stylesheet"}, root.Name)
			assert.Contains(t, root.Attr, xml.Attr{Name: xml.Name{Local: "version"}, Value: "1.0"})
		})
	}
}

func buildSampleCatalog(t testing.TB) *Catalog {
	_, cat := buildSample(t)
	return cat
}

// TestStylesheetXSLTProc applies feed.xsl with xsltproc (libxslt, the XSLT
// processor Chromium embeds) to RSS and Atom feeds, and reads the HTML it
// produces as a browser would.
func TestStylesheetXSLTProc(t *testing.T) {
	xsltproc, err := exec.LookPath("xsltproc")
	if err != nil {
		t.Skip("xsltproc not installed (Debian package xsltproc)")
	}
	for name, cat := range map[string]*Catalog{"sample": buildSampleCatalog(t), "hostile": buildHostile(t), "archives": buildArchived(t)} {
		dir := t.TempDir()
		xsl := filepath.Join(dir, stylesheetPath)
		require.NoError(t, os.WriteFile(xsl, render(t, cat.writeStylesheet), 0o644))
		for _, f := range cat.documents() {
			if name != "hostile" && f.kind != kindAll && f.Path != "communities/security" && f.Path != "topics/gartner-cybersecurity" {
				continue // three feeds of the sample, and their archives, are enough
			}
			for _, format := range []Format{RSS, Atom} {
				t.Run(name+"/"+f.Path+"/"+format.fileName(), func(t *testing.T) {
					feed := filepath.Join(dir, format.fileName())
					require.NoError(t, os.WriteFile(feed, render(t, func(w io.Writer) error { return f.Write(w, format) }), 0o644))
					var stderr bytes.Buffer
					cmd := exec.Command(xsltproc, "--nonet", xsl, feed)
					cmd.Stderr = &stderr
					out, err := cmd.Output()
					require.NoError(t, err, stderr.String())
					require.Empty(t, stderr.String())
					checkFeedPage(t, f, format, out)
				})
			}
		}
	}
}

// checkFeedPage checks the HTML page feed.xsl made of f in format.
func checkFeedPage(t *testing.T, f *Feed, format Format, page []byte) {
	t.Helper()
	lower := strings.ToLower(string(page))
	assert.NotContains(t, lower, "<script")
	assert.NotContains(t, lower, "<img")
	els := elements(t, page)
	var h1, title, url, formats string
	var items []element // the title link (or h3) of each item
	hrefs := map[string]bool{}
	for _, e := range els {
		assert.NotEqual(t, "script", e.tag)
		switch {
		case e.tag == "h1":
			h1 = e.text
		case e.tag == "title":
			title = e.text
		case e.tag == "code" && e.attrs["class"] == "url":
			url = e.text
		case e.tag == "span" && e.attrs["class"] == "formats":
			formats = e.text
		case e.tag == "h3":
			items = append(items, e)
		case e.tag == "a":
			hrefs[e.attrs["href"]] = true
		}
	}
	assert.Equal(t, f.Title, h1)
	assert.Equal(t, f.Title+" (web feed)", title)
	if f.Current != nil { // an archive: subscribe to its current feed
		assert.Equal(t, f.Current.URL(format), url)
		assert.Contains(t, string(page), "This page is an archive")
		assert.Contains(t, string(page), "Articles in this archive")
	} else {
		assert.Equal(t, f.URL(format), url)
		assert.NotContains(t, string(page), "This page is an archive")
		assert.Contains(t, string(page), "Latest articles")
	}
	assert.Contains(t, string(page), "This is a web feed")
	assert.Contains(t, formats, "RSS")
	assert.Contains(t, formats, "JSON Feed")
	for _, other := range Formats() {
		assert.Equal(t, other != format, hrefs[f.URL(other)], "link to %s", other)
	}
	assert.True(t, hrefs[f.HomeURL], "link to the site")
	assert.True(t, hrefs[f.cat.site+"/"+indexPath], "link to the index")
	require.Len(t, items, len(f.Items))
	for i, it := range f.Items {
		assert.Equal(t, it.Title, items[i].text)
	}
	for _, it := range f.Items {
		link := f.cat.rssLink(it)
		if format == Atom {
			link = f.cat.itemPage(it)
		}
		assert.True(t, hrefs[link], "item link %s", link)
		assert.Contains(t, string(page), html.EscapeString(it.Published.Format("02 Jan 2006")))
		if it.Summary != "" {
			assert.Contains(t, string(elementsText(els, "p", "summary")), it.Summary)
		}
	}
}

func elementsText(els []element, tag, class string) string {
	var b strings.Builder
	for _, e := range els {
		if e.tag == tag && e.attrs["class"] == class {
			b.WriteString(e.text + "\n")
		}
	}
	return b.String()
}

func TestFilesIncludeView(t *testing.T) {
	_, cat := buildSample(t)
	var paths []string
	byPath := map[string]File{}
	require.NoError(t, cat.Files(func(f File) error {
		paths = append(paths, f.Path)
		byPath[f.Path] = f
		return nil
	}))
	require.GreaterOrEqual(t, len(paths), 3)
	assert.Equal(t, []string{"index.opml", indexPath, stylesheetPath}, paths[:3])
	assert.Len(t, paths, 3+len(cat.Feeds)*len(Formats()))

	idx := byPath[indexPath]
	assert.Equal(t, "text/html; charset=utf-8", idx.ContentType)
	assert.Equal(t, string(render(t, cat.writeIndexHTML)), string(idx.Body))
	assert.Equal(t, byPath["index.opml"].Updated, idx.Updated)
	assert.Nil(t, idx.Feed)

	xsl := byPath[stylesheetPath]
	assert.Equal(t, "application/xslt+xml; charset=utf-8", xsl.ContentType)
	assert.Equal(t, string(render(t, cat.writeStylesheet)), string(xsl.Body))
	assert.Nil(t, xsl.Feed)

	dir := t.TempDir()
	st, err := cat.WriteDir(dir)
	require.NoError(t, err)
	assert.Equal(t, len(paths), st.Files)
	for _, p := range []string{indexPath, stylesheetPath} {
		data, err := os.ReadFile(filepath.Join(dir, p))
		require.NoError(t, err)
		assert.Equal(t, string(byPath[p].Body), string(data))
	}
}

// buildArchived builds the sample records with feeds of 3 items, so that
// they have archive documents.
func buildArchived(t *testing.T) *Catalog {
	t.Helper()
	cfg := sampleConfig
	cfg.Limit, cfg.ArchiveSize = 3, 4
	recs, err := Load(os.DirFS("testdata/records"), cfg)
	require.NoError(t, err)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	require.NotEmpty(t, feedOf(cat, "all").Archives)
	return cat
}
