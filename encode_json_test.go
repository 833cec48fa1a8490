package curafeed

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// wholeJSONItem is an item's JSON as encoding it whole gives it: what
// encodeJSONItem must give, byte for byte.
func wholeJSONItem(t testing.TB, c *Catalog, it *Item, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	require.NoError(t, enc.Encode(c.jsonItem(it, content)))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// encodeCatalog returns a catalog of one item, with the title and summary
// then set as they are (not cleaned), so that a field may even hold a mark
// the encoders use.
func encodeCatalog(t testing.TB, title, summary string) (*Catalog, *Item) {
	t.Helper()
	it := codeItem("urn:uuid:00000000-0000-4000-8000-000000000001", "Title")
	it.Authors, it.Tags = []string{"A. Curator"}, []string{"news"}
	cat, err := Build([]*Item{it}, Config{SiteURL: "https://community.example.org", Title: "Site"})
	require.NoError(t, err)
	it.Title, it.Summary = title, summary
	return cat, it
}

// checkJSONItem requires encodeJSONItem to give the bytes of the whole
// encoding for the item with the given title, summary and content, set
// as they are (not cleaned), so that a field may even hold the mark.
func checkJSONItem(t testing.TB, title, summary, content string) {
	t.Helper()
	cat, it := encodeCatalog(t, title, summary)
	got, err := cat.encodeJSONItem(it, content)
	require.NoError(t, err)
	require.Equal(t, string(wholeJSONItem(t, cat, it, content)), string(got))
	var v map[string]any
	require.NoError(t, json.Unmarshal(got, &v), "%s", got)
	if content != "" {
		require.Equal(t, []rune(content), []rune(v["content_html"].(string))) // invalid UTF-8 reads back as U+FFFD both ways
	}
}

// TestEncodeJSONItem covers the ways the content's own encoding could part
// from the whole item's: escapes, line separators, invalid UTF-8, the mark
// and its encoded key and value in the content and in other fields.
func TestEncodeJSONItem(t *testing.T) {
	for _, c := range []struct{ title, summary, content string }{
		{"Title", "Summary", "<p>Body &amp; more</p>"},
		{"Title", "", ""},
		{"Title", "Summary", "quotes \" and \\ backslashes \\\" and / slashes"},
		{"Title", "Summary", "line\nbreaks\r\tand\u2028separators\u2029<script>&</script>"},
		{"Title", "Summary", "invalid \xff\xfe UTF-8 and NUL \x00 and \x1f"},
		{"Title", "Summary", contentMark},
		{"Title", "Summary", `"content_html": "\u0000curafeed-content\u0000"`},
		{contentMark, "Summary", "<p>Body</p>"},
		{"Title", contentMark, "<p>Body</p>"},
		{"Title", `"content_html": "` + contentMark + `"`, "<p>Body</p>"},
	} {
		checkJSONItem(t, c.title, c.summary, c.content)
	}
}

func FuzzEncodeJSONItem(f *testing.F) {
	f.Add("Title", "Summary", "<p>Body &amp; more</p>")
	f.Add(contentMark, "", "\u2028\xff\"\\")
	f.Fuzz(func(t *testing.T, title, summary, content string) {
		checkJSONItem(t, title, summary, content)
	})
}
