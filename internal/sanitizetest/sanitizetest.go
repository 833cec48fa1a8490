// Package sanitizetest checks, for curafeed's tests, what package sanitize
// promises of its output: HTML a browser would run nothing from, text
// without the characters no reader should get, and slugs that are safe file
// names. The tests of package sanitize and those that load whole records
// share these checks, so that both hold the output to the same rules.
package sanitizetest

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// AllowedElements are the HTML elements sanitized HTML may hold: those the
// sanitize package documents it keeps. Its own tests require its allowlist
// to be exactly these.
var AllowedElements = map[string]bool{
	"a": true, "abbr": true, "article": true, "b": true, "blockquote": true, "br": true,
	"caption": true, "cite": true, "code": true, "dd": true, "del": true, "div": true,
	"dl": true, "dt": true, "em": true, "figcaption": true, "figure": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "i": true,
	"img": true, "ins": true, "kbd": true, "li": true, "mark": true, "ol": true, "p": true,
	"pre": true, "q": true, "s": true, "samp": true, "section": true, "small": true,
	"span": true, "strong": true, "sub": true, "sup": true, "table": true, "tbody": true,
	"td": true, "tfoot": true, "th": true, "thead": true, "tr": true, "u": true, "ul": true,
	"var": true,
}

// ParseLikeBrowser parses s as the content of a <body>, with the HTML5 tree
// construction rules every browser follows.
func ParseLikeBrowser(t testing.TB, s string) []*html.Node {
	t.Helper()
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	require.NoError(t, err)
	return nodes
}

// forbiddenElements are elements whose presence in sanitized output would
// run script, load active content, restyle or rebase the page, or submit
// data.
var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "frame": true, "frameset": true, "object": true, "embed": true,
	"applet": true, "portal": true, "svg": true, "math": true, "style": true, "base": true,
	"meta": true, "link": true, "form": true, "input": true, "button": true, "textarea": true,
	"select": true, "isindex": true, "template": true, "noscript": true, "xmp": true,
	"plaintext": true, "noembed": true, "noframes": true, "title": true, "video": true,
	"audio": true, "source": true, "param": true, "image": true, "html": true, "head": true,
	"body": true,
}

// urlAttributes are the attributes that take a URL a browser may load or
// navigate to.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true,
	"background": true, "data": true, "codebase": true, "cite": true, "srcset": true,
	"dynsrc": true, "lowsrc": true, "xlink:href": true,
}

// RequireNothingExecutable parses s as a browser would and fails if the
// tree holds a comment, an element outside AllowedElements, or an
// attribute or URL that could run script or load active content. It judges
// the tree a browser builds, where a namespace or a misnested tag changes
// meaning, not the tokens of s.
func RequireNothingExecutable(t testing.TB, s string) {
	t.Helper()
	lower := strings.ToLower(s)
	for _, bad := range []string{"<script", "<iframe", "<object", "<embed", "<svg", "<math", "<style", "<base", "<meta", "<link", "<form"} {
		require.NotContains(t, lower, bad)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.CommentNode:
			t.Fatalf("comment %q in %q", n.Data, s)
		case html.ElementNode:
			if n.Namespace != "" || forbiddenElements[n.Data] {
				t.Fatalf("element %s:%s in %q", n.Namespace, n.Data, s)
			}
			if !AllowedElements[n.Data] {
				t.Fatalf("element %q not on the allowlist in %q", n.Data, s)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					t.Fatalf("attribute %s=%q on <%s> in %q", key, a.Val, n.Data, s)
				}
				if urlAttributes[key] {
					v := strings.Map(func(r rune) rune {
						if r <= ' ' || r == 0x7f || unicode.Is(unicode.Cf, r) {
							return -1
						}
						return unicode.ToLower(r)
					}, a.Val)
					for _, scheme := range []string{"javascript:", "vbscript:", "data:", "livescript:", "mhtml:", "view-source:", "file:"} {
						if strings.HasPrefix(v, scheme) {
							t.Fatalf("%s=%q on <%s> in %q", key, a.Val, n.Data, s)
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range ParseLikeBrowser(t, s) {
		walk(n)
	}
}

// IsUnwantedRune reports whether r must never reach sanitized output: a C1
// control, a bidirectional embedding, override or isolate control, a
// noncharacter, or U+FEFF.
func IsUnwantedRune(r rune) bool {
	return 0x80 <= r && r <= 0x9f || 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069 ||
		0xfdd0 <= r && r <= 0xfdef || r&0xfffe == 0xfffe || r == 0xfeff
}

// RequireNoUnwantedRunes fails if s, or the text and attribute values of
// the tree a browser builds from it (where character references are
// decoded), holds a rune IsUnwantedRune reports.
func RequireNoUnwantedRunes(t testing.TB, s string) {
	t.Helper()
	for _, r := range s {
		require.False(t, IsUnwantedRune(r), "%U in %q", r, s)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		texts := []string{n.Data}
		for _, a := range n.Attr {
			texts = append(texts, a.Val)
		}
		for _, text := range texts {
			for _, r := range text {
				require.False(t, IsUnwantedRune(r), "%U (decoded) in %q", r, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range ParseLikeBrowser(t, s) {
		walk(n)
	}
}

// MaxSlugBytes is the length a slug never exceeds, as package sanitize
// documents it.
const MaxSlugBytes = 100

// slugPattern is what a slug is made of: lower-case ASCII letters and
// digits in groups joined by single '-'.
var slugPattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$`)

// windowsReserved matches the names Windows reserves for devices, whatever
// their case and extension.
var windowsReserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$`)

// hasName reports whether s has a letter, a number or a symbol such as an
// emoji: something a slug must stand for.
func hasName(s string) bool {
	for _, r := range s {
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.So, r)) {
			return true
		}
	}
	return false
}

// CheckSlug checks the properties of got, the slug that slug made from in:
// a safe path segment on every file system (valid characters, at most
// MaxSlugBytes bytes, not ".", "..", a device name, nor ending in a dot or
// space), empty only when in names nothing, and a fixed point of slug.
func CheckSlug(t testing.TB, slug func(string) string, in, got string) {
	t.Helper()
	if !slugPattern.MatchString(got) {
		t.Fatalf("Slug(%.80q) = %.120q: not letters, digits and single dashes", in, got)
	}
	if len(got) > MaxSlugBytes {
		t.Fatalf("Slug(%.80q) = %.120q: %d bytes, over %d", in, got, len(got), MaxSlugBytes)
	}
	if windowsReserved.MatchString(got) || got == "." || got == ".." || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
		t.Fatalf("Slug(%.80q) = %.120q: not a safe file name", in, got)
	}
	if got == "" && hasName(in) {
		t.Fatalf("Slug(%.80q) is empty, but the name has letters, digits or symbols", in)
	}
	if again := slug(got); again != got {
		t.Fatalf("Slug(%.80q) = %.120q is not a fixed point: %.120q", in, got, again)
	}
}
