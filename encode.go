package curafeed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curafeed/curafeed/sanitize"
	"github.com/gorilla/feeds"
)

// generator names curafeed in RSS <generator> and Atom <generator>.
const generator = "curafeed"

const (
	nsAtom      = "http://www.w3.org/2005/Atom"
	nsContent   = "http://purl.org/rss/1.0/modules/content/"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsHistory   = "http://purl.org/syndication/history/1.0" // RFC 5005
	nsTombstone = "http://purl.org/atompub/tombstones/1.0"  // RFC 6721
)

// Write writes the feed in the given format. A document over the size
// budget (Config.MaxFeedBytes) has its oldest items' content replaced by
// their summary and a link to read more, oldest first, until it fits.
//
// Only feeds made by Build can be written: a Feed made any other way, or a
// nil one, gives an error.
func (f *Feed) Write(w io.Writer, format Format) error {
	if f == nil || f.cat == nil {
		return errors.New("curafeed: this Feed was not made by Build: build feeds with Build(items, cfg) and get them from Catalog.Feed or Catalog.Feeds")
	}
	if format < RSS || format > JSON {
		return fmt.Errorf("curafeed: unknown feed format %d", int(format))
	}
	b, _, err := f.write(nil, format, nil)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// fragments holds the encodings of the items of one window of the render
// stage (see Catalog.render), taken from its store, per format, until the
// window is done. It is safe for concurrent use.
type fragments struct {
	// m holds an entry for each item of the window in each format its
	// files hold it in: made with the window, only read after.
	m     map[fragmentKey]*fragment
	short sync.Map // fragmentKey → *fragment: items cut to their summary, made on need
	store *fragmentStore
	arena *windowArena // the memory of the window's encodings
	// stored holds, for each item of the window, its encodings read back
	// from store, every format at once (see fragmentStore.itemAll).
	stored map[string]*storedRead
	items  []*Item // the window's items, each once, in the order of its documents
}

// storedRead is an item's encodings read back from a fragment store.
type storedRead struct {
	once sync.Once
	enc  [3][]byte
	err  error
}

type fragmentKey struct {
	id     string
	format Format
	short  bool // the item cut to its summary, to meet a size budget
}

type fragment struct {
	once sync.Once
	b    []byte
	err  error
	uses int32        // the window's files that hold the item in the format
	left atomic.Int32 // of a cut encoding: the uses it may still have
}

// newFragments returns the fragments of a window of the render stage.
func newFragments(window []renderTask, store *fragmentStore, arena *windowArena) *fragments {
	fr := &fragments{m: map[fragmentKey]*fragment{}, store: store, arena: arena, stored: map[string]*storedRead{}}
	for _, t := range window {
		for _, it := range t.f.Items {
			k := fragmentKey{it.ID, t.format, false}
			e := fr.m[k]
			if e == nil {
				e = &fragment{}
				fr.m[k] = e
			}
			e.uses++
			if fr.stored[it.ID] == nil {
				fr.stored[it.ID] = &storedRead{}
				fr.items = append(fr.items, it)
			}
		}
	}
	return fr
}

// read returns the encoding of it in format from the store: an item an
// earlier window encoded is read back in every format at once, for the
// window's files in each.
func (fr *fragments) read(c *Catalog, it *Item, format Format) ([]byte, error) {
	r := fr.stored[it.ID]
	if r == nil {
		return fr.store.item(c, it, format, false, fr.arena)
	}
	fr.readBack(c, it)
	if r.err == nil && r.enc[format] == nil {
		return fr.store.item(c, it, format, false, fr.arena) // its error says why
	}
	return r.enc[format], r.err
}

// readBack reads the encodings of it, an item an earlier window encoded,
// back from the store, once (see read).
func (fr *fragments) readBack(c *Catalog, it *Item) {
	r := fr.stored[it.ID]
	r.once.Do(func() { r.enc, r.err = fr.store.itemAll(c, it, fr.arena) })
}

// put keeps b as the encoding of k, when the window uses it.
func (fr *fragments) put(k fragmentKey, b []byte) {
	if e := fr.m[k]; e != nil {
		e.once.Do(func() { e.b = b })
	}
}

// item returns the encoding of it in format; short asks for the item cut
// to its summary. Without fragments (a single feed written on its own), it
// is encoded there and then. A cut encoding is dropped after its last use
// in the window; few are made.
func (fr *fragments) item(c *Catalog, it *Item, format Format, short bool) ([]byte, error) {
	if fr == nil {
		return c.encodeItem(it, format, short)
	}
	k := fragmentKey{it.ID, format, short}
	if !short {
		e := fr.m[k]
		if e == nil { // not planned for the window's files: not kept
			return fr.store.item(c, it, format, false, fr.arena)
		}
		e.once.Do(func() { e.b, e.err = fr.read(c, it, format) })
		return e.b, e.err
	}
	e := fr.shortEntry(k)
	e.once.Do(func() { e.b, e.err = fr.store.item(c, it, format, true, fr.arena) })
	if e.left.Add(-1) <= 0 {
		fr.short.Delete(k)
	}
	return e.b, e.err
}

// shortEntry returns the fragment of the cut encoding k, made if missing.
func (fr *fragments) shortEntry(k fragmentKey) *fragment {
	if v, ok := fr.short.Load(k); ok {
		return v.(*fragment)
	}
	nf := &fragment{}
	if full := fr.m[fragmentKey{k.id, k.format, false}]; full != nil {
		nf.left.Store(full.uses)
	}
	v, _ := fr.short.LoadOrStore(k, nf)
	return v.(*fragment)
}

// docStats says what meeting the size budget took for one document.
type docStats struct {
	short int  // items cut to their summary
	over  bool // still over the budget with every item cut
}

// write appends to dst (whose bytes it may overwrite) the feed's frame
// (everything but the items) around the items' encodings, and returns it. The bytes are those of encoding the whole document at
// once: items are encoded with the indentation they have inside it. When
// the document would be over the size budget, the oldest items are cut to
// their summary until it fits.
func (f *Feed) write(dst []byte, format Format, fr *fragments) ([]byte, docStats, error) {
	var st docStats
	head, tail, err := f.frame(format)
	if err != nil {
		return nil, st, err
	}
	parts := make([][]byte, len(f.Items))
	size := len(head) + len(tail)
	for i, it := range f.Items {
		if parts[i], err = fr.item(f.cat, it, format, false); err != nil {
			return nil, st, err
		}
		size += len(parts[i]) + 1 // the newline before it
		if format == JSON {
			size += 5 // ",\n    " instead, or "\n    " before the first
		}
	}
	if format == JSON && len(parts) > 0 {
		size += 2 // "\n  " after the last, less the comma the first lacks
	}
	if budget := f.cat.cfg.MaxFeedBytes; budget > 0 {
		for i := len(f.Items) - 1; i >= 0 && size > budget; i-- {
			b, err := fr.item(f.cat, f.Items[i], format, true)
			if err != nil {
				return nil, st, err
			}
			if len(b) < len(parts[i]) {
				size += len(b) - len(parts[i])
				parts[i] = b
				st.short++
			}
		}
		st.over = size > budget
	}
	out := dst[:0]
	if cap(out) < size {
		out = make([]byte, 0, size)
	}
	out = append(out, head...)
	for i, b := range parts {
		switch {
		case format != JSON:
			out = append(out, '\n')
		case i == 0:
			out = append(out, "\n    "...)
		default:
			out = append(out, ",\n    "...)
		}
		out = append(out, b...)
	}
	if format == JSON && len(parts) > 0 {
		out = append(out, "\n  "...)
	}
	out = append(out, tail...)
	return out, st, nil
}

// frame encodes the feed without items and splits it where they go.
func (f *Feed) frame(format Format) (head, tail []byte, err error) {
	var b []byte
	var ok bool
	var mark string
	switch format {
	case RSS:
		doc := f.rssDoc()
		if b, ok = appendRSSDoc(nil, doc, f.stylesheetHref()); !ok {
			b, err = reflectDoc(doc, f.stylesheetHref())
		}
		mark = "\n  </channel>"
	case Atom:
		doc := f.atomDoc()
		if b, ok = appendAtomDoc(nil, doc, f.stylesheetHref()); !ok {
			b, err = reflectDoc(doc, f.stylesheetHref())
		}
		mark = "\n</feed>"
	default:
		b, err = f.jsonFrame()
		mark = "]\n}"
	}
	if err != nil {
		return nil, nil, err
	}
	i := bytes.LastIndex(b, []byte(mark))
	if i < 0 {
		return nil, nil, fmt.Errorf("curafeed: encoding %s of %s: no place for items", format, f.Path)
	}
	return b[:i], b[i:], nil
}

// reflectDoc is writeStyledXML's bytes, for a document the writers of
// marshal.go refuse.
func reflectDoc(v any, stylesheet string) ([]byte, error) {
	var b bytes.Buffer
	err := writeStyledXML(&b, v, stylesheet)
	return b.Bytes(), err
}

// encodeItem encodes one item as it appears inside a feed of the catalog;
// short cuts its content to its summary and a link to read more.
func (c *Catalog) encodeItem(it *Item, format Format, short bool) ([]byte, error) {
	if short {
		return c.encodeContent(it, format, c.readMore(it), true)
	}
	return c.encodeContent(it, format, it.ContentHTML(), false)
}

// encodeContent encodes one item with the given content: its sanitized
// body or, when short, what readMore makes. The bytes are those of
// encoding/xml and encoding/json, written without reflection (marshal.go).
func (c *Catalog) encodeContent(it *Item, format Format, content string, short bool) ([]byte, error) {
	return c.appendContent(make([]byte, 0, contentSize(content)), it, format, content, short)
}

// contentSize is about the size of an item's encoding with the given
// content: the content, escaped, and the other fields.
func contentSize(content string) int { return len(content) + len(content)/8 + 2048 }

// appendContent is encodeContent appending to dst.
func (c *Catalog) appendContent(dst []byte, it *Item, format Format, content string, short bool) ([]byte, error) {
	switch format {
	case RSS:
		w := xmlWriter{b: dst, prefix: "    "}
		w.rssItem(c.rssItem(it, content))
		return w.b, nil
	case Atom:
		e := c.atomEntry(it, content)
		if short {
			e.Summary = nil // the content is the summary now
		}
		w := xmlWriter{b: dst, prefix: "  "}
		if w.atomEntry(e) {
			return w.b, nil
		}
		b, err := c.reflectItem(it, format, e, "  ")
		return append(dst, b...), err
	default:
		ji := c.jsonItem(it, content)
		if b, ok := appendJSONItem(dst, ji); ok {
			return b, nil
		}
		b, err := c.reflectItem(it, format, ji, "    ")
		return append(dst, b...), err
	}
}

// reflectItem encodes an item's struct with encoding/xml or encoding/json,
// for what the writers of marshal.go refuse (such as a date encoding/json
// refuses, whose error it then gives).
func (c *Catalog) reflectItem(it *Item, format Format, v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	var err error
	if format == JSON {
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent(indent, "  ")
		err = enc.Encode(v)
	} else {
		err = encodeXML(&b, v, indent)
	}
	if err != nil {
		return nil, fmt.Errorf("curafeed: encoding %s item %s: %w", format, it.Path, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// readMoreChars bounds the text of a cut item whose record has no summary.
const readMoreChars = 300

// readMore is the content of an item cut to meet a size budget: its summary
// (or the start of its text) and a link to the whole article. It is built
// from plain text, so it is always well-formed HTML.
func (c *Catalog) readMore(it *Item) string {
	body := ""
	if it.Summary == "" {
		body = it.ContentHTML()
	}
	return c.readMoreOf(it, body)
}

// readMoreOf is readMore given the item's sanitized body, which it reads
// only when the item has no summary.
func (c *Catalog) readMoreOf(it *Item, body string) string {
	text := it.Summary
	if text == "" {
		text = sanitize.Truncate(sanitize.HTMLText(body), readMoreChars)
	}
	var b strings.Builder
	if text != "" {
		b.WriteString("<p>" + html.EscapeString(text) + "</p>")
	}
	b.WriteString(`<p><a href="` + html.EscapeString(c.itemPage(it)) + `">Read more</a></p>`)
	return b.String()
}

// render returns the feed's bytes in the given format.
func (f *Feed) render(format Format) ([]byte, error) {
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
	if err := encodeXML(w, v, ""); err != nil {
		return fmt.Errorf("curafeed: encoding XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// encodeXML encodes v into w, indented by two spaces a level after prefix.
// The encoder's buffer comes from a pool: an xml.Encoder takes a
// *bufio.Writer as its own, and makes a new one of 4 KB otherwise, which
// for tens of thousands of items and documents a build is a good share of
// what it allocates.
func encodeXML(w io.Writer, v any, prefix string) error {
	bw := xmlBuffers.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() {
		bw.Reset(nil)
		xmlBuffers.Put(bw)
	}()
	enc := xml.NewEncoder(bw)
	enc.Indent(prefix, "  ")
	return enc.Encode(v) // flushes bw
}

var xmlBuffers = sync.Pool{New: func() any { return bufio.NewWriter(nil) }}

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
	NSHistory string      `xml:"xmlns:fh,attr,omitempty"`
	Channel   *rssChannel `xml:"channel"`
}

// rssChannel is gorilla's RssFeed with self, hub and archive links, the
// archive mark and curafeed's items.
type rssChannel struct {
	feeds.RssFeed
	AtomLinks []rssAtomLink `xml:"atom:link"`
	Archive   *struct{}     `xml:"fh:archive"`
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
		Generator:     generator,
	}}
	ch.AtomLinks = []rssAtomLink{{Href: f.URL(RSS), Rel: "self", Type: RSS.mediaType()}}
	for _, l := range f.links(RSS) {
		ch.AtomLinks = append(ch.AtomLinks, rssAtomLink{Href: l.Href, Rel: l.Rel, Type: l.Type})
	}
	doc := &rssDoc{Version: "2.0", NSContent: nsContent, NSAtom: nsAtom, NSDC: nsDC, Channel: ch}
	if f.Archive > 0 {
		doc.NSHistory, ch.Archive = nsHistory, &struct{}{}
	}
	return doc
}

// links are the feed's hub links (WebSub) and archive links (RFC 5005) in
// the given format: a current feed names its newest archive document
// (prev-archive); an archive document names its current feed (current),
// the archive before it (prev-archive) and the document after it
// (next-archive: the next archive, or the current feed after the newest).
func (f *Feed) links(format Format) []feeds.AtomLink {
	var out []feeds.AtomLink
	for _, h := range f.cat.cfg.Hubs {
		out = append(out, feeds.AtomLink{Href: h, Rel: "hub"})
	}
	mt := format.mediaType()
	if f.Current == nil {
		if n := len(f.Archives); n > 0 {
			out = append(out, feeds.AtomLink{Href: f.Archives[n-1].URL(format), Rel: "prev-archive", Type: mt})
		}
		return out
	}
	out = append(out, feeds.AtomLink{Href: f.Current.URL(format), Rel: "current", Type: mt})
	if k := f.Archive; k > 1 {
		out = append(out, feeds.AtomLink{Href: f.Current.Archives[k-2].URL(format), Rel: "prev-archive", Type: mt})
	}
	// next-archive: the next archive, or for the open (newest) archive the
	// current feed, the document that follows it.
	next := f.Current.URL(format)
	if k := f.Archive; k < len(f.Current.Archives) {
		next = f.Current.Archives[k].URL(format)
	}
	return append(out, feeds.AtomLink{Href: next, Rel: "next-archive", Type: mt})
}

// plainToHTML escapes plain text for a field that readers take as HTML, such
// as the description of an RSS item, so that "R&D" and "5 < 6" read as
// typed. Quotes need no escaping outside attributes.
func plainToHTML(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return htmlTextEscaper.Replace(s)
}

var htmlTextEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// rssItem is it as an RSS 2.0 item with the given content.
func (c *Catalog) rssItem(it *Item, content string) *rssItem {
	ri := &rssItem{RssItem: feeds.RssItem{
		Title:       it.Title,
		Link:        c.rssLink(it),
		Description: plainToHTML(it.Summary), // an HTML field in RSS 2.0
		Guid:        &feeds.RssGuid{Id: it.ID, IsPermaLink: "false"},
		PubDate:     rfc822(it.Published),
	}}
	if content != "" {
		ri.Content = &feeds.RssContent{Content: content}
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
	NSHistory   string           `xml:"xmlns:fh,attr,omitempty"`
	NSTombstone string           `xml:"xmlns:at,attr,omitempty"`
	Lang        string           `xml:"xml:lang,attr"`
	Links       []feeds.AtomLink `xml:"link"`
	Generator   *atomGenerator   `xml:"generator"`
	Archive     *struct{}        `xml:"fh:archive"`
	Deleted     []atomDeleted    `xml:"at:deleted-entry"`
	Entries     []*atomEntry     `xml:"entry"`
}

// atomDeleted is an RFC 6721 tombstone.
type atomDeleted struct {
	Ref  string `xml:"ref,attr"`
	When string `xml:"when,attr"`
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

// newAtomText is the plain text s as an Atom text construct: type="text"
// as written, unless s reads like markup (an end tag, or an entity or
// character reference), which readers and validators would take for
// undeclared HTML; then type="html" with s HTML-escaped, which shows the
// same text.
func newAtomText(s string) atomText {
	if looksLikeMarkup(s) {
		return atomText{Type: "html", Text: html.EscapeString(s)}
	}
	return atomText{Type: "text", Text: s}
}

// looksLikeMarkup reports whether plain text s holds "</" followed by a
// letter, or "&" followed by "#" or by the name of an HTML entity.
func looksLikeMarkup(s string) bool {
	for i := strings.IndexAny(s, "<&"); i >= 0 && i < len(s)-1; {
		rest := s[i+1:]
		switch {
		case s[i] == '<':
			if len(rest) > 1 && rest[0] == '/' && ('a' <= rest[1]|0x20 && rest[1]|0x20 <= 'z') {
				return true
			}
		case rest[0] == '#':
			return true
		default:
			n := 0
			for n < len(rest) && n < 32 && ('a' <= rest[n]|0x20 && rest[n]|0x20 <= 'z' || '0' <= rest[n] && rest[n] <= '9') {
				n++
			}
			if n > 0 {
				ref := "&" + rest[:n] + ";"
				if html.UnescapeString(ref) != ref {
					return true
				}
			}
		}
		j := strings.IndexAny(rest, "<&")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

// atomDoc is the feed as an Atom 1.0 document without entries.
func (f *Feed) atomDoc() *atomFeed {
	c := f.cat
	doc := &atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns:    nsAtom,
			Title:    f.Title,
			Id:       f.ID(),
			Updated:  rfc3339(f.updated()),
			Subtitle: f.Description,
			Author:   &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: c.cfg.Title, Uri: c.site + "/"}},
		},
		Lang: c.cfg.Language,
		Links: append([]feeds.AtomLink{
			{Href: f.URL(Atom), Rel: "self", Type: Atom.mediaType()},
			{Href: f.HomeURL, Rel: "alternate", Type: "text/html"},
		}, f.links(Atom)...),
		Generator: &atomGenerator{Name: generator},
	}
	if f.Archive > 0 {
		doc.NSHistory, doc.Archive = nsHistory, &struct{}{}
	}
	if len(f.Tombstones) > 0 {
		doc.NSTombstone = nsTombstone
		for _, t := range f.Tombstones {
			doc.Deleted = append(doc.Deleted, atomDeleted{Ref: t.ID, When: rfc3339(t.When)})
		}
	}
	return doc
}

// atomEntry is it as an Atom 1.0 entry with the given content.
func (c *Catalog) atomEntry(it *Item, content string) *atomEntry {
	e := &atomEntry{AtomEntry: feeds.AtomEntry{
		Id:        it.ID,
		Updated:   rfc3339(c.itemUpdated(it)),
		Published: rfc3339(it.Published),
	}}
	e.Title = newAtomText(it.Title)
	summary := it.Summary
	if summary == "" && content == "" {
		summary = it.Title // an entry without content needs a summary (RFC 4287 4.1.1.1)
	}
	if summary != "" {
		t := newAtomText(summary)
		e.Summary = &feeds.AtomSummary{Type: t.Type, Content: t.Text}
	}
	if content != "" {
		e.Content = &feeds.AtomContent{Type: "html", Content: content}
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

// jsonFrame is the feed as JSON Feed 1.1 with an empty items list.
func (f *Feed) jsonFrame() ([]byte, error) {
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
	for _, l := range f.links(JSON) {
		switch l.Rel {
		case "hub":
			jf.Hubs = append(jf.Hubs, &feeds.JSONHub{Type: "WebSub", Url: l.Href})
		case "prev-archive": // JSON Feed pages go from newer to older
			jf.NextUrl = l.Href
		}
	}
	if b, ok := appendJSONFrame(nil, jf); ok {
		return b, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jf); err != nil {
		return nil, fmt.Errorf("curafeed: encoding JSON feed %s: %w", f.Path, err)
	}
	return b.Bytes(), nil
}

// jsonItem is it as a JSON Feed 1.1 item with the given content.
func (c *Catalog) jsonItem(it *Item, content string) *jsonItem {
	pub, mod := it.Published, c.itemUpdated(it)
	ji := &jsonItem{JSONItem: feeds.JSONItem{
		Id:            it.ID,
		Url:           c.itemPage(it),
		ExternalUrl:   it.ExternalURL,
		Title:         it.Title,
		ContentHTML:   content,
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
