package curafeed

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendXMLText requires appendXMLText to escape exactly as
// encoding/xml's EscapeText does.
func TestAppendXMLText(t *testing.T) {
	for _, s := range []string{
		"", "plain", `<a href="x">'q' & b</a>`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"é—\u2028\U0001F600", "\xff\xfe", "a\xc3", "\xed\xa0\x80", "\uFFFD\uFFFE\uFFFF", "\ufdd0",
		"]]>", "&#34;",
	} {
		var want bytes.Buffer
		require.NoError(t, xml.EscapeText(&want, []byte(s)))
		assert.Equal(t, want.String(), string(appendXMLText([]byte("x"), s))[1:], "%q", s)
	}
}

// FuzzAppendXMLText: appendXMLText is EscapeText, on any input.
func FuzzAppendXMLText(f *testing.F) {
	f.Add(`<p class="a">x &amp; y</p>` + "\n\t\r\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendXMLText(nil, s); string(got) != want.String() {
			t.Fatalf("%q: got %q, want %q", s, got, want.String())
		}
	})
}

// checkAtomEntry requires encodeContent's Atom entry to be the bytes of the
// entry encoded whole, for the item with the given title, summary and
// content, set as they are (not cleaned), so that a field may even hold
// the mark or its element.
func checkAtomEntry(t testing.TB, title, summary, content string, short bool) {
	t.Helper()
	cat, it := encodeCatalog(t, title, summary)
	got, err := cat.encodeContent(it, Atom, content, short)
	require.NoError(t, err)
	e := cat.atomEntry(it, content)
	if short {
		e.Summary = nil
	}
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	enc.Indent("  ", "  ")
	require.NoError(t, enc.Encode(e))
	require.Equal(t, b.String(), string(got))
}

// TestEncodeAtomEntry covers the ways the content's own escaping could part
// from the whole entry's: markup, white space references, invalid UTF-8
// and characters XML does not allow, and the mark and its element in the
// content and in other fields.
func TestEncodeAtomEntry(t *testing.T) {
	for _, c := range []struct{ title, summary, content string }{
		{"Title", "Summary", "<p>Body &amp; more</p>"},
		{"Title", "", ""},
		{"Title", "Summary", "line\nbreaks\r\tand\u2028separators<script>&</script>'\""},
		{"Title", "Summary", "invalid \xff\xfe UTF-8 and NUL \x00 and \x1f and \ufffe"},
		{"Title", "Summary", atomContentMark},
		{"Title", "Summary", string(markedAtomContent)},
		{atomContentMark, "Summary", "<p>Body</p>"},
		{"Title", string(markedAtomContent), "<p>Body</p>"},
		{string(markedAtomContent), atomContentMark, atomContentMark},
	} {
		checkAtomEntry(t, c.title, c.summary, c.content, false)
		checkAtomEntry(t, c.title, c.summary, c.content, true)
	}
}

func FuzzEncodeAtomEntry(f *testing.F) {
	f.Add("Title", "Summary", "<p>Body &amp; more</p>", false)
	f.Add(atomContentMark, "", string(markedAtomContent)+"\xff\r", true)
	f.Fuzz(func(t *testing.T, title, summary, content string, short bool) {
		checkAtomEntry(t, title, summary, content, short)
	})
}
