package curafeed

import (
	"encoding/binary"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"
)

// This file writes the feed model's structs (rssItem, atomEntry, jsonItem
// and the documents around them) without reflection: byte for byte what
// encoding/xml and encoding/json write for them with the indentation
// curafeed uses. Reflecting over the structs of tens of thousands of items
// and documents was a sixth of a build's CPU. The reflecting encoders stay
// the reference: marshal_test.go compares the two on every field, and a
// struct holding something these writers do not know (a field curafeed
// never sets) is handed to them.

// xmlWriter appends XML as an xml.Encoder with Indent(prefix, "  ") writes
// it: each start tag on a line of its own, indented by depth; an end tag
// on a line of its own only after child elements.
type xmlWriter struct {
	b       []byte
	prefix  string
	depth   int
	started bool // a line was written: the next indent starts a new one
	leaf    bool // the element last opened has no child element yet
}

func (w *xmlWriter) indent(delta int) {
	if delta < 0 {
		w.depth--
		if w.leaf {
			w.leaf = false
			return
		}
	}
	if w.started {
		w.b = append(w.b, '\n')
	}
	w.started = true
	w.b = append(w.b, w.prefix...)
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
	if delta > 0 {
		w.depth++
		w.leaf = true
	}
}

// open starts the start tag of name; attributes may follow, then gt.
func (w *xmlWriter) open(name string) {
	w.indent(1)
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
}

func (w *xmlWriter) gt() { w.b = append(w.b, '>') }

func (w *xmlWriter) attr(name, v string) {
	w.b = append(w.b, ' ')
	w.b = append(w.b, name...)
	w.b = append(w.b, `="`...)
	w.b = appendXMLText(w.b, v)
	w.b = append(w.b, '"')
}

// attrOmit is attr for an attribute tagged omitempty.
func (w *xmlWriter) attrOmit(name, v string) {
	if v != "" {
		w.attr(name, v)
	}
}

func (w *xmlWriter) close(name string) {
	w.indent(-1)
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// elem writes an element of text and nothing else.
func (w *xmlWriter) elem(name, text string) {
	w.open(name)
	w.gt()
	w.b = appendXMLText(w.b, text)
	w.close(name)
}

// elemOmit is elem for an element tagged omitempty.
func (w *xmlWriter) elemOmit(name, text string) {
	if text != "" {
		w.elem(name, text)
	}
}

// empty writes an element without attributes or content.
func (w *xmlWriter) empty(name string) {
	w.open(name)
	w.gt()
	w.close(name)
}

// cdata writes s as a CDATA section, a "]]>" inside it split across two.
func (w *xmlWriter) cdata(s string) {
	if s == "" {
		return
	}
	w.b = append(w.b, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		w.b = append(w.b, s[:i]...)
		w.b = append(w.b, "]]]]><![CDATA[>"...)
		s = s[i+len("]]>"):]
	}
	w.b = append(w.b, s...)
	w.b = append(w.b, "]]>"...)
}

// rssItem writes an RSS item: gorilla's fields in their order, the
// content, categories and creators after them (fields of the embedding
// struct that shadow one of gorilla's come last, as encoding/xml puts
// them).
func (w *xmlWriter) rssItem(ri *rssItem) {
	w.open("item")
	w.gt()
	w.elem("title", ri.Title)
	w.elem("link", ri.Link)
	w.elem("description", ri.Description)
	w.elemOmit("author", ri.Author)
	w.elemOmit("comments", ri.Comments)
	if e := ri.Enclosure; e != nil {
		w.open("enclosure")
		w.attr("url", e.Url)
		w.attr("length", e.Length)
		w.attr("type", e.Type)
		w.gt()
		w.close("enclosure")
	}
	if g := ri.Guid; g != nil {
		w.open("guid")
		w.attrOmit("isPermaLink", g.IsPermaLink)
		w.gt()
		w.b = appendXMLText(w.b, g.Id)
		w.close("guid")
	}
	w.elemOmit("pubDate", ri.PubDate)
	w.elemOmit("source", ri.Source)
	if ct := ri.Content; ct != nil {
		w.open("content:encoded")
		w.gt()
		w.cdata(ct.Content)
		w.close("content:encoded")
	}
	for _, c := range ri.Categories {
		w.open("category")
		w.attrOmit("domain", c.Domain)
		w.gt()
		w.b = appendXMLText(w.b, c.Term)
		w.close("category")
	}
	for _, name := range ri.Creators {
		w.elem("dc:creator", name)
	}
	w.close("item")
}

// atomEntry writes an Atom entry; false (nothing written) for a
// contributor, which curafeed never sets.
func (w *xmlWriter) atomEntry(e *atomEntry) bool {
	if e.Contributor != nil {
		return false
	}
	w.open("entry")
	w.attrOmit("xmlns", e.Xmlns)
	w.gt()
	w.open("title")
	w.attr("type", e.Title.Type)
	w.gt()
	w.b = appendXMLText(w.b, e.Title.Text)
	w.close("title")
	w.elem("updated", e.Updated)
	w.elem("id", e.Id)
	if ct := e.Content; ct != nil {
		w.atomText("content", ct.Type, ct.Content)
	}
	w.elemOmit("rights", e.Rights)
	w.elemOmit("source", e.Source)
	w.elemOmit("published", e.Published)
	for i := range e.Links {
		w.atomLink(&e.Links[i])
	}
	if s := e.Summary; s != nil {
		w.atomText("summary", s.Type, s.Content)
	}
	for _, p := range e.Authors {
		w.atomPerson("author", p)
	}
	for _, c := range e.Categories {
		w.open("category")
		w.attr("term", c.Term)
		w.attrOmit("scheme", c.Scheme)
		w.attrOmit("label", c.Label)
		w.gt()
		w.close("category")
	}
	w.close("entry")
	return true
}

func (w *xmlWriter) atomText(name, typ, text string) {
	w.open(name)
	w.attr("type", typ)
	w.gt()
	w.b = appendXMLText(w.b, text)
	w.close(name)
}

func (w *xmlWriter) atomLink(l *feeds.AtomLink) {
	w.open("link")
	w.attr("href", l.Href)
	w.attrOmit("rel", l.Rel)
	w.attrOmit("type", l.Type)
	w.attrOmit("length", l.Length)
	w.gt()
	w.close("link")
}

func (w *xmlWriter) atomPerson(name string, p feeds.AtomPerson) {
	w.open(name)
	w.gt()
	w.elemOmit("name", p.Name)
	w.elemOmit("uri", p.Uri)
	w.elemOmit("email", p.Email)
	w.close(name)
}

// appendXMLText appends s escaped as encoding/xml's EscapeText escapes it
// (the five markup characters, tab, newline and carriage return as
// references; invalid UTF-8 and characters XML does not allow as U+FFFD),
// byte for byte, copying the runs of bytes that need nothing at once.
func appendXMLText(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		for i < len(s) && xmlPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		at, c := i, s[i]
		var esc string
		if c < utf8.RuneSelf {
			i++
			esc = xmlEscapes[c]
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			i += n
			if r != utf8.RuneError && isXMLRune(r) || r == utf8.RuneError && n > 1 {
				continue
			}
			esc = "\uFFFD"
		}
		dst = append(dst, s[last:at]...)
		dst = append(dst, esc...)
		last = i
	}
	return append(dst, s[last:]...)
}

// Bytes eight at a time: byteOnes has 1 in each byte, byteHighs the high
// bit of each.
const byteOnes, byteHighs = 0x0101010101010101, 0x8080808080808080

// zeroByte is not 0 when one of the eight bytes of x is 0.
func zeroByte(x uint64) uint64 { return (x - byteOnes) &^ x & byteHighs }

// jsonPlainWord reports whether the eight bytes of x are all bytes
// appendJSONString copies as they are: ASCII from ' ' on but quote and
// backslash.
func jsonPlainWord(x uint64) bool {
	return (x-0x20*byteOnes)&^x&byteHighs|x&byteHighs|zeroByte(x^'"'*byteOnes)|zeroByte(x^'\\'*byteOnes) == 0
}

// xmlEscapes are the references EscapeText writes for ASCII characters:
// markup, tab, newline and carriage return, and U+FFFD for the other
// control characters, which XML does not allow.
var xmlEscapes = func() (t [utf8.RuneSelf]string) {
	for c := range 0x20 {
		t[c] = "\uFFFD"
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return t
}()

// xmlPlain marks the ASCII bytes EscapeText writes as they are.
var xmlPlain = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = xmlEscapes[c] == ""
	}
	return t
}()

// isXMLRune reports whether r is a character XML 1.0 allows beyond ASCII
// (the Char production).
func isXMLRune(r rune) bool {
	return r <= 0xd7ff || 0xe000 <= r && r <= 0xfffd || 0x10000 <= r && r <= utf8.MaxRune
}

// appendXMLDeclaration starts every XML document: the declaration and, when
// stylesheet is not empty, the processing instruction naming it.
func appendXMLDeclaration(b []byte, stylesheet string) []byte {
	b = append(b, xml.Header...)
	if stylesheet != "" {
		b = append(b, `<?xml-stylesheet type="text/xsl" href="`...)
		b = appendXMLText(b, stylesheet)
		b = append(b, "\"?>\n"...)
	}
	return b
}

// appendRSSDoc writes an RSS document as writeStyledXML does, its channel's
// items included; false (nothing written) for a channel image or text
// input, which curafeed never sets.
func appendRSSDoc(b []byte, d *rssDoc, stylesheet string) ([]byte, bool) {
	ch := d.Channel
	if ch != nil && (ch.Image != nil || ch.TextInput != nil) {
		return b, false
	}
	w := xmlWriter{b: appendXMLDeclaration(b, stylesheet)}
	w.open("rss")
	w.attr("version", d.Version)
	w.attr("xmlns:content", d.NSContent)
	w.attr("xmlns:atom", d.NSAtom)
	w.attr("xmlns:dc", d.NSDC)
	w.attrOmit("xmlns:fh", d.NSHistory)
	w.gt()
	if ch != nil {
		w.open("channel")
		w.gt()
		w.elem("title", ch.Title)
		w.elem("link", ch.Link)
		w.elem("description", ch.Description)
		for _, f := range [...]struct{ name, v string }{
			{"language", ch.Language}, {"copyright", ch.Copyright},
			{"managingEditor", ch.ManagingEditor}, {"webMaster", ch.WebMaster},
			{"pubDate", ch.PubDate}, {"lastBuildDate", ch.LastBuildDate},
			{"category", ch.Category}, {"generator", ch.Generator},
			{"docs", ch.Docs}, {"cloud", ch.Cloud},
		} {
			w.elemOmit(f.name, f.v)
		}
		if ch.Ttl != 0 {
			w.elem("ttl", strconv.Itoa(ch.Ttl))
		}
		w.elemOmit("rating", ch.Rating)
		w.elemOmit("skipHours", ch.SkipHours)
		w.elemOmit("skipDays", ch.SkipDays)
		for _, l := range ch.AtomLinks {
			w.open("atom:link")
			w.attr("href", l.Href)
			w.attr("rel", l.Rel)
			w.attrOmit("type", l.Type)
			w.gt()
			w.close("atom:link")
		}
		if ch.Archive != nil {
			w.empty("fh:archive")
		}
		for _, it := range ch.Items {
			if it != nil {
				w.rssItem(it)
			}
		}
		w.close("channel")
	}
	w.close("rss")
	return append(w.b, '\n'), true
}

// appendAtomDoc writes an Atom document as writeStyledXML does, entries
// included; false (nothing written) for a field curafeed never sets.
func appendAtomDoc(b []byte, d *atomFeed, stylesheet string) ([]byte, bool) {
	if d.Contributor != nil {
		return b, false
	}
	w := xmlWriter{b: appendXMLDeclaration(b, stylesheet)}
	w.open("feed")
	w.attr("xmlns", d.Xmlns)
	w.attrOmit("xmlns:fh", d.NSHistory)
	w.attrOmit("xmlns:at", d.NSTombstone)
	w.attr("xml:lang", d.Lang)
	w.gt()
	w.elem("title", d.Title)
	w.elem("id", d.Id)
	w.elem("updated", d.Updated)
	w.elemOmit("category", d.Category)
	w.elemOmit("icon", d.Icon)
	w.elemOmit("logo", d.Logo)
	w.elemOmit("rights", d.Rights)
	w.elemOmit("subtitle", d.Subtitle)
	if a := d.Author; a != nil {
		w.atomPerson("author", a.AtomPerson)
	}
	for i := range d.Links {
		w.atomLink(&d.Links[i])
	}
	if g := d.Generator; g != nil {
		w.elem("generator", g.Name)
	}
	if d.Archive != nil {
		w.empty("fh:archive")
	}
	for _, t := range d.Deleted {
		w.open("at:deleted-entry")
		w.attr("ref", t.Ref)
		w.attr("when", t.When)
		w.gt()
		w.close("at:deleted-entry")
	}
	for _, e := range d.Entries {
		if e != nil && !w.atomEntry(e) {
			return b, false
		}
	}
	w.close("feed")
	return append(w.b, '\n'), true
}

// jsonWriter appends JSON as a json.Encoder with SetEscapeHTML(false) and
// SetIndent(prefix, "  ") writes it.
type jsonWriter struct {
	b      []byte
	prefix string
	depth  int
	first  bool // the object or array last opened has no member yet
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	w.b = append(w.b, w.prefix...)
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

// next starts a member of the open object or array.
func (w *jsonWriter) next() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.newline()
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.first = false
	w.b = append(w.b, c)
}

func (w *jsonWriter) key(k string) {
	w.next()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, `": `...)
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// strOmit is str for a field tagged omitempty.
func (w *jsonWriter) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// time writes t as time.Time's MarshalJSON does; false for a time it
// refuses (a year beyond 9999 or before 0, an offset of a day or more).
func (w *jsonWriter) time(k string, t time.Time) bool {
	if y := t.Year(); y < 0 || y > 9999 {
		return false
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return false
	}
	w.key(k)
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
	return true
}

func (w *jsonWriter) author(a *feeds.JSONAuthor) {
	if a == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.strOmit("name", a.Name)
	w.strOmit("url", a.Url)
	w.strOmit("avatar", a.Avatar)
	w.close('}')
}

func (w *jsonWriter) authors(k string, as []*feeds.JSONAuthor) {
	if len(as) == 0 {
		return
	}
	w.key(k)
	w.open('[')
	for _, a := range as {
		w.next()
		w.author(a)
	}
	w.close(']')
}

// appendJSONItem appends ji as encoding it at indent "    " gives it (the
// final newline aside); false, having appended nothing, for what it does
// not write: attachments, which curafeed never sets, and a time
// encoding/json refuses.
func appendJSONItem(b []byte, ji *jsonItem) ([]byte, bool) {
	if len(ji.Attachments) > 0 {
		return b, false
	}
	w := jsonWriter{b: b, prefix: "    "}
	w.open('{')
	w.str("id", ji.Id)
	w.strOmit("url", ji.Url)
	w.strOmit("external_url", ji.ExternalUrl)
	w.strOmit("title", ji.Title)
	w.strOmit("content_html", ji.ContentHTML)
	w.strOmit("content_text", ji.ContentText)
	w.strOmit("summary", ji.Summary)
	w.strOmit("image", ji.Image)
	w.strOmit("banner_", ji.BannerImage)
	if t := ji.PublishedDate; t != nil && !w.time("date_published", *t) {
		return b, false
	}
	if t := ji.ModifiedDate; t != nil && !w.time("date_modified", *t) {
		return b, false
	}
	if ji.Author != nil {
		w.key("author")
		w.author(ji.Author)
	}
	w.authors("authors", ji.Authors)
	if len(ji.Tags) > 0 {
		w.key("tags")
		w.open('[')
		for _, t := range ji.Tags {
			w.next()
			w.b = appendJSONString(w.b, t)
		}
		w.close(']')
	}
	w.strOmit("language", ji.Language)
	w.close('}')
	return w.b, true
}

// appendJSONFrame appends jf as writeJSONFrame's encoder writes it, the
// final newline included; false (nothing appended) for items, which a
// frame has none of.
func appendJSONFrame(b []byte, jf *jsonFeed) ([]byte, bool) {
	if len(jf.Items) > 0 {
		return b, false
	}
	w := jsonWriter{b: b}
	w.open('{')
	w.str("version", jf.Version)
	w.str("title", jf.Title)
	w.strOmit("language", jf.Language)
	w.strOmit("home_page_url", jf.HomePageUrl)
	w.strOmit("feed_url", jf.FeedUrl)
	w.strOmit("description", jf.Description)
	w.strOmit("user_comment", jf.UserComment)
	w.strOmit("next_url", jf.NextUrl)
	w.strOmit("icon", jf.Icon)
	w.strOmit("favicon", jf.Favicon)
	if jf.Author != nil {
		w.key("author")
		w.author(jf.Author)
	}
	w.authors("authors", jf.Authors)
	if jf.Expired != nil {
		w.key("expired")
		w.b = strconv.AppendBool(w.b, *jf.Expired)
	}
	if len(jf.Hubs) > 0 {
		w.key("hubs")
		w.open('[')
		for _, h := range jf.Hubs {
			w.next()
			if h == nil {
				w.b = append(w.b, "null"...)
				continue
			}
			w.open('{')
			w.str("type", h.Type)
			w.str("url", h.Url)
			w.close('}')
		}
		w.close(']')
	}
	w.key("items")
	if jf.Items == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, "[]"...)
	}
	w.close('}')
	return append(w.b, '\n'), true
}

// appendJSONString appends s as a JSON string as encoding/json writes it
// without HTML escaping: quote, backslash and control characters escaped,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 as escapes.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	sb := unsafeBytes(s) // read eight bytes at a time
	last := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && jsonPlainWord(binary.LittleEndian.Uint64(sb[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[last:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			last = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[last:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[last:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}
