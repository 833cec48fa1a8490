package curafeed

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
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
		html = b.String()
	}
	// Without those characters there is no markup, and the policy would
	// return the text unchanged. The order of the last two steps matters for
	// idempotence: stripping first means repair sees the final neighbours of
	// every character, and repair never produces a character that stripping
	// would remove.
	return RepairMojibake(StripInvalidXML(html))
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

// AbsoluteURL resolves raw against base (which may be nil) and returns the
// result only if it is an absolute http or https URL with a host and without
// user information; otherwise ok is false. Surrounding whitespace is trimmed;
// control characters anywhere reject the URL. The result is printable ASCII,
// with anything else percent-encoded, and AbsoluteURL(result, nil) returns it
// unchanged.
func AbsoluteURL(raw string, base *url.URL) (string, bool) {
	return cleanURL(raw, base, false)
}

// cleanURL is AbsoluteURL that also accepts mailto URLs when mailto is true.
// It returns a URL only when that URL is a fixed point: cleaning it again, or
// letting net/url parse and print it (as the policy does), gives it back.
func cleanURL(raw string, base *url.URL, mailto bool) (string, bool) {
	u, ok := cleanURLOnce(raw, base, mailto)
	if !ok {
		return "", false
	}
	if u != raw { // else cleaning u again is what was just done
		if again, ok := cleanURLOnce(u, nil, mailto); !ok || again != u {
			return "", false
		}
	}
	if p, err := url.Parse(u); err != nil || p.String() != u {
		return "", false
	}
	return u, true
}

func cleanURLOnce(raw string, base *url.URL, mailto bool) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.ContainsFunc(raw, isControl) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if mailto && u.Scheme == "mailto" {
		if u.Opaque == "" || u.Host != "" || u.User != nil {
			return "", false
		}
		return escapeURL(u.String()), true
	}
	if base == nil {
		base = u // removes dot segments from an absolute u
	}
	u = base.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Hostname() == "" {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	return escapeURL(u.String()), true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// escapeURL percent-encodes every byte of s that may not appear literally in a
// URI (RFC 3986): net/url leaves the query, and non-ASCII hosts, as given.
func escapeURL(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isURIByte(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; isURIByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func isURIByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", c) >= 0
}

// CleanText returns s as safe plain text: HTML tags stripped (with the
// content of script, style and similar elements), HTML entities decoded
// exactly once (so "&amp;amp;" becomes "&amp;"), invalid UTF-8 and characters
// XML 1.0 forbids removed, mojibake repaired, other control characters and
// U+FEFF removed, and every run of white space (including U+00A0, which
// &nbsp; decodes to) collapsed to one space, with none at either end. Text
// that is already clean is returned as is, without allocating.
func CleanText(s string) string {
	if isCleanASCII(s) {
		return s
	}
	s = RepairMojibake(StripInvalidXML(s))
	if strings.ContainsAny(s, "<&") {
		// Characters are removed before tags are found, so that removing
		// them cannot join a '<' to a letter; decoded entities can bring
		// back what needs removing or repairing.
		s = htmlToText(dropInvisible(s))
		s = RepairMojibake(StripInvalidXML(s))
	}
	// Repair ran before control characters were dropped, so that Latin-1
	// mojibake ("â\u0080\u0099") could use them; dropping them (or a U+FEFF
	// that repair restored) can join new neighbours, so repeat until stable.
	for {
		t := RepairMojibake(dropInvisible(s))
		if len(t) == len(s) { // both steps only ever shorten
			return collapseSpace(s)
		}
		s = t
	}
}

// isCleanASCII reports whether s is printable ASCII with no markup, no
// entity and no white space but single spaces between words, which CleanText
// returns unchanged.
func isCleanASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if space {
				return false
			}
			space = true
			continue
		case c < 0x20 || c > 0x7e || c == '<' || c == '&':
			return false
		}
		space = false
	}
	return true
}

// htmlToText returns the text of the HTML fragment s, entities decoded once.
// Tags other than inline ones become a space, so that "<p>a</p><p>b</p>"
// reads "a b" while "<b>B</b>old" reads "Bold".
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip, removed := false, false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip {
				break
			}
			text := z.Text()
			// A '<' that was text must not meet what follows a removed
			// tag or comment and so start a tag of its own.
			if removed && strings.HasSuffix(b.String(), "<") && len(text) > 0 && startsTag(text[0]) {
				b.WriteByte(' ')
			}
			b.Write(text)
			removed = false
		case html.StartTagToken:
			name, _ := z.TagName()
			tagSpace(&b, name)
			// The tokenizer reads the content of these elements as one
			// text token, which is code or markup, not text.
			skip, removed = rawTextElements[string(name)], true
			continue
		case html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tagSpace(&b, name)
			removed = true
		default: // comments and doctypes
			removed = true
		}
		skip = false
	}
}

// startsTag reports whether c after '<' starts a tag, a comment or a
// processing instruction.
func startsTag(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || c == '!' || c == '/' || c == '?'
}

// tagSpace writes the space that an element stands for in text, unless the
// element is an inline one or one whose content is not text.
func tagSpace(b *strings.Builder, name []byte) {
	if !inlineElements[string(name)] && !rawTextElements[string(name)] {
		b.WriteByte(' ')
	}
}

var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true, "kbd": true,
	"mark": true, "q": true, "s": true, "samp": true, "small": true, "span": true,
	"strike": true, "strong": true, "sub": true, "sup": true, "time": true, "tt": true,
	"u": true, "var": true, "wbr": true,
}

var rawTextElements = map[string]bool{
	"iframe": true, "noembed": true, "noframes": true, "noscript": true, "plaintext": true,
	"script": true, "style": true, "textarea": true, "title": true, "xmp": true,
}

// collapseSpace collapses white space runs to one space and trims both ends.
// It returns s itself when s is already in that form.
func collapseSpace(s string) string {
	if isCollapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isCollapsed(s string) bool {
	prevSpace := true // no space at the start
	for _, r := range s {
		if unicode.IsSpace(r) {
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// dropInvisible removes control characters that are not white space, and the
// invisible U+FEFF byte-order mark.
func dropInvisible(s string) string {
	if !strings.ContainsFunc(s, isInvisible) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

func isInvisible(r rune) bool {
	return (r < 0x20 || 0x7f <= r && r <= 0x9f || r == 0xfeff) && !unicode.IsSpace(r)
}

// StripInvalidXML removes invalid UTF-8 and every rune outside the XML 1.0
// Char production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
// [#x10000-#x10FFFF]). It returns s itself, without allocating, when there
// is nothing to remove.
func StripInvalidXML(s string) string {
	i := invalidXMLIndex(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size > 1 && isXMLChar(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// invalidXMLIndex returns the byte offset of the first invalid UTF-8 byte or
// non-XML character in s, or -1.
func invalidXMLIndex(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if size == 1 || !isXMLChar(r) {
			return i
		}
		i += size
	}
	return -1
}

// isXMLChar reports whether r matches the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	switch {
	case r < 0x20:
		return r == '\t' || r == '\n' || r == '\r'
	case r <= 0xd7ff:
		return true
	case r < 0xe000:
		return false
	case r <= 0xfffd:
		return true
	default:
		return 0x10000 <= r && r <= utf8.MaxRune
	}
}

// RepairMojibake reverses UTF-8 text that was decoded as Windows-1252 or
// Latin-1 and encoded again: "Beckerâ€™s" becomes "Becker’s" and "cafÃ©"
// becomes "café". It maps each character back to the byte it came from and
// replaces a run of them only where those bytes form one valid multi-byte
// UTF-8 character that is likely text (a letter, mark, digit, punctuation,
// symbol, space or format character; no control, private-use, unassigned or
// Samaritan-to-Arabic-Extended character). Repair repeats until nothing
// changes, so double mojibake ("Ã¢â‚¬â„¢") is undone too and
// RepairMojibake(RepairMojibake(s)) == RepairMojibake(s).
//
// Three-and four-byte sequences ("â€™", "ðŸ˜€") and the "Â" prefix ("Â£5")
// are always repaired: they practically never occur in real text. Two-byte
// sequences can be real text, an upper-case accented letter followed by a
// symbol, so they are repaired only with evidence:
//   - next to another repairable sequence ("Ð¿Ñ€Ð¸");
//   - after an upper-case letter, only inside a capitalized word ("MÃ¼ller",
//     "SÃ£o") or where the result is an upper-case letter ("MÃœNCHEN") that
//     is not at a word end after one of the characters that often end a word
//     (quotes, dashes, "…", "®", "™", "©", "°", U+00A0), so that "NESTLÉ®",
//     "JOSÉ’S" and Portuguese "AMANHÃ”" stay as they are;
//   - otherwise always for "Ã" ("cafÃ©", "Ã\u00a0 la carte"), and for other
//     leads next to a lower-case letter ("Å›wiat");
//   - a lone sequence with no such context ("Ð²" between spaces) only when
//     the string has certain mojibake elsewhere.
//
// Text with no "Ã", "Â" or other lead character, such as all ASCII text, is
// returned as is without allocating. Legitimate text with no character after
// such a lead that maps to a continuation byte ("SÃO PAULO", "ÎNVĂȚĂMÂNT",
// "Ã" alone) is never touched. Invalid UTF-8 is kept, except that the five
// bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) count as
// themselves inside a sequence, since some decoders pass them through raw.
func RepairMojibake(s string) string {
	for {
		r := repairMojibakeOnce(s)
		if len(r) == len(s) { // every repair shortens the text
			return s
		}
		s = r
	}
}

type mojibakeSeq struct {
	start, end int  // byte offsets of the characters in the text
	r          rune // the character they encode
	lead       byte // the first byte, which gives the length
	second     rune // the character that gave the second byte
	verdict    int8
}

const (
	mojibakeReject int8 = iota
	mojibakeDoubtful
	mojibakeAccept
)

func repairMojibakeOnce(s string) string {
	if !hasMojibakeLead(s) {
		return s
	}
	var stack [8]mojibakeSeq // most texts have few candidates: no allocation
	seqs := stack[:0]
	for i := 0; i < len(s); {
		lead, n, ok := mojibakeByteAt(s, i)
		if !ok || lead < 0xc2 || lead > 0xf4 {
			i += n
			continue
		}
		q := mojibakeSeq{start: i, lead: lead}
		var buf [utf8.UTFMax]byte
		buf[0] = lead
		want := 2
		if lead >= 0xf0 {
			want = 4
		} else if lead >= 0xe0 {
			want = 3
		}
		j, k := i+n, 1
		for ; k < want; k++ {
			c, m, ok := mojibakeByteAt(s, j)
			if !ok || c < 0x80 || c > 0xbf {
				break
			}
			if k == 1 {
				q.second, _ = utf8.DecodeRuneInString(s[j:])
			}
			buf[k] = c
			j += m
		}
		if k == want {
			if r, size := utf8.DecodeRune(buf[:want]); size == want {
				q.r, q.end = r, j
				seqs = append(seqs, q)
				i = j
				continue
			}
		}
		i += n
	}
	strong := false
	for i := range seqs {
		seqs[i].verdict = judgeMojibake(s, seqs, i)
		strong = strong || seqs[i].verdict == mojibakeAccept
	}
	var b strings.Builder
	last := 0
	for _, q := range seqs {
		if q.verdict == mojibakeAccept || q.verdict == mojibakeDoubtful && strong {
			if last == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:q.start])
			b.WriteRune(q.r)
			last = q.end
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// judgeMojibake decides whether seqs[i], a character sequence of s that
// encodes a valid UTF-8 character, is mojibake; see RepairMojibake.
func judgeMojibake(s string, seqs []mojibakeSeq, i int) int8 {
	q := seqs[i]
	if !plausibleRepair(q.r) {
		return mojibakeReject
	}
	adjacent := i > 0 && seqs[i-1].end == q.start && plausibleRepair(seqs[i-1].r) ||
		i+1 < len(seqs) && seqs[i+1].start == q.end && plausibleRepair(seqs[i+1].r)
	prev, _ := utf8.DecodeLastRuneInString(s[:q.start])
	next, _ := utf8.DecodeRuneInString(s[q.end:])
	switch {
	case q.lead >= 0xe0:
		// "café\u00a0»" (French spacing) would read as one CJK character.
		if q.second == '\u00a0' && !adjacent && prev < utf8.RuneSelf && unicode.IsLetter(prev) {
			return mojibakeReject
		}
		return mojibakeAccept
	case adjacent, q.lead == 0xc2:
		return mojibakeAccept
	case unicode.IsUpper(prev):
		switch {
		case unicode.IsLower(next) && unicode.IsLetter(q.r), // "MÃ¼ller", "SÃ£o"
			unicode.IsUpper(q.r) && (unicode.IsLetter(next) || !endsWord(q.second)): // "MÃœNCHEN"
			return mojibakeAccept
		}
		return mojibakeReject
	case q.lead == 0xc3, unicode.IsLower(prev), unicode.IsLower(next):
		return mojibakeAccept
	}
	return mojibakeDoubtful
}

// plausibleRepair reports whether r is a character that repaired text may
// contain.
func plausibleRepair(r rune) bool {
	if 0x800 <= r && r <= 0x8ff || !isXMLChar(r) {
		return false
	}
	return unicode.IsGraphic(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// endsWord reports whether r often follows a word directly.
func endsWord(r rune) bool {
	switch r {
	case '’', '”', '»', '›', '…', '–', '—', '®', '™', '©', '°', '\u00a0':
		return true
	}
	return false
}

// hasMojibakeLead reports whether s contains a character from U+00C2 to
// U+00F4, which Windows-1252 gives for the lead byte of a multi-byte UTF-8
// sequence.
func hasMojibakeLead(s string) bool {
	for {
		i := strings.IndexByte(s, 0xc3)
		if i < 0 || i+1 >= len(s) {
			return false
		}
		if c := s[i+1]; 0x82 <= c && c <= 0xb4 {
			return true
		}
		s = s[i+1:]
	}
}

// mojibakeByteAt returns the Windows-1252 (or Latin-1) byte that the
// character at s[i:] was decoded from, and the character's length n. ok is
// false when no byte gives that character; n is 1 at the end of s.
func mojibakeByteAt(s string, i int) (b byte, n int, ok bool) {
	if i >= len(s) {
		return 0, 1, false
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		switch c := s[i]; c {
		case 0x81, 0x8d, 0x8f, 0x90, 0x9d:
			return c, 1, true
		}
		return 0, 1, false
	case r < 0x80:
		return 0, n, false
	case r <= 0xff:
		return byte(r), n, true
	}
	for j, c := range cp1252High {
		if c == r {
			return byte(0x80 + j), n, true
		}
	}
	return 0, n, false
}

// cp1252High holds the characters Windows-1252 gives to bytes 0x80 to 0x9F;
// zero marks the five bytes it leaves undefined.
var cp1252High = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// Slugify folds s to a URL path segment: lower-case ASCII letters, digits
// and single '-' separators, with no '-' at either end. Letters lose their
// diacritics by Unicode compatibility decomposition ("Santé" becomes "sante"),
// a few letters that do not decompose are spelled out ("ß" becomes "ss"),
// apostrophes vanish ("Becker's" becomes "beckers"), and every other run of
// characters becomes one '-'. The result never contains '/' or "..". It is ""
// when s has no letter or digit that folds to ASCII.
func Slugify(s string) string {
	if !isASCII(s) {
		s = norm.NFKD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range s {
		var part string
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r == '\'' || r == '’' || unicode.Is(unicode.Mn, r):
			continue // apostrophes and combining marks join, not separate
		default:
			if part = slugLetters[r]; part == "" {
				dash = true
				continue
			}
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		if part != "" {
			b.WriteString(part)
		} else {
			b.WriteByte(byte(r))
		}
	}
	return b.String()
}

// slugLetters spells out Latin letters that Unicode decomposition leaves alone.
var slugLetters = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t",
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
