package sanitize

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxSlugBytes is the most bytes a [Slug] has, so that a path made of a few
// slugs (a feed's communities/{c}/topics/{t}/archive/{n}/atom.xml) stays
// well within what any file system allows for a name and a path.
const MaxSlugBytes = 100

// slugHashLen is the number of hex digits of the hash a slug is given when
// its name is cut, is a reserved device name, or has no letter that folds to
// ASCII.
const slugHashLen = 10

// Slug folds s to a URL path segment that is a safe file name on every
// file system: lower-case ASCII letters, digits and single '-' separators,
// with no '-' at either end, at most [MaxSlugBytes] (100) bytes. Letters lose their
// diacritics by Unicode compatibility decomposition ("Santé" and its
// decomposed spelling both become "sante"), a few letters that do not
// decompose are spelled out ("ß" becomes "ss"), apostrophes, marks and
// invisible characters vanish ("Becker's" becomes "beckers"), and every
// other run of characters becomes one '-'.
//
// A short stable hash of the name (10 hex digits) keeps distinct names
// apart where folding alone would not:
//   - a slug over 100 bytes is cut and ends with the hash of its full
//     folded form, so that long names differing only at the end differ;
//   - a Windows device name (con, prn, aux, nul, com0-9, lpt0-9) is
//     followed by its hash ("CON" becomes "con-" and the hash);
//   - letters and digits that do not fold to ASCII (Chinese, Cyrillic,
//     Arabic...) add the hash of the name; a name made only of them, or of
//     symbols such as emoji, is "u-" and the hash.
//
// The result never contains '/', '\', '.', or a control character, and
// Slug(Slug(s)) == Slug(s). It is "" only when s has no letter,
// digit or symbol at all ("", "..", "/").
func Slug(s string) string {
	if isSlug(s) {
		return s
	}
	slug, dropped := foldSlug(s)
	switch {
	case slug == "" && (dropped || hasNameRune(s)):
		// A letter can also vanish in decomposition itself: "ͺ" decomposes
		// to a space and a combining mark.
		key := nameKey(s)
		if key == "" {
			key = norm.NFC.String(s)
		}
		return "u-" + slugHash(key)
	case slug == "":
		return ""
	case dropped:
		return withSlugHash(slug, slug+"\x00"+nameKey(s))
	case len(slug) > MaxSlugBytes:
		return withSlugHash(slug, slug)
	case reservedSlug(slug):
		return withSlugHash(slug, slug)
	}
	return slug
}

// isSlug reports whether s is already what Slug makes of it: a slug
// that needs no hash.
func isSlug(s string) bool {
	if s == "" || len(s) > MaxSlugBytes || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return !reservedSlug(s)
}

// foldSlug folds s to lower-case ASCII letters and digits in groups joined
// by single '-'. dropped reports whether a letter, a number or a symbol
// (such as an emoji) was lost because it has no ASCII form.
func foldSlug(s string) (slug string, dropped bool) {
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
		case r == '\'' || r == '’' || unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || unicode.Is(unicode.Cc, r) && !unicode.IsSpace(r):
			continue // apostrophes, marks and invisible characters join, not separate
		default:
			if part = slugLetters[r]; part == "" {
				if r != utf8.RuneError && unicode.In(r, unicode.L, unicode.N, unicode.So) {
					dropped = true
				}
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
	return b.String(), dropped
}

// hasNameRune reports whether s has a letter, a number or a symbol such as
// an emoji: a name that must not get an empty slug.
func hasNameRune(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r != utf8.RuneError && unicode.In(r, unicode.L, unicode.N, unicode.So)
	})
}

// nameKey is the identity of a name for hashing: its letters, numbers and
// symbols in NFKC, lower case, so that spellings of one name (NFC or NFD,
// case, punctuation, spacing) share one hash.
func nameKey(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r != utf8.RuneError && unicode.In(r, unicode.L, unicode.N, unicode.So):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.In(r, unicode.M, unicode.Cf, unicode.Cc):
		default:
			space = true
		}
	}
	return b.String()
}

// withSlugHash returns slug, cut so that the result fits MaxSlugBytes, then
// '-' and the hash of key.
func withSlugHash(slug, key string) string {
	if n := MaxSlugBytes - 1 - slugHashLen; len(slug) > n {
		slug = strings.TrimRight(slug[:n], "-") // ASCII: any byte is a rune boundary
	}
	return slug + "-" + slugHash(key)
}

func slugHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:slugHashLen]
}

// reservedSlug reports whether slug is a name Windows reserves for a device
// (with any extension, which a slug cannot have).
func reservedSlug(slug string) bool {
	switch slug {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(slug) == 4 && (slug[:3] == "com" || slug[:3] == "lpt") && '0' <= slug[3] && slug[3] <= '9'
}

// slugLetters spells out Latin letters that Unicode decomposition leaves alone.
var slugLetters = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t",
}
