package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Text returns s as safe plain text: HTML tags stripped (with the
// content of script, style and similar elements), HTML entities decoded
// exactly once (so "&amp;amp;" becomes "&amp;"; the references &#128; to
// &#159; mean the Windows-1252 characters, as in HTML), invalid UTF-8 and
// characters XML 1.0 forbids removed, mojibake repaired, other control
// characters (C0 and C1), bidirectional embedding, override and isolate
// controls (U+202A to U+202E, U+2066 to U+2069; the marks LRM, RLM and ALM
// stay), noncharacters and U+FEFF removed, the result in Unicode
// normalization form C, and every run of white space (including U+00A0,
// which &nbsp; decodes to) collapsed to one space, with none at either end.
// Text that is already clean is returned as is, without allocating.
func Text(s string) string {
	return textStart(s, -1)
}

// textStart is Text(s), or with limit >= 0 its start: at least its first
// limit+1 characters, or all of it when it has fewer. The white space of the text
// past them is not collapsed; the rest of the cleaning looks at the whole
// text, as Text does (mojibake repair judges the text as a whole).
func textStart(s string, limit int) string {
	if isCleanASCII(s) {
		return s
	}
	// Text that every cleaning pass would leave as it is (textSettled, the
	// text of most bodies) skips them: one pass over it instead of five.
	if !textSettled(s) {
		s = RepairMojibake(StripInvalidXML(s))
	}
	if strings.ContainsAny(s, "<&") {
		// Characters are removed before tags are found, so that removing
		// them cannot join a '<' to a letter; decoded entities can bring
		// back what needs removing or repairing.
		s = HTMLText(dropInvisible(s))
		if textSettled(s) {
			return collapsed(s, limit)
		}
		s = RepairMojibake(StripInvalidXML(s))
	} else if textSettled(s) {
		return collapsed(s, limit)
	}
	// Repair ran before control characters were dropped, so that Latin-1
	// mojibake ("â\u0080\u0099") could use them; dropping them (or a U+FEFF
	// that repair restored) can join new neighbours, and composition can
	// make a new lead character, so repeat until stable.
	return collapsed(settleText(s, dropInvisible, norm.NFC.String), limit)
}

// textSettled reports whether s is text that StripInvalidXML,
// RepairMojibake, dropInvisible and normalization form C all return as it
// is: settledText, and no DEL, which dropInvisible removes but markup
// keeps.
func textSettled(s string) bool {
	return strings.IndexByte(s, 0x7f) < 0 && settledText(s, false)
}

// collapsed is collapseSpace(s), or with limit >= 0 its first limit+1
// characters (all of it when it has fewer); s past them is not read.
func collapsed(s string, limit int) string {
	if limit < 0 {
		return collapseSpace(s)
	}
	return collapseUpTo(s, limit, min(len(s), 4*limit+8))
}

// Plain cleans text that is known to be plain, such as the fields of an
// item made in code: what Text removes and repairs is removed and repaired
// the same way, but markup and entities are not read: "<b>" and "&amp;"
// stay as they are, text to be escaped when written. Text that is already
// clean is returned as is, without allocating.
func Plain(s string) string {
	if isCleanASCII(s) {
		return s
	}
	return collapseSpace(settleText(StripInvalidXML(s), dropInvisible, norm.NFC.String))
}

// settleText applies drop, mojibake repair and normalization to s until
// nothing changes. Each round either shortens the text by a repair or a
// removal, or leaves it as it is, so a few rounds suffice; the bound only
// guards against an input that would make the steps disagree forever.
func settleText(s string, drop, normalize func(string) string) string {
	for range 16 {
		t := normalize(RepairMojibake(drop(s)))
		if t == s {
			break
		}
		s = t
	}
	return s
}

// sanitizedText is the last step of HTML: on the serialized HTML,
// which holds a '<' or a '&' only as markup or as the start of a reference,
// it removes invalid UTF-8 and the characters XML 1.0 forbids, repairs
// mojibake, removes what Text removes (a U+0085 becomes a space) and
// normalizes text and attribute values to NFC. None of these steps can
// create markup: they never produce '<', '>', '&' or a quote, and a
// combining character right after '<', '>' or '=' is kept apart from it, so
// that "<" and U+0338 never become "≮".
func sanitizedText(h string) string {
	if settledText(h, false) {
		return h
	}
	return settleText(RepairMojibake(StripInvalidXML(h)), dropInvisibleMarkup, nfcMarkup)
}

// dropInvisibleMarkup is dropInvisible for HTML: white space and DEL stay
// (XML allows them, and StripInvalidXML has removed the C0 controls), and a
// U+0085 becomes a space.
func dropInvisibleMarkup(s string) string {
	if !containsInvisible(s, isInvisibleMarkup, &asciiInvisibleMarkup) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0x85:
			return ' '
		case isInvisibleMarkup(r):
			return -1
		}
		return r
	}, s)
}

func isInvisibleMarkup(r rune) bool {
	return r == 0x85 || r != 0x7f && IsInvisible(r)
}

// nfcMarkup returns s in normalization form C, except that a character
// after '<', '>' or '=' is never composed with it.
func nfcMarkup(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for s != "" {
		i := strings.IndexAny(s, "<>=")
		if i < 0 {
			b.WriteString(norm.NFC.String(s))
			break
		}
		b.WriteString(norm.NFC.String(s[:i+1]))
		s = s[i+1:]
	}
	return b.String()
}

// Summary returns the summary of an item: its description as plain text
// (see [Text]), or without one the text of its body, cut to 300 characters
// and an ellipsis (see [Truncate]). body returns the item's
// sanitized body as HTML; it is called only when the description does not
// do on its own, and may be nil for an item without a body.
//
// Exports flatten a description that is the body's text, or its start, and
// lose its word boundaries on the way ("faces.<br><br>Read on" becomes
// "faces.Read on"). Such a description takes its spaces back from the
// body's text, where every line break and block boundary is a space.
func Summary(description string, body func() string) string {
	d := Text(description)
	switch {
	case body == nil:
		return d
	case d == "":
		return Truncate(textStart(body(), 300), 300) // Truncate looks no further
	case lostBoundary(d):
		// respace reads the text no further than a space before each
		// character of d, and one more.
		return respace(d, textStart(body(), 2*utf8.RuneCountInString(d)+2))
	}
	return d
}

// Truncate shortens the plain text s to its first n characters (runes), or
// to fewer at the last space when that is in their second half, trims the
// punctuation and spaces left at the end and appends an ellipsis ("…"), so
// that the result has at most n+1 characters. Text of at most n characters
// is returned as is.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if cut >= n {
			s = s[:i]
			break
		}
		cut++
	}
	if j := strings.LastIndexByte(s, ' '); j > len(s)/2 {
		s = s[:j]
	}
	return strings.TrimRight(s, " ,;:.-") + "…"
}

// lostBoundary reports whether s may have lost a space where sentences or
// blocks meet: an upper-case letter directly after a lower-case letter or
// after punctuation that ends a sentence, a clause or a quotation
// ("faces.Read", "listRead", "Parker.\"Well"). Hyphens and apostrophes
// ("health-care", "it's") are no sign of it.
func lostBoundary(s string) bool {
	var prev rune
	for _, r := range s {
		if unicode.IsUpper(r) {
			switch prev {
			case '.', '!', '?', ':', ';', ',', ')', ']', '"', '”', '’', '»':
				return true
			}
			if unicode.IsLower(prev) {
				return true
			}
		}
		prev = r
	}
	return false
}

// respace returns d with a space wherever text has white space that d lacks,
// when d is text, or its start, with white space lost (a trailing ellipsis
// aside). Otherwise it returns d.
func respace(d, text string) string {
	var b strings.Builder
	b.Grow(len(d) + 8)
	j, added := 0, false
	for i, r := range d {
		space := false
		for j < len(text) {
			t, n := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(t) {
				break
			}
			space, j = true, j+n
		}
		if unicode.IsSpace(r) {
			b.WriteRune(r)
			continue
		}
		t, n := utf8.DecodeRuneInString(text[j:])
		if j >= len(text) || t != r {
			if rest := strings.TrimSpace(d[i:]); rest == "…" || rest == "..." {
				b.WriteString(d[i:])
				break
			}
			return d
		}
		if space && b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
			added = true
		}
		b.WriteRune(r)
		j += n
	}
	if !added {
		return d
	}
	return b.String()
}

// isCleanASCII reports whether s is printable ASCII with no markup, no
// entity and no white space but single spaces between words, which Text
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

// HTMLText returns the text of the HTML fragment s, entities decoded once,
// without its tags and comments and without the content of script, style
// and similar elements. Tags other than inline ones become a space, so that
// "<p>a</p><p>b</p>" reads "a b" while "<b>B</b>old" reads "Bold". It does
// not clean the text otherwise: use it on the output of [HTML], or use
// [Text] on untrusted input.
func HTMLText(s string) string {
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
	return collapseUpTo(s, -1, len(s))
}

// collapseUpTo writes s with its white space collapsed, into a buffer of
// size bytes to start with, and stops once it has written more than limit
// characters when limit >= 0.
func collapseUpTo(s string, limit, size int) string {
	var b strings.Builder
	b.Grow(size)
	space, written := false, 0
	full := func() bool { written++; return limit >= 0 && written > limit }
	for i := 0; i < len(s); {
		c, n := s[i], 1
		isSpace := asciiSpace[c]
		if c >= utf8.RuneSelf {
			var r rune
			r, n = utf8.DecodeRuneInString(s[i:])
			isSpace = unicode.IsSpace(r)
		}
		if isSpace {
			space = b.Len() > 0
			i += n
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
			if full() {
				break
			}
		}
		if c >= utf8.RuneSelf && n == 1 {
			b.WriteRune(utf8.RuneError) // invalid UTF-8, as ranging over s reads it
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
		if full() {
			break
		}
	}
	return b.String()
}

// asciiSpace marks the ASCII characters unicode.IsSpace reports.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

func isCollapsed(s string) bool {
	prevSpace := true // no space at the start
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if !asciiSpace[c] {
				prevSpace = false
				continue
			}
			if c != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsSpace(r) {
			return false // a space, but not ' '
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// dropInvisible removes control characters that are not white space,
// bidirectional embedding, override and isolate controls, noncharacters and
// U+FEFF; see IsInvisible.
func dropInvisible(s string) string {
	if !containsInvisible(s, IsInvisible, &asciiInvisible) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// containsInvisible reports whether s holds a rune invisible reports,
// ascii being invisible's answers for the ASCII runes: most text is ASCII,
// which then costs a table lookup a byte.
func containsInvisible(s string, invisible func(rune) bool, ascii *[utf8.RuneSelf]bool) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if ascii[c] {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			return true
		}
		i += n
	}
	return false
}

// asciiInvisible and asciiInvisibleMarkup are IsInvisible's and
// isInvisibleMarkup's answers for the ASCII runes.
var asciiInvisible, asciiInvisibleMarkup = func() (t, m [utf8.RuneSelf]bool) {
	for c := range rune(utf8.RuneSelf) {
		t[c], m[c] = IsInvisible(c), isInvisibleMarkup(c)
	}
	return t, m
}()

// IsInvisible reports whether r is a character that [Text] removes because
// text never needs it: a C0 or C1 control character other than white space
// (U+0085 is white space); U+FEFF; a bidirectional embedding, override or
// isolate control (U+202A to U+202E, U+2066 to U+2069), which can make text
// display in another order than it reads ("Invoice U+202E gpj.exe" shows
// as "Invoice exe.jpg"); or a noncharacter (U+FDD0 to U+FDEF and the last
// two code points of every plane). The marks LRM (U+200E), RLM (U+200F) and
// ALM (U+061C), which only set the direction of neutral characters, stay.
func IsInvisible(r rune) bool {
	switch {
	case r < 0x20 || 0x7f <= r && r <= 0x9f:
		return !unicode.IsSpace(r)
	case r < 0x202a:
		return false
	case r <= 0x202e || 0x2066 <= r && r <= 0x2069 || r == 0xfeff:
		return true
	}
	return isNoncharacter(r)
}

// isNoncharacter reports whether r is one of Unicode's 66 noncharacters.
func isNoncharacter(r rune) bool {
	return 0xfdd0 <= r && r <= 0xfdef || r&0xfffe == 0xfffe
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
// Samaritan-to-Arabic-Extended character) and where the repair is more
// plausible than the text as it stands. Repair repeats until nothing
// changes, so double mojibake ("Ã¢â‚¬â„¢") is undone too and
// RepairMojibake(RepairMojibake(s)) == RepairMojibake(s). A right double
// quotation mark whose last byte (0x9D, which Windows-1252 leaves undefined)
// a decoder replaced with U+FFFD ("â€\uFFFD") is repaired too.
//
// Legitimate text has the same characters, mostly an accented letter
// followed by punctuation, a symbol or a no-break space ("NESTLÉ®", "SÃO”",
// "SELKÄ\u00a0EDELLÄ", "Hyvää\u00a0–", "Brontë…”", "4288×…"). So:
//   - a sequence next to another one ("Ð¿Ñ€Ð¸", "×‘×”") is repaired: real
//     text rarely has two in a row; so is one with a C1 control or a raw
//     undefined byte among its characters ("â\u0080\u0099", "eÌ\u0081"),
//     which text never holds;
//   - a three- or four-byte sequence alone is repaired when it starts with
//     "â", "ï" or "ð" ("â€™", "ï»¿", "ðŸ˜€"; punctuation, symbols, emoji),
//     unless its second character is a no-break space, or "â" ends a word
//     and two word-ending characters follow ("Tâ…”"); with another lead
//     ("ä¸\u00ad" for a lone CJK character) only at the start of a word,
//     not before punctuation, and when the text has certain mojibake
//     elsewhere;
//   - a two-byte sequence alone with the "Â" prefix ("Â£5") is repaired;
//   - other two-byte sequences alone are repaired only into common letters
//     (Latin, Greek, Cyrillic; not IPA, Hebrew or Arabic, whose words have
//     more than one letter), never when the second character is a no-break
//     space after a letter, and, after an upper-case letter, only inside a
//     capitalized word ("MÃ¼ller", "SÃ£o", not "ZZAJÉ’s") or into an
//     upper-case letter that does not end a word with punctuation ("MÃœNCHEN",
//     "HÃ”TEL", not "AMANHÃ”" or "SÓ…"); otherwise "Ã" is repaired
//     ("cafÃ©", "Ã©cole", but not before an apostrophe that follows no
//     lower-case letter, as in "Ã’s"), and other leads next to a lower-case
//     letter ("Å›wiat");
//   - a lone sequence with no such context ("Ð²" between spaces) only when
//     the string has certain mojibake elsewhere;
//   - the only two-byte sequence of a text that has no certain mojibake but
//     correctly encoded characters beyond Latin-1 ("Bremer/Mccoy – DrÃ¥ber")
//     stays: a consistent misreading would have garbled those too.
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
	third      rune // the character that gave the third byte, if any
	control    bool // a continuation came from a C1 control or a raw byte
	verdict    int8
}

const (
	mojibakeReject int8 = iota
	mojibakeDoubtful
	mojibakeLikely // a lone two-byte sequence in a likely context
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
			if !ok && k == 2 && lead == 0xe2 && buf[1] == 0x80 && strings.HasPrefix(s[j:], "\ufffd") {
				// "â€" and a replaced 0x9D: the right double quotation mark.
				c, m, ok = 0x9d, len("\ufffd"), true
			}
			if !ok || c < 0x80 || c > 0xbf {
				break
			}
			r, _ := utf8.DecodeRuneInString(s[j:])
			switch k {
			case 1:
				q.second = r
			case 2:
				q.third = r
			}
			// Text never holds C1 controls: they are certain mojibake.
			q.control = q.control || r == utf8.RuneError && m == 1 || 0x80 <= r && r <= 0x9f
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
	strong, likely := false, 0
	for i := range seqs {
		seqs[i].verdict = judgeMojibake(s, seqs, i)
		switch seqs[i].verdict {
		case mojibakeAccept:
			strong = true
		case mojibakeLikely:
			likely++
		}
	}
	// One lone two-byte sequence in text that holds correctly encoded
	// characters beyond Latin-1 ("Bremer/Mccoy – DrÃ¥ber") is doubtful: the
	// text went through UTF-8 correctly, and a consistent misreading would
	// have garbled those characters too.
	if likely == 1 && !strong && encodedBeyondLatin1(s, seqs) {
		likely = 0
	}
	strong = strong || likely > 0
	var b strings.Builder
	last := 0
	for _, q := range seqs {
		if q.verdict == mojibakeAccept || q.verdict == mojibakeLikely && likely > 0 || q.verdict == mojibakeDoubtful && strong {
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
	if i > 0 && seqs[i-1].end == q.start && plausibleRepair(seqs[i-1].r) ||
		i+1 < len(seqs) && seqs[i+1].start == q.end && plausibleRepair(seqs[i+1].r) {
		return mojibakeAccept
	}
	prev, n := utf8.DecodeLastRuneInString(s[:q.start])
	prev2, _ := utf8.DecodeLastRuneInString(s[:q.start-n])
	next, _ := utf8.DecodeRuneInString(s[q.end:])
	switch {
	case q.lead >= 0xf0:
		return mojibakeAccept
	case q.control:
		return mojibakeAccept // "â\u0080\u0099", "eÌ\u0081"
	case q.lead >= 0xe0:
		switch {
		case q.second == '\u00a0': // "Hyvää\u00a0–", "café\u00a0»"
			return mojibakeReject
		case q.lead == 0xe2 || q.lead == 0xef:
			if q.lead == 0xe2 && endsWord(q.second) && endsWord(q.third) && !unicode.IsDigit(prev) {
				// A word-final "â" and punctuation ("Tâ…”"), or "1â…”" (1⅔)?
				if unicode.IsLetter(prev) {
					return mojibakeReject
				}
				return mojibakeDoubtful
			}
			return mojibakeAccept
		case unicode.IsLetter(prev) || unicode.IsMark(prev) || endsWord(q.second): // "Brontë…”", "lá´´"
			return mojibakeReject
		}
		return mojibakeDoubtful
	case q.lead == 0xc2:
		if q.second == '\u00a0' && unicode.IsUpper(prev) { // "MISUTÂ\u00a0AJIKKO"
			return mojibakeDoubtful
		}
		return mojibakeAccept
	case !commonLetter(q.r):
		return mojibakeReject
	case q.second == '\u00a0' && q.lead != 0xc3:
		// "SELKÄ\u00a0EDELLÄ"; "Å\u00a0koda" at a word start is doubtful.
		if unicode.IsLetter(prev) || !unicode.IsLower(next) {
			return mojibakeReject
		}
		return mojibakeDoubtful
	case unicode.IsUpper(prev):
		switch {
		case q.second == '’' && possessive(s[q.end:]): // "IRMÃ’S"
			return mojibakeReject
		case unicode.IsLower(next) && unicode.IsLower(q.r) && !unicode.IsUpper(prev2), // "MÃ¼ller", "CÃ\u00a0nan"
			unicode.IsUpper(q.r) && (unicode.IsLetter(next) || !endsWord(q.second)): // "MÃœNCHEN", "HÃ”TEL"
			return mojibakeAccept
		}
		return mojibakeReject
	case q.lead == 0xc3:
		if (q.second == '’' || q.second == '™') && !unicode.IsLower(prev) { // "Ã’s"
			return mojibakeReject
		}
		return mojibakeLikely
	case unicode.IsLower(prev), unicode.IsLower(next):
		return mojibakeLikely
	}
	return mojibakeDoubtful
}

// encodedBeyondLatin1 reports whether s has a character above U+00FF outside
// the sequences. Only characters that cleaning keeps as they are count:
// white space (which collapses), the characters Text removes and
// combining marks (which NFC may compose into a Latin-1 letter) do not, so
// that cleaning clean text never changes it.
func encodedBeyondLatin1(s string, seqs []mojibakeSeq) bool {
	last := 0
	for _, q := range seqs {
		if hasLastingRuneAboveLatin1(s[last:q.start]) {
			return true
		}
		last = q.end
	}
	return hasLastingRuneAboveLatin1(s[last:])
}

func hasLastingRuneAboveLatin1(s string) bool {
	for _, r := range s {
		if r > 0xff && !unicode.IsSpace(r) && !IsInvisible(r) && !unicode.Is(unicode.M, r) {
			return true
		}
	}
	return false
}

// possessive reports whether s starts with the s of a possessive: "s" or
// "S" and no other letter.
func possessive(s string) bool {
	if s == "" || s[0]|0x20 != 's' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[1:])
	return !unicode.IsLetter(r)
}

// commonLetter reports whether r, the repair of a lone two-byte sequence,
// is a letter of the alphabets that one-letter mojibake comes from in
// practice: Latin-1, Latin Extended-A and -B, Greek or Cyrillic.
func commonLetter(r rune) bool {
	return unicode.IsLetter(r) && (r < 0x250 || 0x370 <= r && r < 0x500) || r == '\u00a0' || 0xa1 <= r && r <= 0xbf
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
	case '’', '”', '»', '›', '…', '–', '—', '®', '™', '©', '°', '\u00a0',
		'´', '¨', '¡', '¿', '¹', '²', '³', '·', '‰':
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
