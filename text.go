package curafeed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
