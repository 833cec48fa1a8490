package sanitize

import (
	"bytes"
	"encoding/binary"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// This file holds everything that makes untrusted record text safe to put in
// a feed. Every function here is safe for concurrent use: the only shared
// state is the HTML policy and the Markdown converter, each built once and
// then only read.

// htmlAllowlist is the HTML that survives [HTML]: each allowed element
// with the attributes it may keep. Anything not listed is dropped (the element's
// text content is kept unless the element is in htmlDropContent). There are no
// event handlers, no style, no class or id (they would reach into the styles
// and scripts of whatever page shows the feed), and no element that loads
// active content or submits data.
var htmlAllowlist = map[string][]string{
	"a":          {"href", "title", "rel"},
	"abbr":       {"title"},
	"article":    nil,
	"b":          nil,
	"blockquote": nil,
	"br":         nil,
	"caption":    nil,
	"cite":       nil,
	"code":       nil,
	"dd":         nil,
	"del":        nil,
	"div":        nil,
	"dl":         nil,
	"dt":         nil,
	"em":         nil,
	"figcaption": nil,
	"figure":     nil,
	"h1":         nil,
	"h2":         nil,
	"h3":         nil,
	"h4":         nil,
	"h5":         nil,
	"h6":         nil,
	"hr":         nil,
	"i":          nil,
	"img":        {"src", "alt", "title", "width", "height"},
	"ins":        nil,
	"kbd":        nil,
	"li":         nil,
	"mark":       nil,
	"ol":         {"start"},
	"p":          nil,
	"pre":        nil,
	"q":          nil,
	"s":          nil,
	"samp":       nil,
	"section":    nil,
	"small":      nil,
	"span":       nil,
	"strong":     nil,
	"sub":        nil,
	"sup":        nil,
	"table":      nil,
	"tbody":      nil,
	"td":         {"colspan", "rowspan"},
	"tfoot":      nil,
	"th":         {"colspan", "rowspan"},
	"thead":      nil,
	"tr":         nil,
	"u":          nil,
	"ul":         nil,
	"var":        nil,
}

// linkRel is the rel value every kept link carries: nofollow because curators
// do not vouch for the target, noopener and noreferrer so that the target
// learns nothing about the page showing the feed and cannot reach back into it.
const linkRel = "nofollow noopener noreferrer"

// htmlAttrValues restricts the values of the allowed attributes that have one;
// an attribute whose value does not match is dropped.
var htmlAttrValues = map[string]*regexp.Regexp{
	"href":    regexp.MustCompile(`^(?:https?://|mailto:)`),
	"src":     regexp.MustCompile(`^https?://`),
	"rel":     regexp.MustCompile(`^` + linkRel + `$`),
	"width":   regexp.MustCompile(`^[0-9]{1,4}$`),
	"height":  regexp.MustCompile(`^[0-9]{1,4}$`),
	"colspan": regexp.MustCompile(`^[0-9]{1,3}$`),
	"rowspan": regexp.MustCompile(`^[0-9]{1,3}$`),
	"start":   regexp.MustCompile(`^[0-9]{1,6}$`),
}

// htmlDropContent lists elements whose content the policy drops with them,
// in addition to bluemonday's defaults (script, style, iframe, object,
// noscript, title and the like). parseAsBrowser has already removed them and
// every other element outside the allowlist; this keeps the policy safe on
// its own.
var htmlDropContent = []string{
	"annotation", "annotation-xml", "datalist", "select", "svg", "template", "textarea",
}

// htmlPolicy is the bluemonday policy built from htmlAllowlist. Once built it
// is only read, which bluemonday supports from any number of goroutines.
var htmlPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	for element, attrs := range htmlAllowlist {
		p.AllowElements(element)
		for _, attr := range attrs {
			b := p.AllowAttrs(attr)
			if re := htmlAttrValues[attr]; re != nil {
				b = b.Matching(re)
			}
			b.OnElements(element)
		}
	}
	p.SkipElementsContent(htmlDropContent...)
	return p
})

// HTML returns html made safe for feed content (see the package
// documentation for what stays). It parses html as a browser does and keeps
// what a browser would show, resolving href and src against base (the
// item's page; when base is nil, relative URLs are dropped), removing
// tracking pixels, and removing C1 controls, bidirectional controls and
// noncharacters from text and attribute values, whether raw or written as
// character references. It then applies the allowlist policy (the last step
// that interprets markup, so its guarantees hold), then removes invalid
// UTF-8 and characters XML 1.0 forbids and repairs mojibake, neither of
// which can create markup. The result is a fixed point:
// HTML(HTML(x, b), b) == HTML(x, b).
func HTML(html string, base *url.URL) string {
	if strings.ContainsAny(html, "<>&\"'\r") {
		written, nested := parseAsBrowser(html, base)
		var b strings.Builder
		b.Grow(len(written))
		if err := htmlPolicy().SanitizeReaderToWriter(strings.NewReader(written), &b); err != nil {
			return "" // fail closed; a strings.Reader gives no error but EOF
		}
		html = b.String()
		// The policy nearly always leaves the markup as it was written;
		// then the writer's own verdict on its nesting is balanceHTML's.
		if !nested || html != written {
			html = balanceHTML(html)
		}
		html = escapeMarksAfterTags(html)
	} else {
		// Without those characters there is no markup, and the policy
		// would return the text unchanged.
		html = cleanHTMLText(html)
	}
	// The last step removes what no text needs and repairs mojibake; none
	// of it can create markup (see sanitizedText).
	return sanitizedText(html)
}

// balanceHTML makes the policy's output HTML that parses to exactly what it
// says. parseAsBrowser writes a tree the parser built, but unwrapping an
// element can leave nesting the parser would not build (a paragraph in a
// paragraph once a button between them is gone), and the policy filters
// tokens one at a time. The fragment is parsed the way every browser parses
// it (the HTML5 tree-construction rules) and written back, so stray end tags
// are dropped, open elements closed and misnested ones untangled.
// Well-formed input comes back unchanged.
func balanceHTML(s string) string {
	if !strings.Contains(s, "<") || wellNested(s) {
		return s
	}
	// A tree the parser builds can hold what it would not build from its own
	// rendering (a link moved into a link by foster parenting), so render
	// until the result stops changing; two or three rounds suffice.
	out := s
	for range 4 {
		next, ok := parseAndRender(out)
		if !ok || next == out {
			break
		}
		out = next
	}
	return out
}

// wellNested reports whether s is plainly well-formed: every element closed
// in order, no paragraph closed implicitly, no list item, link or heading
// inside its own kind, and tables in their complete form (rows in a table
// section, cells in rows, nothing but white space between them), which the
// parser leaves where they are. Such markup parses to exactly what it says,
// so balanceHTML can leave it alone; anything else goes through the full
// parse. The check is much cheaper than the parse.
func wellNested(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	var n nesting
	for !n.bad {
		switch z.Next() {
		case html.ErrorToken:
			return n.closed() && z.Err() == io.EOF
		case html.TextToken:
			if n.inTable() {
				n.text(string(z.Raw()))
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			n.selfClosing(atom.Lookup(name))
		case html.StartTagToken:
			name, _ := z.TagName()
			n.start(atom.Lookup(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			n.end(atom.Lookup(name))
		}
	}
	return false
}

// nesting follows HTML tag by tag, as written, for wellNested: bad is set
// at the first sign that the markup is not plainly well-formed. The HTML
// writer of parseAsBrowser keeps one as it writes, so that markup it tells
// well-formed need not be read again. Elements are known by their atoms;
// every allowed element has one, and an element without one (0) is not
// plainly well-formed.
type nesting struct {
	stack []atom.Atom
	bad   bool
}

func (n *nesting) open(a atom.Atom) bool { return slices.Contains(n.stack, a) }

func (n *nesting) top() atom.Atom {
	if len(n.stack) == 0 {
		return 0
	}
	return n.stack[len(n.stack)-1]
}

// closed reports whether the markup so far is well-formed and complete.
func (n *nesting) closed() bool { return !n.bad && len(n.stack) == 0 }

// inTable reports whether the innermost open element holds only table
// structure, where text matters (see text).
func (n *nesting) inTable() bool { return kindOf(n.top())&kindTable != 0 }

// text takes text as written (raw).
func (n *nesting) text(raw string) {
	if n.inTable() && strings.Trim(raw, " \t\n\f\r") != "" {
		n.bad = true // text in a table moves out of it
	}
}

// selfClosing takes a tag written <name/>.
func (n *nesting) selfClosing(a atom.Atom) {
	if kindOf(a)&kindVoid == 0 {
		n.bad = true
	}
}

// start takes the start tag of a.
func (n *nesting) start(a atom.Atom) {
	top := n.top()
	kind := kindOf(a)
	if child, fits := inTableStructure(a, top); a == 0 || child != n.inTable() || child && !fits {
		n.bad = true // table content out of place, or other content in a table
		return
	}
	switch {
	case kind&kindClosesP != 0 && n.open(atom.P),
		(a == atom.Li || a == atom.A) && n.open(a),
		// A term or definition closes an open term or definition.
		(a == atom.Dt || a == atom.Dd) && (n.open(atom.Dt) || n.open(atom.Dd)),
		// A heading closes a heading it is in; a table closes the
		// caption it is in.
		kind&kindHeading != 0 && kindOf(top)&kindHeading != 0,
		a == atom.Table && n.open(atom.Caption):
		n.bad = true
		return
	}
	if kind&kindVoid == 0 {
		n.stack = append(n.stack, a)
	}
}

// end takes the end tag of a.
func (n *nesting) end(a atom.Atom) {
	if a == 0 || n.top() != a {
		n.bad = true
		return
	}
	n.stack = n.stack[:len(n.stack)-1]
}

// What nesting needs to know of an element (see kindOf).
const (
	kindVoid    = 1 << iota // no end tag
	kindClosesP             // its start tag ends an open paragraph
	kindHeading             // h1 to h6
	kindTable               // its content is only table structure
)

// kindOf returns what nesting needs to know of the element a. List items
// and definitions close an open paragraph too, though a scope such as a
// button's can keep them inside it until the writer unwraps the button.
func kindOf(a atom.Atom) int {
	switch a {
	case atom.Br, atom.Img, atom.Wbr, atom.Col, atom.Source:
		return kindVoid
	case atom.Hr:
		return kindVoid | kindClosesP
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return kindHeading | kindClosesP
	case atom.Table:
		return kindTable | kindClosesP
	case atom.Thead, atom.Tbody, atom.Tfoot, atom.Tr:
		return kindTable
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Dd, atom.Div, atom.Dl,
		atom.Dt, atom.Figcaption, atom.Figure, atom.Footer, atom.Header, atom.Li, atom.Ol,
		atom.P, atom.Pre, atom.Section, atom.Ul:
		return kindClosesP
	}
	return 0
}

// inTableStructure reports whether a is part of a table's structure
// (child), and if so whether it may be a child of top (fits).
func inTableStructure(a, top atom.Atom) (child, fits bool) {
	switch a {
	case atom.Caption, atom.Thead, atom.Tbody, atom.Tfoot:
		return true, top == atom.Table
	case atom.Tr:
		return true, top == atom.Thead || top == atom.Tbody || top == atom.Tfoot
	case atom.Td, atom.Th:
		return true, top == atom.Tr
	}
	return false, false
}

func parseAndRender(s string) (string, bool) {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return s, false
		}
	}
	// Render closes void elements XML-style (<br/>); write them the HTML way,
	// as records and the policy do. Render escapes every ">" in text and
	// attribute values, so "/>" occurs only at the end of a void element.
	return strings.ReplaceAll(b.String(), "/>", ">"), true
}

// bodyContext is the element a record's HTML is parsed inside: the body of a
// page, as a feed reader shows it.
var bodyContext = &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}

// parseAsBrowser is the pass before the policy. It parses s with the HTML5
// tree-construction rules every browser follows and writes back only what a
// browser would show of the tree, in allowed elements: a dropped element
// never takes with it the content that follows it, however it is written
// (unclosed, void, or parsed as raw text by a tokenizer), and the policy
// sees markup that means what it says. Along the way it resolves link and
// image URLs against base, drops tracking pixels, gives every link linkRel,
// and cleans text and attribute values of characters that must not reach a
// reader (see cleanHTMLText).
//
// What becomes of each element:
//   - allowed elements (htmlAllowlist) stay, with their allowed attributes;
//   - elements in htmlDropTree go with all they contain: scripts, styles,
//     frames, embedded documents, form controls, metadata, and what browsers
//     do not show (template, noscript, title, select);
//   - xmp and plaintext, whose content browsers show as text, become that
//     text; noembed and noframes, the fallback for the embeds and frames
//     dropped here, become the text of their content;
//   - SVG graphics go, except the HTML of a foreignObject; MathML keeps its
//     text (annotations aside);
//   - any other element (form, object, applet, portal, video, custom
//     elements) is unwrapped: its content stays, sanitized in turn.
//
// The parser refuses markup nested deeper than 512 elements; such a body
// keeps its text, as text.
//
// nested reports whether what it wrote is plainly well-formed, as
// wellNested would tell by reading it.
func parseAsBrowser(s string, base *url.URL) (out string, nested bool) {
	if out, ok := streamAsBrowser(s, base); ok {
		return out, true
	}
	return treeAsBrowser(s, base)
}

// treeAsBrowser is parseAsBrowser by way of the tree the parser builds.
func treeAsBrowser(s string, base *url.URL) (out string, nested bool) {
	nodes, err := html.ParseFragment(strings.NewReader(s), bodyContext)
	if err != nil {
		return html.EscapeString(cleanHTMLText(HTMLText(s))), true
	}
	w := htmlWriter{base: base}
	w.b.Grow(len(s) + len(s)/16)
	for _, n := range nodes {
		w.node(n, false)
	}
	w.flush()
	return w.b.String(), w.nest.closed()
}

// streamDepth bounds the nesting streamAsBrowser follows, well below the
// parser's limit (see parseAsBrowser).
const streamDepth = 128

// streamAsBrowser is parseAsBrowser without the tree, for markup whose tree
// is its tags as written: only allowed elements, plainly well-formed as
// nesting tells (so that no tag is moved, closed or ignored by the parser),
// no NUL byte, no newline first in a <pre> and no doctype. The writer then
// gets from the tokens what it would get from the tree, and writes the same
// bytes; the tokenizer spares the tree's building, which costs about as much
// as the tokens themselves. ok is false, and out empty, for any other
// markup, which needs the parser.
func streamAsBrowser(s string, base *url.URL) (out string, ok bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return "", false
	}
	z := html.NewTokenizer(strings.NewReader(s))
	w := htmlWriter{base: base}
	w.b.Grow(len(s) + len(s)/16)
	var (
		attrs    []html.Attribute
		in       nesting // the tags and text read
		preFirst bool    // the next token is the first child of a <pre>
	)
	for !in.bad && len(in.stack) <= streamDepth {
		tt := z.Next()
		first := preFirst
		preFirst = false
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF || !in.closed() {
				return "", false
			}
			w.flush()
			return w.b.String(), true
		case html.TextToken:
			text := z.Text()
			if first && len(text) > 0 && text[0] == '\n' {
				return "", false // the parser drops it
			}
			if in.inTable() {
				in.text(string(text))
			}
			w.text.Write(text)
		case html.CommentToken:
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			element := allowedElement(name)
			if element == 0 {
				return "", false
			}
			attrs = attrs[:0]
			for more {
				var key, val []byte
				key, val, more = z.TagAttr()
				attrs = append(attrs, html.Attribute{Key: atom.String(key), Val: string(val)})
			}
			if tt == html.SelfClosingTagToken {
				in.selfClosing(element) // the parser takes <p/> for <p>
			}
			in.start(element)
			switch element {
			case atom.Img:
				w.image(attrs)
			default:
				w.start(element, attrs)
				preFirst = element == atom.Pre
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			element := allowedElement(name)
			if element == 0 {
				return "", false
			}
			in.end(element)
			w.endTag(element)
		default: // a doctype
			return "", false
		}
	}
	return "", false
}

// allowedElement returns the atom of the element name when the allowlist
// has it, else 0.
func allowedElement(name []byte) atom.Atom {
	a := atom.Lookup(name)
	if _, ok := htmlAllowlist[a.String()]; !ok {
		return 0
	}
	return a
}

// htmlDropTree lists the HTML elements dropped with everything inside them.
var htmlDropTree = map[string]bool{
	"area": true, "base": true, "basefont": true, "bgsound": true, "datalist": true,
	"embed": true, "frame": true, "frameset": true, "head": true, "iframe": true, "input": true, "keygen": true, "link": true, "meta": true,
	"noscript": true, "param": true, "script": true, "select": true, "source": true,
	"style": true, "template": true, "textarea": true, "title": true, "track": true,
}

// htmlShownAsText lists the elements whose raw content browsers display as
// text, and the fallback elements whose content becomes text (see
// parseAsBrowser).
var htmlShownAsText = map[string]bool{"xmp": true, "plaintext": true}
var htmlFallbackText = map[string]bool{"noembed": true, "noframes": true}

// htmlWriter writes a parsed tree back as HTML. Text is gathered until the
// next tag so that text nodes joined by an unwrapped element are cleaned as
// the one string a reader sees.
type htmlWriter struct {
	b        strings.Builder
	text     strings.Builder
	base     *url.URL
	afterPre bool    // a <pre> start tag was just written
	nest     nesting // the tags and text written
}

func (w *htmlWriter) node(n *html.Node, inSVG bool) {
	switch n.Type {
	case html.TextNode:
		if !inSVG {
			w.text.WriteString(n.Data)
		}
		return
	case html.ElementNode:
	default: // comments, doctypes
		return
	}
	switch n.Namespace {
	case "svg":
		switch n.Data {
		case "foreignObject":
			w.children(n, false)
		case "desc", "title", "script", "style":
		default:
			w.children(n, true)
		}
		return
	case "math":
		switch n.Data {
		case "annotation", "annotation-xml", "script", "style":
		default:
			w.children(n, inSVG)
		}
		return
	case "":
	default:
		return
	}
	name := n.Data
	switch {
	case htmlDropTree[name]:
		return
	case htmlShownAsText[name]:
		w.children(n, false)
		return
	case htmlFallbackText[name]:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				w.text.WriteString(HTMLText(c.Data))
			}
		}
		return
	case name == "img":
		w.image(n.Attr)
		return
	}
	if _, ok := htmlAllowlist[name]; !ok {
		w.children(n, false)
		return
	}
	// The parser gives every allowed element its atom.
	w.start(n.DataAtom, n.Attr)
	if kindOf(n.DataAtom)&kindVoid != 0 {
		return
	}
	w.children(n, false)
	w.endTag(n.DataAtom)
}

// start writes the start tag of the allowed element (not an image) with
// only its allowed attributes: for a link, its href made absolute (or
// dropped) and rel set to linkRel when it has an href (input rel and target
// values are dropped).
func (w *htmlWriter) start(element atom.Atom, attrs []html.Attribute) {
	name := element.String()
	w.flush()
	w.nest.start(element)
	w.b.WriteByte('<')
	w.b.WriteString(name)
	if element == atom.A {
		w.linkAttrs(attrs)
	} else {
		allowed := htmlAllowlist[name]
		for _, a := range uniqueAttrs(attrs) {
			if slices.Contains(allowed, a.Key) {
				if re := htmlAttrValues[a.Key]; re == nil || re.MatchString(a.Val) {
					writeAttr(&w.b, a.Key, cleanHTMLText(a.Val))
				}
			}
		}
	}
	w.b.WriteByte('>')
	w.afterPre = element == atom.Pre
}

func (w *htmlWriter) children(n *html.Node, inSVG bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c, inSVG)
	}
}

func (w *htmlWriter) endTag(element atom.Atom) {
	w.flush()
	w.nest.end(element)
	w.b.WriteString("</")
	w.b.WriteString(element.String())
	w.b.WriteByte('>')
}

// flush writes the gathered text, cleaned and escaped. Parsing drops a
// newline right after <pre>, so one that is text gets a second.
func (w *htmlWriter) flush() {
	if w.text.Len() == 0 {
		w.afterPre = false
		return
	}
	t := cleanHTMLText(w.text.String())
	w.text.Reset()
	if w.afterPre && strings.HasPrefix(t, "\n") {
		w.b.WriteByte('\n')
	}
	w.afterPre = false
	t = html.EscapeString(t)
	w.nest.text(t)
	w.b.WriteString(t)
}

// uniqueAttrs returns the attributes without namespace (those of foreign
// content are dropped), keeping only the first of each name, as browsers do.
func uniqueAttrs(all []html.Attribute) []html.Attribute {
	attrs := make([]html.Attribute, 0, len(all))
	for _, a := range all {
		if a.Namespace == "" && !slices.ContainsFunc(attrs, func(b html.Attribute) bool { return b.Key == a.Key }) {
			attrs = append(attrs, a)
		}
	}
	return attrs
}

// linkAttrs writes the attributes of a link (see start).
func (w *htmlWriter) linkAttrs(all []html.Attribute) {
	hasHref := false
	for _, a := range uniqueAttrs(all) {
		switch a.Key {
		case "rel":
			continue
		case "href":
			u, ok := cleanURL(a.Val, w.base, true)
			if !ok {
				continue
			}
			a.Val, hasHref = u, true
		default:
			if !allowedAttr("a", a.Key) {
				continue
			}
			a.Val = cleanHTMLText(a.Val)
		}
		writeAttr(&w.b, a.Key, a.Val)
	}
	if hasHref {
		writeAttr(&w.b, "rel", linkRel)
	}
}

// image writes an <img> element with only allowed attributes and its src
// made absolute, or nothing when the image has no usable http(s) source or
// is a tracking pixel.
func (w *htmlWriter) image(all []html.Attribute) {
	attrs := uniqueAttrs(all)
	src := ""
	for _, a := range attrs {
		if a.Key == "src" {
			src, _ = cleanURL(a.Val, w.base, false)
		}
	}
	if src == "" || isTrackingPixel(attrs, src) {
		return
	}
	w.flush()
	w.nest.start(atom.Img)
	w.b.WriteString("<img")
	for _, a := range attrs {
		switch {
		case a.Key == "src":
			a.Val = src
		case !allowedAttr("img", a.Key):
			continue
		default:
			if re := htmlAttrValues[a.Key]; re != nil && !re.MatchString(a.Val) {
				continue
			}
			a.Val = cleanHTMLText(a.Val)
		}
		writeAttr(&w.b, a.Key, a.Val)
	}
	w.b.WriteByte('>')
}

// isTrackingPixel reports whether an image with attributes attrs and the
// absolute URL src only tracks its reader: it is at most one pixel in both
// dimensions ("1", "0", "1px", "1.0"), by its width and height attributes,
// by its inline style, or by the smaller of the two (the output keeps the
// attributes and drops the style, so either can be what a reader gets); it
// is not displayed (the hidden attribute; display:none, visibility:hidden,
// opacity:0 or a position far off-screen in its style); or it comes from a
// known tracking endpoint (see isTrackerURL).
func isTrackingPixel(attrs []html.Attribute, src string) bool {
	width, height := -1.0, -1.0 // -1: not given
	size := func(dim *float64, v string) {
		if f, ok := cssPixels(v); ok && (*dim < 0 || f < *dim) {
			*dim = max(f, 0)
		}
	}
	for _, a := range attrs {
		switch a.Key {
		case "width":
			size(&width, a.Val)
		case "height":
			size(&height, a.Val)
		case "hidden":
			return true
		case "style":
			for decl := range strings.SplitSeq(stripCSSComments(a.Val), ";") {
				prop, val, ok := strings.Cut(decl, ":")
				if !ok {
					continue
				}
				prop = strings.ToLower(strings.TrimSpace(prop))
				val = strings.ToLower(strings.TrimSpace(val))
				val = strings.TrimSpace(strings.TrimSuffix(val, "!important"))
				switch prop {
				case "width", "max-width":
					size(&width, val)
				case "height", "max-height":
					size(&height, val)
				case "display":
					if val == "none" {
						return true
					}
				case "visibility":
					if val == "hidden" || val == "collapse" {
						return true
					}
				case "opacity":
					if f, err := strconv.ParseFloat(val, 64); err == nil && f <= 0 {
						return true
					}
				case "left", "top", "margin-left", "margin-top", "text-indent":
					if v, ok := cssPixels(val); ok && v <= -1000 {
						return true
					}
				}
			}
		}
	}
	if 0 <= width && width <= 1 && 0 <= height && height <= 1 {
		return true
	}
	return isTrackerURL(src)
}

// cssPixels reads v, a width or height, as a number of pixels, with or
// without a "px" unit: "0", "1", "1px", " 1.0 ", "0.5PX".
func cssPixels(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && strings.EqualFold(v[len(v)-2:], "px") {
		v = strings.TrimSpace(v[:len(v)-2])
	}
	if v == "" || strings.ContainsAny(v, "eExXnN_") { // no exponents, hex, Inf, NaN or digit separators
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// stripCSSComments removes /* */ comments from a style attribute, which
// could otherwise hide a declaration from isTrackingPixel.
func stripCSSComments(s string) string {
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + " " + s[i+2+j+2:]
	}
}

// trackerEndpoints are the hosts (with their subdomains) and path prefixes
// of images that exist only to record that a reader opened a page or an
// email: ad and analytics beacons, social "pixels", blog statistics, email
// open tracking and the FeedBurner and FeedBlitz item-view images. An empty
// path matches every path of the host; a path matches itself and the paths
// below it.
var trackerEndpoints = []struct{ host, path string }{
	{"doubleclick.net", ""},
	{"facebook.com", "/tr"},
	{"facebook.net", "/tr"},
	{"stats.wordpress.com", ""},
	{"stats.wp.com", ""},
	{"pixel.wp.com", ""},
	{"feeds.feedburner.com", "/~r"},
	{"feeds.feedburner.com", "/~ff"},
	{"feedproxy.google.com", "/~r"},
	{"google-analytics.com", ""},
	{"googletagmanager.com", ""},
	{"scorecardresearch.com", ""},
	{"list-manage.com", "/track"},
	{"track.hubspot.com", ""},
	{"bat.bing.com", ""},
	{"px.ads.linkedin.com", ""},
	{"analytics.twitter.com", ""},
	{"t.co", "/i/adsct"},
	{"ct.pinterest.com", ""},
	{"mc.yandex.ru", ""},
	{"pixel.mathtag.com", ""},
	{"pixel.rubiconproject.com", ""},
	{"sp.analytics.yahoo.com", ""},
	{"googleadservices.com", ""},
	{"googlesyndication.com", ""},
	{"adnxs.com", ""},
	{"amazon-adsystem.com", ""},
	{"sendgrid.net", "/wf/open"},
	{"mandrillapp.com", "/track/open.php"},
	{"alb.reddit.com", ""},
	{"clarity.ms", ""},
	{"tr.snapchat.com", ""},
	{"analytics.tiktok.com", ""},
	{"feeds.feedblitz.com", "/~/i"},
	{"omtrdc.net", "/b/ss"},
	{"2o7.net", "/b/ss"},
	{"chartbeat.net", ""},
	{"quantserve.com", ""},
}

// trackerPaths are the ends of paths that mark a tracker on any host:
// self-hosted analytics beacons (Matomo, formerly Piwik, and Google's
// Urchin) and images named for what they are.
var trackerPaths = []string{"/matomo.php", "/piwik.php", "/__utm.gif", "/pixel.gif", "/pixel.png", "/beacon.gif"}

// isTrackerURL reports whether the absolute URL u points at a
// trackerEndpoints entry.
func isTrackerURL(u string) bool {
	host, rawPath, ok := urlParts(u)
	if !ok {
		return false
	}
	path := strings.ToLower(rawPath)
	for _, t := range trackerPaths {
		if strings.HasSuffix(path, t) {
			return true
		}
	}
	host = strings.TrimSuffix(host, ".")
	// A host named pixel (pixel.example.com) or a path under /tracking/pixel
	// serves beacons and nothing else.
	if strings.HasPrefix(host, "pixel.") || strings.Contains(path, "/tracking/pixel") {
		return true
	}
	for _, e := range trackerEndpoints {
		if host != e.host && !strings.HasSuffix(host, "."+e.host) {
			continue
		}
		if e.path == "" || rawPath == e.path || strings.HasPrefix(rawPath, e.path+"/") {
			return true
		}
	}
	return false
}

// escapeMarksAfterTags writes a combining mark that starts the text after a
// tag as a character reference: normalizing the document to NFC, as a later
// step or a reader may, would otherwise fuse the tag's ">" with it (">" and
// U+0338 compose to U+226F) and break the markup.
func escapeMarksAfterTags(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	done := 0
	for i := strings.IndexByte(s, '>'); i >= 0; {
		j := i + 1
		if j < len(s) && s[j] >= 0xcc { // U+0300 and up
			if p := norm.NFC.PropertiesString(s[j:]); p.CCC() != 0 {
				r, n := utf8.DecodeRuneInString(s[j:])
				b.WriteString(s[done:j])
				b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
				done = j + n
			}
		}
		k := strings.IndexByte(s[j:], '>')
		if k < 0 {
			break
		}
		i = j + k
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// cleanHTMLText returns the text s (a text node's or an attribute value's
// decoded characters) in NFC, with mojibake repaired and without the characters
// that must not reach a reader: C1 controls (whether raw or from a numeric
// character reference HTML leaves undefined, such as &#129;), bidirectional
// embedding, override and isolate controls, noncharacters, U+FEFF, and what
// XML 1.0 forbids. Repair runs first, as it can use raw C1 bytes, and the
// two repeat until stable, since removing a character joins its neighbours.
// Text without such characters or mojibake is returned as is.
//
// Text that spells a numeric character reference to such a character
// ("&#x202E;" as text, from a double-escaped "&amp;#x202E;") loses it too:
// feed readers that decode content once too often would otherwise show the
// character.
func cleanHTMLText(s string) string {
	if settledText(s, true) {
		return s
	}
	for {
		t := StripInvalidXML(RepairMojibake(s))
		if strings.ContainsFunc(t, isHiddenRune) {
			t = strings.Map(func(r rune) rune {
				if isHiddenRune(r) {
					return -1
				}
				return r
			}, t)
		}
		t = dropHiddenReferences(t)
		if !norm.NFC.IsNormalString(t) {
			t = norm.NFC.String(t)
		}
		if t == s {
			return s
		}
		s = t
	}
}

// settledText reports, in one pass over s and a normalization check
// beyond ASCII, whether s is text the cleaning passes leave as it is: no
// invalid UTF-8 or character XML forbids, and, beyond ASCII, no hidden rune
// (isHiddenRune, which beyond ASCII is what dropInvisibleMarkup removes), no
// character that may lead mojibake (U+00C2 to U+00F4, see hasMojibakeLead)
// and nothing normalization form C would change; with refs, no "&#" either.
// It is cleanHTMLText's test for text with nothing to do (refs), and
// sanitizedText's for a body it would return unchanged. Most text of most
// bodies is such.
func settledText(s string, refs bool) bool {
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // read eight bytes at a time
	run := -1                                       // where the run of characters beyond ASCII being read starts
	for i := 0; i < len(s); {
		if run < 0 && i+8 <= len(s) && plainWord(binary.LittleEndian.Uint64(b[i:]), refs) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if run >= 0 {
				if !normalSegment(s[max(run-1, 0):i]) {
					return false
				}
				run = -1
			}
			switch {
			case c == '&':
				if refs && i+1 < len(s) && s[i+1] == '#' {
					return false
				}
			case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
				return false
			}
			i++
			continue
		}
		if run < 0 {
			run = i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 || !isXMLChar(r) || isHiddenRune(r) || 0xc2 <= r && r <= 0xf4 {
			return false
		}
		i += n
	}
	return run < 0 || normalSegment(s[max(run-1, 0):])
}

// plainWord reports whether the eight bytes of x are ASCII from ' ' on,
// and, with refs, none is '&': bytes settledText passes without a look.
func plainWord(x uint64, refs bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if x&highs != 0 || (x-0x20*ones)&^x&highs != 0 { // beyond ASCII, or a byte under 0x20
		return false
	}
	if refs {
		v := x ^ '&'*ones // a zero byte where x has '&'
		return (v-ones)&^v&highs == 0
	}
	return true
}

// normalSegment reports whether s, a run of characters beyond ASCII and the
// ASCII character before it (if any), is in normalization form C. Every
// ASCII character starts a segment that normalization handles apart from
// what comes before it (norm's BoundaryBefore), so that a text is in form
// C when each such run is. QuickSpanString answers most runs without
// allocating; the rest need the whole check.
func normalSegment(s string) bool {
	return norm.NFC.QuickSpanString(s) == len(s) || norm.NFC.IsNormalString(s)
}

// dropHiddenReferences removes from the text s every numeric character
// reference that HTML decodes to a character isHiddenRune reports.
func dropHiddenReferences(s string) string {
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "&#")
		if i < 0 {
			break
		}
		j := i + 2
		digits := isDigit
		if j < len(rest) && rest[j]|0x20 == 'x' {
			j++
			digits = isHexDigit
		}
		k := j
		for k < len(rest) && digits(rest[k]) {
			k++
		}
		if k == j { // no digits: not a reference
			b.WriteString(rest[:j])
			rest = rest[j:]
			continue
		}
		if k < len(rest) && rest[k] == ';' {
			k++
		}
		if strings.ContainsFunc(html.UnescapeString(rest[i:k]), isHiddenRune) {
			b.WriteString(rest[:i])
		} else {
			b.WriteString(rest[:k])
		}
		rest = rest[k:]
	}
	if b.Len() == len(s)-len(rest) {
		return s // nothing dropped
	}
	b.WriteString(rest)
	return b.String()
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isHiddenRune reports whether r is a C1 control, a bidirectional
// embedding, override or isolate control (U+202A–U+202E, U+2066–U+2069; the
// marks LRM, RLM and ALM are kept), a noncharacter or U+FEFF.
func isHiddenRune(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true
	case 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	case 0xfdd0 <= r && r <= 0xfdef, r&0xfffe == 0xfffe, r == 0xfeff:
		return true
	}
	return false
}

func allowedAttr(element, attr string) bool {
	return slices.Contains(htmlAllowlist[element], attr)
}

func writeAttr(b *strings.Builder, key, val string) {
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteString(`="`)
	b.WriteString(html.EscapeString(val))
	b.WriteByte('"')
}

// markdown converts CommonMark with the GitHub tables, strikethrough and
// autolinks extensions. Raw HTML passes through because the output is always
// sanitized afterwards. goldmark keeps per-conversion state in a parser
// context, never in the Markdown value, so one is shared.
var markdown = sync.OnceValue(func() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
})

// RenderMarkdown renders the Markdown src to HTML: CommonMark with the GitHub
// tables, strikethrough and autolink extensions. Raw HTML in src passes
// through as it is, so the result is not safe until it has gone through
// [HTML].
func RenderMarkdown(src []byte) string {
	var b bytes.Buffer
	b.Grow(len(src) + len(src)/4)
	// Converting into a bytes.Buffer cannot fail: goldmark only reports
	// errors from the writer.
	_ = markdown().Convert(src, &b)
	return b.String()
}
