package curafeed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/feeds"
	"github.com/stretchr/testify/require"
)

// The writers of marshal.go must give what encoding/xml and encoding/json
// give for the same struct. These tests fill every field of the structs,
// those the writers skip because gorilla's embedding shadows them included,
// with strings that need escaping, empty ones (omitempty) and nil or
// several of each pointer and slice, and compare the bytes.

// filler sets a struct's fields at random from a few strings.
type filler struct {
	rng  *rand.Rand
	strs []string
	// refused names the fields the writers hand back to the reflecting
	// encoders (fields curafeed never sets); left zero unless set.
	refused map[string]bool
}

var tricky = []string{
	"", "", "plain", `<a href="x">'q' & b</a>`, "tab\tnew\nline\rcr\b\f", "\x00\x01\x1f\x7f",
	"é—\u2028\u2029\U0001F600", "\xff\xfe", "a\xc3", "\uFFFD\uFFFE", "]]>", "x]]>y]]]>", `"\"\\`,
	"</item>", "&amp;", "https://community.example.org/a?b=1&c=2",
}

func (f *filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.strs[f.rng.IntN(len(f.strs))])
	case reflect.Int:
		v.SetInt([]int64{0, 0, 1, 60, -3}[f.rng.IntN(5)])
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			zones := []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+30*60+7), time.FixedZone("", 25*3600)}
			sec := []int64{0, 1700000000, -62167219200, 253402300800, 1700000000}[f.rng.IntN(5)]
			v.Set(reflect.ValueOf(time.Unix(sec, int64(f.rng.IntN(3))*123456789).In(zones[f.rng.IntN(len(zones))])))
			return
		}
		if v.Type() == reflect.TypeFor[xml.Name]() {
			return
		}
		for i := range v.NumField() {
			if !f.refused[v.Type().Field(i).Name] {
				f.fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		if f.rng.IntN(4) == 0 {
			return // nil
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		n := f.rng.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i))
		}
		v.Set(s)
	}
}

func newFiller(seed uint64, strs ...string) *filler {
	return &filler{
		rng:     rand.New(rand.NewPCG(seed, seed>>7)),
		strs:    append(strs, tricky...),
		refused: map[string]bool{"Contributor": true, "Image": true, "TextInput": true, "Attachments": true},
	}
}

func reflectXML(t testing.TB, v any, prefix string) string {
	t.Helper()
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	enc.Indent(prefix, "  ")
	require.NoError(t, enc.Encode(v))
	return b.String()
}

// reflectJSON is v as encoding/json writes it indented after prefix, or
// the error it gives.
func reflectJSON(v any, prefix string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, "  ")
	err := enc.Encode(v)
	return b.String(), err
}

func reflectDocString(t testing.TB, v any, stylesheet string) string {
	t.Helper()
	b, err := reflectDoc(v, stylesheet)
	require.NoError(t, err)
	return string(b)
}

// checkMarshal compares the writers with the reflecting encoders on
// structs filled from seed and the given strings.
func checkMarshal(t testing.TB, seed uint64, strs ...string) {
	t.Helper()
	f := newFiller(seed, strs...)

	var ri rssItem
	f.fill(reflect.ValueOf(&ri).Elem())
	w := xmlWriter{prefix: "    "}
	w.rssItem(&ri)
	require.Equal(t, reflectXML(t, &ri, "    "), string(w.b), "RSS item %+v", ri)

	var e atomEntry
	f.fill(reflect.ValueOf(&e).Elem())
	w = xmlWriter{prefix: "  "}
	require.True(t, w.atomEntry(&e))
	require.Equal(t, reflectXML(t, &e, "  "), string(w.b), "Atom entry %+v", e)

	var ji jsonItem
	f.fill(reflect.ValueOf(&ji).Elem())
	want, err := reflectJSON(&ji, "    ")
	got, ok := appendJSONItem([]byte("x"), &ji)
	require.Equal(t, err == nil, ok, "JSON item %+v: %v", ji, err)
	if ok {
		require.Equal(t, want, string(got[1:])+"\n", "JSON item %+v", ji)
	} else {
		require.Equal(t, "x", string(got))
	}

	style := f.strs[f.rng.IntN(len(f.strs))]
	var rd rssDoc
	f.fill(reflect.ValueOf(&rd).Elem())
	got, ok = appendRSSDoc(nil, &rd, style)
	require.True(t, ok)
	require.Equal(t, reflectDocString(t, &rd, style), string(got), "RSS document %+v", rd)

	var ad atomFeed
	f.fill(reflect.ValueOf(&ad).Elem())
	got, ok = appendAtomDoc(nil, &ad, style)
	require.True(t, ok)
	require.Equal(t, reflectDocString(t, &ad, style), string(got), "Atom document %+v", ad)

	f.refused["Items"] = true
	var jf jsonFeed
	f.fill(reflect.ValueOf(&jf).Elem())
	if f.rng.IntN(2) == 0 {
		jf.Items = []*jsonItem{}
	}
	want, err = reflectJSON(&jf, "")
	require.NoError(t, err)
	got, ok = appendJSONFrame(nil, &jf)
	require.True(t, ok)
	require.Equal(t, want, string(got), "JSON feed %+v", jf)
}

func TestMarshal(t *testing.T) {
	for seed := range uint64(500) {
		checkMarshal(t, seed)
	}
}

func FuzzMarshal(f *testing.F) {
	f.Add(uint64(1), "<p>a &amp; b</p>", "]]>", "\u2028")
	f.Fuzz(func(t *testing.T, seed uint64, a, b, c string) {
		checkMarshal(t, seed, a, b, c)
	})
}

// TestMarshalRefused: what the writers do not write, they refuse, having
// appended nothing.
func TestMarshalRefused(t *testing.T) {
	w := xmlWriter{}
	require.False(t, w.atomEntry(&atomEntry{AtomEntry: feeds.AtomEntry{Contributor: &feeds.AtomContributor{}}}))
	require.Empty(t, w.b)
	for _, ch := range []*rssChannel{{RssFeed: feeds.RssFeed{Image: &feeds.RssImage{}}}, {RssFeed: feeds.RssFeed{TextInput: &feeds.RssTextInput{}}}} {
		b, ok := appendRSSDoc([]byte("x"), &rssDoc{Channel: ch}, "")
		require.False(t, ok)
		require.Equal(t, "x", string(b))
	}
	for _, d := range []*atomFeed{
		{AtomFeed: feeds.AtomFeed{Contributor: &feeds.AtomContributor{}}},
		{Entries: []*atomEntry{{}, {AtomEntry: feeds.AtomEntry{Contributor: &feeds.AtomContributor{}}}}},
	} {
		b, ok := appendAtomDoc([]byte("x"), d, "")
		require.False(t, ok)
		require.Equal(t, "x", string(b))
	}
	b, ok := appendJSONItem([]byte("x"), &jsonItem{JSONItem: feeds.JSONItem{Attachments: []feeds.JSONAttachment{{}}}})
	require.False(t, ok)
	require.Equal(t, "x", string(b))
	b, ok = appendJSONFrame([]byte("x"), &jsonFeed{Items: []*jsonItem{{}}})
	require.False(t, ok)
	require.Equal(t, "x", string(b))
}

// encodeCatalog returns a catalog of one item, with the title and summary
// then set as they are (not cleaned), so that a field may hold what the
// cleaning never lets through.
func encodeCatalog(t testing.TB, title, summary string) (*Catalog, *Item) {
	t.Helper()
	it := codeItem("urn:uuid:00000000-0000-4000-8000-000000000001", "Title")
	it.Authors, it.Tags = []string{"A. Curator"}, []string{"news"}
	cat, err := Build([]*Item{it}, Config{SiteURL: "https://community.example.org", Title: "Site"})
	require.NoError(t, err)
	it.Title, it.Summary = title, summary
	return cat, it
}

// checkEncodeItem requires encodeContent to give, in each format, the bytes
// of encoding the item's struct with encoding/xml or encoding/json, for
// the item with the given title, summary and content.
func checkEncodeItem(t testing.TB, title, summary, content string, short bool) {
	t.Helper()
	cat, it := encodeCatalog(t, title, summary)
	got, err := cat.encodeContent(it, RSS, content, short)
	require.NoError(t, err)
	require.Equal(t, reflectXML(t, cat.rssItem(it, content), "    "), string(got))

	got, err = cat.encodeContent(it, Atom, content, short)
	require.NoError(t, err)
	e := cat.atomEntry(it, content)
	if short {
		e.Summary = nil
	}
	require.Equal(t, reflectXML(t, e, "  "), string(got))

	got, err = cat.encodeContent(it, JSON, content, short)
	require.NoError(t, err)
	want, err := reflectJSON(cat.jsonItem(it, content), "    ")
	require.NoError(t, err)
	require.Equal(t, want, string(got)+"\n")
	var v map[string]any
	require.NoError(t, json.Unmarshal(got, &v), "%s", got)
	if content != "" {
		require.Equal(t, []rune(content), []rune(v["content_html"].(string))) // invalid UTF-8 reads back as U+FFFD both ways
	}
}

// TestEncodeItem covers what escaping could get wrong in each format:
// markup, quotes and backslashes, white space and line separators, the
// end of a CDATA section, invalid UTF-8 and characters XML does not allow.
func TestEncodeItem(t *testing.T) {
	for _, c := range []struct{ title, summary, content string }{
		{"Title", "Summary", "<p>Body &amp; more</p>"},
		{"Title", "", ""},
		{"Title", "Summary", "quotes \" and \\ backslashes \\\" and / slashes"},
		{"Title", "Summary", "line\nbreaks\r\tand\u2028separators\u2029<script>&</script>'\""},
		{"Title", "Summary", "invalid \xff\xfe UTF-8 and NUL \x00 and \x1f and \ufffe"},
		{"Title", "Summary", "<p>a]]>b]]]>c</p>]]>"},
		{"]]></title>", `"content_html": "x"`, `<content type="html">x</content>`},
		{"R&amp;D", "&#34; 5 < 6", "<p>Body</p>"},
	} {
		checkEncodeItem(t, c.title, c.summary, c.content, false)
		checkEncodeItem(t, c.title, c.summary, c.content, true)
	}
}

func FuzzEncodeItem(f *testing.F) {
	f.Add("Title", "Summary", "<p>Body &amp; more</p>", false)
	f.Add("]]>", "", "\u2028\xff\"\\]]>", true)
	f.Fuzz(func(t *testing.T, title, summary, content string, short bool) {
		checkEncodeItem(t, title, summary, content, short)
	})
}

// TestAppendXMLText requires appendXMLText to escape exactly as
// encoding/xml's EscapeText does.
func TestAppendXMLText(t *testing.T) {
	edges := []string{
		"", "plain", `<a href="x">'q' & b</a>`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"é—\u2028\U0001F600", "\xff\xfe", "a\xc3", "\xed\xa0\x80", "\uFFFD\uFFFE\uFFFF", "\ufdd0",
		"]]>", "&#34;",
	}
	for c := range 0x80 {
		edges = append(edges, string(rune(c)))
	}
	for _, s := range edges {
		// Every edge at every offset of the eight bytes appendXMLText reads
		// at a time, between plain words.
		for pad := range 9 {
			for _, in := range []string{s, "abcdefgh"[:pad] + s, "abcdefgh"[:pad] + s + " plain words" + s + "abcdefghij"[pad:]} {
				var want bytes.Buffer
				require.NoError(t, xml.EscapeText(&want, []byte(in)))
				require.Equal(t, want.String(), string(appendXMLText([]byte("x"), in))[1:], "%q", in)
			}
		}
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

// TestAppendJSONString requires appendJSONString to write a string as
// encoding/json does without HTML escaping, for every ASCII character,
// the separators, invalid UTF-8 and surrogates.
func TestAppendJSONString(t *testing.T) {
	var all []byte
	for c := range 0x80 {
		all = append(all, byte(c))
	}
	edges := []string{string(all), "é\u2028\u2029\U0001F600\u2027\u202a", "\xff\xfea\xc3", "\xed\xa0\x80", "<&>"}
	for c := range 0x80 {
		edges = append(edges, string(rune(c)))
	}
	for _, s := range edges {
		// Every edge at every offset of the eight bytes appendJSONString
		// reads at a time, between plain words.
		for pad := range 9 {
			for _, in := range []string{s, "abcdefgh"[:pad] + s, "abcdefgh"[:pad] + s + " plain words" + s + "abcdefghij"[pad:]} {
				want, err := reflectJSON(in, "")
				require.NoError(t, err)
				require.Equal(t, want, string(appendJSONString(nil, in))+"\n", "%q", in)
			}
		}
	}
}

// FuzzAppendJSONString: appendJSONString is encoding/json's string, on any
// input.
func FuzzAppendJSONString(f *testing.F) {
	f.Add(`<p class="a">x &amp; y \ "q"</p>` + "\n\t\r\x00\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := reflectJSON(s, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendJSONString(nil, s)) + "\n"; got != want {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
	})
}

// benchContent is an item's content as the escaping benchmarks take it:
// sanitized HTML with quotes, entities and non-ASCII text.
func benchContent() string {
	var body strings.Builder
	for range 60 {
		body.WriteString(`<p>Clinicians reported spending less time on “prior authorization” &amp; documentation, `)
		body.WriteString(`per the <a href="https://example.org/report?id=7&amp;x=1">Beckers’ report</a> — a 12% drop.</p>` + "\n")
	}
	return body.String()
}

// BenchmarkAppendXMLText escapes an item's content as an Atom entry
// carries it: sanitized HTML with quotes, entities and non-ASCII text.
func BenchmarkAppendXMLText(b *testing.B) {
	s := benchContent()
	b.SetBytes(int64(len(s)))
	dst := make([]byte, 0, 2*len(s))
	for b.Loop() {
		dst = appendXMLText(dst[:0], s)
	}
}

// BenchmarkAppendJSONString escapes an item's content as a JSON Feed item
// carries it: the body of BenchmarkAppendXMLText.
func BenchmarkAppendJSONString(b *testing.B) {
	s := benchContent()
	b.SetBytes(int64(len(s)))
	dst := make([]byte, 0, 2*len(s))
	for b.Loop() {
		dst = appendJSONString(dst[:0], s)
	}
}
