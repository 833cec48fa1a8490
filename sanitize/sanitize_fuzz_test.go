package sanitize

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FuzzSanitizeHTML checks that HTML's output is valid UTF-8 made of
// XML characters, a fixed point, parsed to what it says when wellNested
// calls it well-formed, free of script tags and script URLs, made
// only of allowed elements and attributes, and never has an element its
// input did not name (apart from those HTML parsing implies), so the
// sanitizer never invents content.
func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range sanitizeSeeds(f) {
		f.Add(s, true)
	}
	f.Add(`<a href="/x">x</a><img src="p.gif" width="1" height="1">`, false)
	f.Fuzz(func(t *testing.T, in string, withBase bool) {
		base := sanitizeBase
		if !withBase {
			base = nil
		}
		if written, nested := parseAsBrowser(in, base); nested != wellNested(written) {
			t.Fatalf("the writer says nested=%v of what it wrote, wellNested the opposite:\nin:      %q\nwritten: %q", nested, in, written)
		}
		out := HTML(in, base)
		requireSafeHTML(t, out)
		if wellNested(out) {
			// (HTML writes a combining mark after a tag as a reference.)
			if again, ok := parseAndRender(out); ok && escapeMarksAfterTags(again) != out {
				t.Fatalf("called well-formed, but parses otherwise:\nin:     %q\nout:    %q\nparsed: %q", in, out, again)
			}
		}
		if again := HTML(out, base); again != out {
			t.Fatalf("not a fixed point:\nin:    %q\nonce:  %q\ntwice: %q", in, out, again)
		}
		in2 := elementNames(in)
		for name := range elementNames(out) {
			if !in2[name] && !impliedElements[name] {
				t.Fatalf("<%s> out, none in:\nin:  %q\nout: %q", name, in, out)
			}
		}
	})
}

// impliedElements are the elements HTML's tree construction creates on its
// own: table bodies and rows around cells, a paragraph for a stray </p>, a
// line break for </br>, an image for <image>.
var impliedElements = map[string]bool{"tbody": true, "tr": true, "p": true, "br": true, "img": true}

// elementNames returns the names of the elements s starts or ends, read by
// the tokenizer and by the parser, which can read a tag the tokenizer takes
// for text (a "<b>" after an SVG "<script>", which is not raw text there).
func elementNames(s string) map[string]bool {
	names := map[string]bool{}
	z := html.NewTokenizer(strings.NewReader(s))
	for done := false; !done; {
		switch z.Next() {
		case html.ErrorToken:
			done = true
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			names[string(name)] = true
		}
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, _ := html.ParseFragment(strings.NewReader(s), body)
	for _, n := range nodes {
		for d := range n.Descendants() {
			if d.Type == html.ElementNode {
				names[d.Data] = true
			}
		}
		if n.Type == html.ElementNode {
			names[n.Data] = true
		}
	}
	return names
}

// tagStart matches what an HTML parser would read as the start of a tag,
// comment or processing instruction.
var tagStart = regexp.MustCompile(`<(?:[A-Za-z!?]|/[A-Za-z])`)

// FuzzCleanText checks that Text's output is valid UTF-8 made of XML
// characters, without control characters, with single spaces as its only
// white space and none at either end; that text without entities comes out
// without markup; and that cleaning output without '&' or '<' changes nothing.
func FuzzCleanText(f *testing.F) {
	for _, tt := range cleanTextTests {
		f.Add(tt.in)
	}
	for _, tt := range mojibakeRepairTests {
		f.Add(tt.in)
	}
	for _, s := range mojibakeUntouched {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSettledText(t, in)
		checkTextReference(t, in)
		out := Text(in)
		if !utf8.ValidString(out) || invalidXMLIndex(out) >= 0 {
			t.Fatalf("invalid characters in %q", out)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("spaces not collapsed in %q", out)
		}
		for _, r := range out {
			if r != ' ' && unicode.IsSpace(r) || unicode.IsControl(r) || r == '\ufeff' {
				t.Fatalf("%U in %q", r, out)
			}
		}
		if !strings.Contains(in, "&") && tagStart.MatchString(out) {
			t.Fatalf("markup left in %q (from %q)", out, in)
		}
		if !strings.ContainsAny(out, "&<") {
			if again := Text(out); again != out {
				t.Fatalf("cleaning clean text changed it: %q to %q", out, again)
			}
		}
		plain := Plain(in)
		if !utf8.ValidString(plain) || invalidXMLIndex(plain) >= 0 {
			t.Fatalf("Plain: invalid characters in %q", plain)
		}
		for _, r := range plain {
			if r != ' ' && unicode.IsSpace(r) || unicode.IsControl(r) || r == '\ufeff' {
				t.Fatalf("Plain: %U in %q", r, plain)
			}
		}
		if again := Plain(plain); again != plain {
			t.Fatalf("Plain is not idempotent: %q to %q", plain, again)
		}
	})
}

// FuzzRepairMojibake checks that RepairMojibake keeps valid UTF-8 valid and
// XML characters XML characters, never lengthens its input, leaves ASCII
// alone and reaches a fixed point.
func FuzzRepairMojibake(f *testing.F) {
	for _, tt := range mojibakeRepairTests {
		f.Add(tt.in)
	}
	for _, s := range mojibakeUntouched {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := RepairMojibake(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q from %q", out, in)
		}
		if invalidXMLIndex(in) < 0 && invalidXMLIndex(out) >= 0 {
			t.Fatalf("non-XML character in %q from %q", out, in)
		}
		if len(out) > len(in) {
			t.Fatalf("%q grew to %q", in, out)
		}
		if isASCII(in) && out != in {
			t.Fatalf("ASCII %q changed to %q", in, out)
		}
		if again := RepairMojibake(out); again != out {
			t.Fatalf("not a fixed point: %q, %q, %q", in, out, again)
		}
	})
}

// FuzzAbsoluteURL checks that an accepted URL is printable ASCII, absolute
// http(s) with a host and no user information, and a fixed point.
func FuzzAbsoluteURL(f *testing.F) {
	for _, tt := range absoluteURLTests {
		f.Add(tt.raw, tt.base != nil)
	}
	f.Fuzz(func(t *testing.T, raw string, withBase bool) {
		base := sanitizeBase
		if !withBase {
			base = nil
		}
		got, ok := URL(raw, base)
		if !ok {
			if got != "" {
				t.Fatalf("rejected %q but returned %q", raw, got)
			}
			return
		}
		for i := 0; i < len(got); i++ {
			if !isURIByte(got[i]) {
				t.Fatalf("byte %q in %q", got[i], got)
			}
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q as %q", raw, got)
		}
		if again, ok := URL(got, nil); !ok || again != got {
			t.Fatalf("not a fixed point: %q, %q, %q", raw, got, again)
		}
	})
}

// FuzzResolvePlain: what resolvePlain makes of a relative URL against a
// base, net/url's cleaning also makes.
func FuzzResolvePlain(f *testing.F) {
	for _, b := range resolvePlainBases {
		for _, raw := range resolvePlainRefs {
			f.Add(b, raw)
		}
	}
	f.Fuzz(func(t *testing.T, b, raw string) {
		base, err := url.Parse(b)
		if err != nil {
			return
		}
		checkResolvePlain(t, raw, base)
		// A base made in code need not be what url.Parse makes.
		for _, p := range []string{"", "/", "x", "x/", "/x/" + raw} {
			c := *base
			c.Path = p
			checkResolvePlain(t, raw, &c)
		}
	})
}

// checkPlainURL requires a URL plainURL takes as it is to be one that
// net/url's cleaning gives back unchanged, whatever the base and mode.
func checkPlainURL(t *testing.T, raw string) {
	t.Helper()
	if p, err := url.Parse(raw); err == nil {
		host, path, ok := urlParts(raw)
		if !ok || host != strings.ToLower(p.Hostname()) || path != p.Path {
			t.Fatalf("urlParts(%q) = %q, %q, %v; net/url reads %q, %q", raw, host, path, ok, p.Hostname(), p.Path)
		}
	}
	if !plainURL(raw) {
		return
	}
	for _, base := range []*url.URL{nil, sanitizeBase} {
		for _, mailto := range []bool{false, true} {
			if got, ok := cleanURLParsed(raw, base, mailto); !ok || got != raw {
				t.Fatalf("plainURL took %q, which cleaning makes %q (%v)", raw, got, ok)
			}
		}
	}
}

// FuzzPlainURL: what plainURL passes as it is, net/url's cleaning also does.
func FuzzPlainURL(f *testing.F) {
	for _, tt := range absoluteURLTests {
		f.Add(tt.raw)
	}
	for _, raw := range plainURLTests {
		f.Add(raw.raw)
	}
	f.Fuzz(checkPlainURL)
}

// FuzzStreamAsBrowser checks streamAsBrowser against the tree: whatever
// markup it takes, it writes exactly what the writer writes from the tree
// the parser builds, which it then calls plainly well-formed too.
func FuzzStreamAsBrowser(f *testing.F) {
	for _, s := range sanitizeSeeds(f) {
		f.Add(s, true)
	}
	for _, tt := range streamTests {
		f.Add(tt.in, false)
	}
	f.Fuzz(func(t *testing.T, in string, withBase bool) {
		base := sanitizeBase
		if !withBase {
			base = nil
		}
		checkStream(t, in, base)
	})
}
