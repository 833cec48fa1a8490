package curafeed

import (
	"bytes"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// This file holds everything that makes untrusted record text safe to put in
// a feed. Every function here is safe for concurrent use: the only shared
// state is the HTML policy and the Markdown converter, each built once and
// then only read.

// htmlAllowlist is the HTML that survives SanitizeHTML: each allowed element
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

// htmlDropContent lists elements whose content is dropped with them, in
// addition to bluemonday's defaults (script, style, iframe, object, noscript,
// title and the like): their text means nothing outside the element.
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

// SanitizeHTML returns html made safe for feed content. It resolves href and
// src against base (the item's page; when base is nil, relative URLs are
// dropped), removes tracking pixels, applies the allowlist policy (the last
// step that interprets markup, so its guarantees hold), then removes invalid
// UTF-8 and characters XML 1.0 forbids and repairs mojibake, neither of which
// can create markup. The result is a fixed point:
// SanitizeHTML(SanitizeHTML(x, b), b) == SanitizeHTML(x, b).
func SanitizeHTML(html string, base *url.URL) string {
	if strings.ContainsAny(html, "<>&\"'\r") {
		html = rewriteTags(html, base)
		var b strings.Builder
		b.Grow(len(html))
		if err := htmlPolicy().SanitizeReaderToWriter(strings.NewReader(html), &b); err != nil {
			return "" // fail closed; a strings.Reader gives no error but EOF
		}
		html = balanceHTML(b.String())
	}
	// Without those characters there is no markup, and the policy would
	// return the text unchanged. The order of the last two steps matters for
	// idempotence: stripping first means repair sees the final neighbours of
	// every character, and repair never produces a character that stripping
	// would remove.
	return sanitizedText(html)
}

// balanceHTML makes the policy's output well-formed HTML: bluemonday filters
// tokens one at a time, so a stray end tag or an element left open in a
// record's body would come through as written, and strict HTML parsers in
// feed validators and readers reject it. The fragment is parsed the way every
// browser parses it (the HTML5 tree-construction rules) and written back, so
// stray end tags are dropped, open elements closed and misnested ones
// untangled. Well-formed input comes back unchanged.
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

// closesP lists the start tags that end an open paragraph in HTML parsing.
var closesP = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "div": true, "dl": true,
	"figcaption": true, "figure": true, "footer": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "header": true, "hr": true, "ol": true, "p": true,
	"pre": true, "section": true, "table": true, "ul": true,
}

// voidElements have no end tag.
var voidElements = map[string]bool{"br": true, "hr": true, "img": true, "wbr": true, "col": true, "source": true}

// wellNested reports whether s is plainly well-formed: every element closed
// in order, no paragraph closed implicitly, no list item or link inside its
// own kind, no tables (whose parsing moves content). Such markup parses to
// exactly what it says, so balanceHTML can leave it alone; anything else
// goes through the full parse. The check is much cheaper than the parse.
func wellNested(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	var stack []string
	open := func(name string) bool {
		for _, n := range stack {
			if n == name {
				return true
			}
		}
		return false
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return len(stack) == 0 && z.Err() == io.EOF
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				return false
			}
		case html.StartTagToken:
			b, _ := z.TagName()
			name := string(b)
			switch {
			case voidElements[name]:
				if name == "hr" && open("p") {
					return false
				}
				continue
			case name == "table", closesP[name] && open("p"), (name == "li" || name == "a" || name == "dt" || name == "dd") && open(name):
				return false
			}
			stack = append(stack, name)
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(stack) == 0 || stack[len(stack)-1] != string(name) {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
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

// rewriteTags is the pass before the policy: it rewrites <a> and <img> start
// tags, resolving their URLs against base, dropping images without a usable
// source and tracking pixels, and giving every link linkRel. All other tokens
// are copied byte for byte, so the policy sees the same document structure.
func rewriteTags(s string, base *url.URL) string {
	if !hasLinkOrImage(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/16)
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// Only io.EOF is possible with a strings.Reader; whatever an
			// unfinished tag left unread, the policy would drop too.
			return b.String()
		}
		// Raw must be read before TagName or TagAttr, which rewrite the
		// tokenizer's buffer in place.
		raw := z.Raw()
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			switch {
			case isTag(raw, "a"):
				writeLink(&b, z, base, tt)
				continue
			case isTag(raw, "img"):
				writeImage(&b, z, base, tt)
				continue
			}
		}
		b.Write(raw)
	}
}

// hasLinkOrImage reports whether s may contain an <a> or <img> start tag.
func hasLinkOrImage(s string) bool {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			return false
		}
		if c := s[i+1] | 0x20; c == 'a' || c == 'i' {
			return true
		}
		s = s[i+1:]
	}
}

// isTag reports whether raw, the raw text of a start tag, has the lower-case
// ASCII name, in any case. The name ends where the tokenizer ends it: at
// white space, '/' or '>'.
func isTag(raw []byte, name string) bool {
	n := raw[1:]
	if i := bytes.IndexAny(n, " \t\n\r\f/>"); i >= 0 {
		n = n[:i]
	}
	if len(n) != len(name) {
		return false
	}
	for i := range n {
		if n[i]|0x20 != name[i] {
			return false
		}
	}
	return true
}

// tagAttrs returns the current tag's attributes, keeping only the first of
// each name, as browsers do.
func tagAttrs(z *html.Tokenizer) []html.Attribute {
	var attrs []html.Attribute
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		key := string(k)
		if !containsAttr(attrs, key) {
			attrs = append(attrs, html.Attribute{Key: key, Val: string(v)})
		}
	}
	return attrs
}

func containsAttr(attrs []html.Attribute, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// writeLink writes the current <a> start tag with only allowed attributes,
// its href made absolute (or dropped), and rel set to linkRel when it has an
// href. Input rel and target values are dropped.
func writeLink(b *strings.Builder, z *html.Tokenizer, base *url.URL, tt html.TokenType) {
	_, hasAttr := z.TagName()
	b.WriteString("<a")
	hasHref := false
	if hasAttr {
		for _, a := range tagAttrs(z) {
			switch a.Key {
			case "rel":
				continue
			case "href":
				u, ok := cleanURL(a.Val, base, true)
				if !ok {
					continue
				}
				a.Val, hasHref = u, true
			default:
				if !allowedAttr("a", a.Key) {
					continue
				}
			}
			writeAttr(b, a.Key, a.Val)
		}
	}
	if hasHref {
		writeAttr(b, "rel", linkRel)
	}
	closeTag(b, tt)
}

// writeImage writes the current <img> start tag with only allowed attributes
// and its src made absolute, or nothing when the image has no usable http(s)
// source or is a tracking pixel.
func writeImage(b *strings.Builder, z *html.Tokenizer, base *url.URL, tt html.TokenType) {
	_, hasAttr := z.TagName()
	if !hasAttr {
		return
	}
	attrs := tagAttrs(z)
	src := ""
	var width, height string
	for _, a := range attrs {
		switch a.Key {
		case "src":
			src, _ = cleanURL(a.Val, base, false)
		case "width":
			width = a.Val
		case "height":
			height = a.Val
		}
	}
	if src == "" || isTrackingPixel(width, height) {
		return
	}
	b.WriteString("<img")
	for _, a := range attrs {
		if a.Key == "src" {
			a.Val = src
		} else if !allowedAttr("img", a.Key) {
			continue
		}
		writeAttr(b, a.Key, a.Val)
	}
	closeTag(b, tt)
}

// isTrackingPixel reports whether an image's width and height attributes are
// both present and at most one pixel ("0", "1", "1px").
func isTrackingPixel(width, height string) bool {
	return isAtMostOnePixel(width) && isAtMostOnePixel(height)
}

func isAtMostOnePixel(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && strings.EqualFold(v[len(v)-2:], "px") {
		v = strings.TrimSpace(v[:len(v)-2])
	}
	if v == "" {
		return false // absent or empty: not a size
	}
	v = strings.TrimLeft(v, "0")
	return v == "" || v == "1"
}

func allowedAttr(element, attr string) bool {
	for _, a := range htmlAllowlist[element] {
		if a == attr {
			return true
		}
	}
	return false
}

func writeAttr(b *strings.Builder, key, val string) {
	b.WriteByte(' ')
	b.WriteString(key)
	b.WriteString(`="`)
	b.WriteString(html.EscapeString(val))
	b.WriteByte('"')
}

func closeTag(b *strings.Builder, tt html.TokenType) {
	if tt == html.SelfClosingTagToken {
		b.WriteString("/>")
	} else {
		b.WriteByte('>')
	}
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

// renderMarkdown renders the Markdown src to HTML, which callers must pass
// through SanitizeHTML.
func renderMarkdown(src []byte) string {
	var b bytes.Buffer
	b.Grow(len(src) + len(src)/4)
	// Converting into a bytes.Buffer cannot fail: goldmark only reports
	// errors from the writer.
	_ = markdown().Convert(src, &b)
	return b.String()
}
