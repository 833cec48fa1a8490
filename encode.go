package curafeed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/feeds"
)

// Generator names curafeed in RSS <generator> and Atom <generator>.
const Generator = "curafeed"

const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// Write writes the feed in the given format.
func (f *Feed) Write(w io.Writer, format Format) error {
	return f.write(w, format, nil)
}

// WriteRSS writes the feed as RSS 2.0. An xml-stylesheet processing
// instruction after the XML declaration names feed.xsl at the root of the
// tree (see Catalog.WriteStylesheet), so that a browser shows the feed as a
// readable page; feed readers ignore it.
func (f *Feed) WriteRSS(w io.Writer) error { return f.write(w, RSS, nil) }

// WriteAtom writes the feed as Atom 1.0, with the same xml-stylesheet
// processing instruction as WriteRSS.
func (f *Feed) WriteAtom(w io.Writer) error { return f.write(w, Atom, nil) }

// WriteJSON writes the feed as JSON Feed 1.1.
func (f *Feed) WriteJSON(w io.Writer) error { return f.write(w, JSON, nil) }

// fragments holds each item's encoding per format, so that an item that is
// in many feeds is encoded once. When it knows how many feeds of the group
// hold each item, it drops an encoding after its last use, which bounds
// the memory a build needs. It is safe for concurrent use.
type fragments struct {
	m    sync.Map         // fragmentKey → *fragment
	uses map[string]int32 // item ID → feeds that hold it; nil: keep everything
}

type fragmentKey struct {
	id     string
	format Format
}

type fragment struct {
	once sync.Once
	b    []byte
	err  error
	left atomic.Int32
}

// newFragments returns a cache for the given feeds, which will each be
// written once in every format.
func newFragments(feeds []*Feed) *fragments {
	fr := &fragments{uses: map[string]int32{}}
	for _, f := range feeds {
		for _, it := range f.Items {
			fr.uses[it.ID]++
		}
	}
	return fr
}

// item returns the encoding of it in format, from the cache when it has it.
func (fr *fragments) item(c *Catalog, it *Item, format Format) ([]byte, error) {
	if fr == nil {
		return c.encodeItem(it, format)
	}
	k := fragmentKey{it.ID, format}
	v, loaded := fr.m.Load(k)
	if !loaded {
		nf := &fragment{}
		if fr.uses != nil {
			nf.left.Store(fr.uses[it.ID])
		}
		v, _ = fr.m.LoadOrStore(k, nf)
	}
	e := v.(*fragment)
	e.once.Do(func() { e.b, e.err = c.encodeItem(it, format) })
	if fr.uses != nil && e.left.Add(-1) <= 0 {
		fr.m.Delete(k)
	}
	return e.b, e.err
}

// write writes the feed's frame (everything but the items) around the
// items' encodings. The bytes are those of encoding the whole document at
// once: items are encoded with the indentation they have inside it.
func (f *Feed) write(w io.Writer, format Format, fr *fragments) error {
	head, tail, err := f.frame(format)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	bw.Write(head)
	for i, it := range f.Items {
		b, err := fr.item(f.cat, it, format)
		if err != nil {
			return err
		}
		switch {
		case format != JSON:
			bw.WriteByte('\n')
		case i == 0:
			bw.WriteString("\n    ")
		default:
			bw.WriteString(",\n    ")
		}
		bw.Write(b)
	}
	if format == JSON && len(f.Items) > 0 {
		bw.WriteString("\n  ")
	}
	bw.Write(tail)
	return bw.Flush()
}

// frame encodes the feed without items and splits it where they go.
func (f *Feed) frame(format Format) (head, tail []byte, err error) {
	var b bytes.Buffer
	var mark string
	switch format {
	case RSS:
		err, mark = writeStyledXML(&b, f.rssDoc(), f.stylesheetHref()), "\n  </channel>"
	case Atom:
		err, mark = writeStyledXML(&b, f.atomDoc(), f.stylesheetHref()), "\n</feed>"
	default:
		err, mark = f.writeJSONFrame(&b), "]\n}"
	}
	if err != nil {
		return nil, nil, err
	}
	i := bytes.LastIndex(b.Bytes(), []byte(mark))
	if i < 0 {
		return nil, nil, fmt.Errorf("curafeed: encoding %s of %s: no place for items", format, f.Path)
	}
	return b.Bytes()[:i], b.Bytes()[i:], nil
}

// encodeItem encodes one item as it appears inside a feed of the catalog.
func (c *Catalog) encodeItem(it *Item, format Format) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch format {
	case RSS:
		enc := xml.NewEncoder(&b)
		enc.Indent("    ", "  ")
		err = enc.Encode(c.rssItem(it))
	case Atom:
		enc := xml.NewEncoder(&b)
		enc.Indent("  ", "  ")
		err = enc.Encode(c.atomEntry(it))
	default:
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("    ", "  ")
		err = enc.Encode(c.jsonItem(it))
	}
	if err != nil {
		return nil, fmt.Errorf("curafeed: encoding %s item %s: %w", format, it.Path, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Render returns the feed's bytes in the given format.
func (f *Feed) Render(format Format) ([]byte, error) {
	var b bytes.Buffer
	if err := f.Write(&b, format); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeXML writes the XML declaration on a line of its own, then v indented
// by two spaces, then a final newline.
func writeXML(w io.Writer, v any) error {
	return writeStyledXML(w, v, "")
}

// writeStyledXML is writeXML with, when stylesheet is not empty, an
// xml-stylesheet processing instruction naming it on the line after the XML
// declaration.
func writeStyledXML(w io.Writer, v any, stylesheet string) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	if stylesheet != "" {
		if _, err := io.WriteString(w, `<?xml-stylesheet type="text/xsl" href="`+xmlText(stylesheet)+`"?>`+"\n"); err != nil {
			return err
		}
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("curafeed: encoding XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func rfc822(t time.Time) string  { return t.UTC().Format(time.RFC1123Z) }
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ---- RSS 2.0 ----

// rssDoc is the <rss> root with every namespace declared once.
type rssDoc struct {
	XMLName   xml.Name    `xml:"rss"`
	Version   string      `xml:"version,attr"`
	NSContent string      `xml:"xmlns:content,attr"`
	NSAtom    string      `xml:"xmlns:atom,attr"`
	NSDC      string      `xml:"xmlns:dc,attr"`
	Channel   *rssChannel `xml:"channel"`
}

// rssChannel is gorilla's RssFeed with a self link and curafeed's items.
type rssChannel struct {
	feeds.RssFeed
	AtomLinks []rssAtomLink `xml:"atom:link"`
	Items     []*rssItem    `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

// rssItem is gorilla's RssItem with several categories that carry a domain,
// dc:creator for curator names and content:encoded with clean CDATA.
type rssItem struct {
	feeds.RssItem
	Content    *feeds.RssContent
	Categories []rssCategory `xml:"category"`
	Creators   []string      `xml:"dc:creator"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Term   string `xml:",chardata"`
}

// rssDoc is the feed as an RSS 2.0 document without items.
func (f *Feed) rssDoc() *rssDoc {
	ch := &rssChannel{RssFeed: feeds.RssFeed{
		Title:         f.Title,
		Link:          f.HomeURL,
		Description:   f.Description,
		Language:      f.cat.cfg.Language,
		LastBuildDate: rfc822(f.updated()),
		Generator:     Generator,
	}}
	ch.AtomLinks = []rssAtomLink{{Href: f.URL(RSS), Rel: "self", Type: RSS.MediaType()}}
	return &rssDoc{Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, Channel: ch}
}

// rssItem is it as an RSS 2.0 item.
func (c *Catalog) rssItem(it *Item) *rssItem {
	ri := &rssItem{RssItem: feeds.RssItem{
		Title:       it.Title,
		Link:        c.rssLink(it),
		Description: it.Summary,
		Guid:        &feeds.RssGuid{Id: it.ID, IsPermaLink: "false"},
		PubDate:     rfc822(it.Published),
	}}
	if h := it.ContentHTML(); h != "" {
		ri.Content = &feeds.RssContent{Content: h}
	}
	for _, t := range it.Topics {
		ti := c.topics[t.Key]
		ri.Categories = append(ri.Categories, rssCategory{Domain: ti.Vocabulary, Term: ti.Term})
	}
	for _, tag := range it.Tags {
		ri.Categories = append(ri.Categories, rssCategory{Term: tag})
	}
	ri.Creators = it.Authors
	if img := it.Image; img != nil {
		ri.Enclosure = &feeds.RssEnclosure{Url: img.URL, Length: "0", Type: img.Type}
	}
	return ri
}

func (c *Catalog) rssLink(it *Item) string {
	if c.cfg.LinkToPage && it.URL != "" {
		return it.URL
	}
	if it.ExternalURL != "" {
		return it.ExternalURL
	}
	if it.URL != "" {
		return it.URL
	}
	return c.site + "/"
}

// itemPage is the page an item links to in Atom and JSON Feed: its page on
// the community site, else the curated article, else the site.
func (c *Catalog) itemPage(it *Item) string {
	switch {
	case it.URL != "":
		return it.URL
	case it.ExternalURL != "":
		return it.ExternalURL
	}
	return c.site + "/"
}

// updated is the feed's updated time; the Unix epoch for an empty feed, so
// the output never depends on the clock.
func (f *Feed) updated() time.Time {
	if f.Updated.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return f.Updated
}

// ---- Atom 1.0 ----

// atomFeed is gorilla's AtomFeed with several links, xml:lang, a generator
// and curafeed's entries.
type atomFeed struct {
	feeds.AtomFeed
	Lang      string           `xml:"xml:lang,attr"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator *atomGenerator   `xml:"generator"`
	Entries   []*atomEntry     `xml:"entry"`
}

type atomGenerator struct {
	Name string `xml:",chardata"`
}

// atomEntry is gorilla's AtomEntry with several categories with a scheme,
// one author per curator and plain-text titles.
type atomEntry struct {
	Title atomText `xml:"title"`
	feeds.AtomEntry
	Authors    []feeds.AtomPerson `xml:"author"`
	Categories []atomCategory     `xml:"category"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// atomDoc is the feed as an Atom 1.0 document without entries.
func (f *Feed) atomDoc() *atomFeed {
	c := f.cat
	return &atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    f.Title,
			Id:       f.ID(),
			Updated:  rfc3339(f.updated()),
			Subtitle: f.Description,
			Author:   &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: c.cfg.Title, Uri: c.site + "/"}},
		},
		Lang: c.cfg.Language,
		Links: []feeds.AtomLink{
			{Href: f.URL(Atom), Rel: "self", Type: Atom.MediaType()},
			{Href: f.HomeURL, Rel: "alternate", Type: "text/html"},
		},
		Generator: &atomGenerator{Name: Generator},
	}
}

// atomEntry is it as an Atom 1.0 entry.
func (c *Catalog) atomEntry(it *Item) *atomEntry {
	e := &atomEntry{AtomEntry: feeds.AtomEntry{
		Id:        it.ID,
		Updated:   rfc3339(c.itemUpdated(it)),
		Published: rfc3339(it.Published),
	}}
	e.Title = atomText{Type: "text", Text: it.Title}
	if it.Summary != "" {
		e.Summary = &feeds.AtomSummary{Type: "text", Content: it.Summary}
	}
	if h := it.ContentHTML(); h != "" {
		e.Content = &feeds.AtomContent{Type: "html", Content: h}
	}
	alt := c.itemPage(it)
	e.Links = append(e.Links, feeds.AtomLink{Href: alt, Rel: "alternate", Type: "text/html"})
	if it.ExternalURL != "" && it.ExternalURL != alt {
		e.Links = append(e.Links, feeds.AtomLink{Href: it.ExternalURL, Rel: "related", Type: "text/html"})
	}
	if img := it.Image; img != nil {
		e.Links = append(e.Links, feeds.AtomLink{Href: img.URL, Rel: "enclosure", Type: img.Type})
	}
	for _, name := range it.Authors {
		e.Authors = append(e.Authors, feeds.AtomPerson{Name: name})
	}
	for _, t := range it.Topics {
		ti := c.topics[t.Key]
		e.Categories = append(e.Categories, atomCategory{Term: ti.Term, Scheme: c.vocabularyURL(ti.Vocabulary), Label: ti.Label()})
	}
	for _, tag := range it.Tags {
		e.Categories = append(e.Categories, atomCategory{Term: tag})
	}
	return e
}

// ---- JSON Feed 1.1 ----

const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is gorilla's JSONFeed with items always present and 1.1 items.
type jsonFeed struct {
	feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonItem is gorilla's JSONItem with the JSON Feed 1.1 language field.
type jsonItem struct {
	feeds.JSONItem
	Language string `json:"language,omitempty"`
}

// writeJSONFrame writes the feed as JSON Feed 1.1 with an empty items list.
func (f *Feed) writeJSONFrame(w io.Writer) error {
	c := f.cat
	jf := &jsonFeed{
		JSONFeed: feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       f.Title,
			Language:    c.cfg.Language,
			HomePageUrl: f.HomeURL,
			FeedUrl:     f.URL(JSON),
			Description: f.Description,
			Authors:     []*feeds.JSONAuthor{{Name: c.cfg.Title, Url: c.site + "/"}},
		},
		Items: []*jsonItem{},
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jf); err != nil {
		return fmt.Errorf("curafeed: encoding JSON feed %s: %w", f.Path, err)
	}
	return nil
}

// jsonItem is it as a JSON Feed 1.1 item.
func (c *Catalog) jsonItem(it *Item) *jsonItem {
	pub, mod := it.Published, c.itemUpdated(it)
	ji := &jsonItem{JSONItem: feeds.JSONItem{
		Id:            it.ID,
		Url:           c.itemPage(it),
		ExternalUrl:   it.ExternalURL,
		Title:         it.Title,
		ContentHTML:   it.ContentHTML(),
		Summary:       it.Summary,
		PublishedDate: &pub,
		ModifiedDate:  &mod,
	}, Language: c.cfg.Language}
	if ji.ContentHTML == "" {
		ji.ContentText = it.Summary
		if ji.ContentText == "" {
			ji.ContentText = it.Title
		}
	}
	if it.Image != nil {
		ji.Image = it.Image.URL
	}
	for _, name := range it.Authors {
		ji.Authors = append(ji.Authors, &feeds.JSONAuthor{Name: name})
	}
	for _, t := range it.Topics {
		ji.Tags = append(ji.Tags, c.topics[t.Key].Label())
	}
	ji.Tags = append(ji.Tags, it.Tags...)
	return ji
}
