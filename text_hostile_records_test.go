package curafeed

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// hostileTextFS holds the text records of testdata/hostile (text-*.md).
func hostileTextFS(t *testing.T) fstest.MapFS {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "hostile", "text-*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	fsys := fstest.MapFS{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		require.NoError(t, err)
		fsys[filepath.Base(name)] = &fstest.MapFile{Data: data}
	}
	return fsys
}

// hostileEntry is an item of a feed as a reader gets it: every field
// decoded from the feed's syntax, HTML fields still HTML.
type hostileEntry struct {
	Title, Summary, SummaryHTML, Content string
	Authors, Categories                  []string
}

func parseRSSEntries(t *testing.T, data []byte) []hostileEntry {
	var doc struct {
		Items []struct {
			Title       string   `xml:"title"`
			Description string   `xml:"description"`
			Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
		} `xml:"channel>item"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	var out []hostileEntry
	for _, it := range doc.Items {
		out = append(out, hostileEntry{Title: it.Title, SummaryHTML: it.Description, Content: it.Content, Authors: it.Creators, Categories: it.Categories})
	}
	return out
}

func parseAtomEntries(t *testing.T, data []byte) []hostileEntry {
	type text struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	}
	var doc struct {
		Entries []struct {
			Title      text     `xml:"title"`
			Summary    text     `xml:"summary"`
			Content    text     `xml:"content"`
			Authors    []string `xml:"author>name"`
			Categories []struct {
				Term string `xml:"term,attr"`
			} `xml:"category"`
		} `xml:"entry"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	var out []hostileEntry
	for _, e := range doc.Entries {
		assert.Equal(t, "text", e.Title.Type)
		if e.Summary.Text != "" {
			assert.Equal(t, "text", e.Summary.Type)
		}
		h := hostileEntry{Title: e.Title.Text, Summary: e.Summary.Text, Content: e.Content.Text, Authors: e.Authors}
		for _, c := range e.Categories {
			h.Categories = append(h.Categories, c.Term)
		}
		out = append(out, h)
	}
	return out
}

func parseJSONEntries(t *testing.T, data []byte) []hostileEntry {
	var doc struct {
		Items []struct {
			Title       string `json:"title"`
			Summary     string `json:"summary"`
			ContentHTML string `json:"content_html"`
			Authors     []struct {
				Name string `json:"name"`
			} `json:"authors"`
			Tags []string `json:"tags"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	var out []hostileEntry
	for _, it := range doc.Items {
		h := hostileEntry{Title: it.Title, Summary: it.Summary, Content: it.ContentHTML, Categories: it.Tags}
		for _, a := range it.Authors {
			h.Authors = append(h.Authors, a.Name)
		}
		out = append(out, h)
	}
	return out
}

// badTextRune reports a character that no text of a feed may hold.
func badTextRune(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || 0x7f <= r && r <= 0x9f && r != 0x85 ||
		0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069 || r == 0xfeff || 0xfdd0 <= r && r <= 0xfdef || r&0xfffe == 0xfffe ||
		r == utf8.RuneError
}

// checkHostileText checks one decoded text of a feed, and for HTML the text
// its references decode to: valid, NFC, no forbidden character.
func checkHostileText(t *testing.T, where, s string) {
	t.Helper()
	for _, v := range []string{s, html.UnescapeString(s)} {
		assert.True(t, utf8.ValidString(v), "%s: invalid UTF-8 in %q", where, v)
		for _, r := range v {
			if badTextRune(r) {
				assert.Fail(t, "forbidden character", "%s: %U in %q", where, r, v)
				break
			}
		}
		assert.True(t, norm.NFC.IsNormalString(v), "%s: not NFC: %q", where, v)
	}
}

// TestHostileTextRecords loads the text records of testdata/hostile through
// the library and checks what readers get in RSS, Atom and JSON Feed.
func TestHostileTextRecords(t *testing.T) {
	cfg := Config{SiteURL: "https://hostile.example", Title: "Hostile"}
	recs, err := Load(hostileTextFS(t), cfg)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)

	// One topic feed for the NFC and the NFD spelling of one topic.
	var cafe []*Feed
	for _, f := range cat.Feeds {
		if f.kind == kindTopic && strings.Contains(f.Title, "Society") {
			cafe = append(cafe, f)
		}
	}
	require.Len(t, cafe, 1, "NFC and NFD spellings of a topic make one feed")
	assert.Len(t, cafe[0].Items, 2)
	assert.Equal(t, "Café Society", cafe[0].Topic.Term)

	all := feedOf(cat, "all")
	require.NotNil(t, all)
	t.Run("browser view", func(t *testing.T) {
		xsltproc, err := exec.LookPath("xsltproc")
		if err != nil {
			t.Skip("xsltproc not installed (Debian package xsltproc)")
		}
		dir := t.TempDir()
		xsl := filepath.Join(dir, stylesheetPath)
		require.NoError(t, os.WriteFile(xsl, render(t, cat.writeStylesheet), 0o644))
		for _, format := range []Format{RSS, Atom} {
			feed := filepath.Join(dir, format.fileName())
			require.NoError(t, os.WriteFile(feed, render(t, func(w io.Writer) error { return all.Write(w, format) }), 0o644))
			page, err := exec.Command(xsltproc, "--nonet", xsl, feed).Output()
			require.NoError(t, err)
			// checkFeedPage requires each item's summary, as typed, in the
			// text of the page.
			checkFeedPage(t, all, format, page)
			assert.Contains(t, elementsText(elements(t, page), "p", "summary"), "R&D, M&A and 5 < 6 > 4 in a summary\n")
			assert.Contains(t, elementsText(elements(t, page), "p", "summary"), "the state faces. Read on example.com")
		}
	})
	for _, format := range Formats() {
		data, err := all.render(format)
		require.NoError(t, err)
		var entries []hostileEntry
		switch format {
		case RSS:
			entries = parseRSSEntries(t, data)
		case Atom:
			entries = parseAtomEntries(t, data)
		default:
			entries = parseJSONEntries(t, data)
		}
		require.Len(t, entries, len(recs.Items), format)
		byMarker := map[string]hostileEntry{}
		for _, e := range entries {
			where := format.String() + " " + e.Title
			for _, s := range append(append([]string{e.Title, e.Summary, e.SummaryHTML, e.Content}, e.Authors...), e.Categories...) {
				checkHostileText(t, where, s)
			}
			if format == RSS {
				// The description is HTML: its text is the summary.
				assert.NotContains(t, e.SummaryHTML, "<", where)
				e.Summary = html.UnescapeString(e.SummaryHTML)
			}
			marker, _, _ := strings.Cut(e.Title, " ")
			byMarker[marker] = e
		}
		t.Run(format.String(), func(t *testing.T) {
			checkHostileEntries(t, byMarker)
		})
	}
}

func checkHostileEntries(t *testing.T, byMarker map[string]hostileEntry) {
	get := func(marker string) hostileEntry {
		e, ok := byMarker[marker]
		require.True(t, ok, "no item with %s", marker)
		return e
	}

	bidi := get("HOSTILE-TEXT-BIDI-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-BIDI-MARKER Invoice gpj.exe", bidi.Title)
	assert.Equal(t, "Click gpj.exe txt.bat, عربي\u061c (1) שלום\u200f (2) a\u200eb", bidi.Summary)
	assert.Contains(t, bidi.Content, "Open Invoice gpj.exe now. isolate first.")
	assert.Contains(t, bidi.Content, `alt="photogpj.exe"`)
	assert.Contains(t, bidi.Content, "Hebrew שלום\u200f and Arabic مرحبا\u061c and LRM a\u200eb stay.")
	assert.Contains(t, bidi.Authors, "Jane Curator")
	assert.Contains(t, bidi.Content, `References: abcde <abbr title="xyz">refs</abbr>.`)

	raw := get("HOSTILE-TEXT-C1RAW-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-C1RAW-MARKER Raw C1 controls here", raw.Title)
	assert.Equal(t, "Summary with raw C1 controls", raw.Summary)
	assert.Contains(t, raw.Content, "Body with raw C1 controls.")
	assert.Contains(t, raw.Content, `alt="alt text"`)

	ref := get("HOSTILE-TEXT-C1REF-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-C1REF-MARKER €5 “quoted” – ™ œuvre", ref.Title)
	assert.Equal(t, "Price €10 … dash—dash, undefined gone", ref.Summary)
	assert.Contains(t, ref.Authors, "Ann Smith")
	assert.Contains(t, ref.Content, "Body €5 – it’s fine.")
	assert.Contains(t, ref.Content, `alt="“Alt” – xy"`)

	nonchar := get("HOSTILE-TEXT-NONCHAR-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-NONCHAR-MARKER Nonchars and BOMinside", nonchar.Title)
	assert.Equal(t, "Plane one and BMP refs bom", nonchar.Summary)
	assert.Contains(t, nonchar.Content, "Body nonchar and BOMinside, refs done.")

	nfd := get("HOSTILE-TEXT-NFD-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-NFD-MARKER Topic spelled in NFD Café", nfd.Title)
	assert.Equal(t, "Café in NFD", nfd.Summary)
	assert.Contains(t, nfd.Content, `Café in NFD, <abbr title="Café">Café</abbr>.`)
	assert.Contains(t, strings.Join(nfd.Categories, "|"), "Café Society")
	get("HOSTILE-TEXT-NFC-MARKER")

	neg := get("HOSTILE-TEXT-MOJIBAKE-NEG-MARKER")
	negText := "SÃO PAULO e ÎNVĂȚĂMÂNT; NESTLÉ®; JOSÉ’S CAFÉ; AMANHÃ”; SELKÄ\u00a0EDELLÄ\u00a0MAAHAN; " +
		"4288×… and 5×£35; Η ¨ανατροφή¨ δυστυχώς; Hyvää päivää\u00a0– sanoi hän; Hyvää\u00a0»; " +
		"Äänestys HÄÄT ÄÄNI; Brontë…”; ESSE CARA AI QUEM É¿; TEM QUE SEGUIR, SDV SÓ…; " +
		"Größe – Straße„ ÜBER™; İSTANBUL’DA; GÓÐ” MEÐ…; ŻÓŁĆ…; Žluťoučký kůň; AHÅ™; a radius of 10 Å—"
	assert.Equal(t, "HOSTILE-TEXT-MOJIBAKE-NEG-MARKER SÃO PAULO ÎNVĂȚĂMÂNT NESTLÉ® SELKÄ EDELLÄ 4288×… 5×£35", neg.Title)
	assert.Equal(t, strings.Join(strings.Fields(negText), " "), neg.Summary, "plain text collapses the no-break spaces")
	assert.Contains(t, html.UnescapeString(neg.Content), negText, "HTML keeps every byte")
	assert.Contains(t, html.UnescapeString(neg.Content), "SÃO PAULO SELKÄ\u00a0EDELLÄ ×…")
	assert.Contains(t, neg.Authors, "José Müller")

	pos := get("HOSTILE-TEXT-MOJIBAKE-POS-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-MOJIBAKE-POS-MARKER Becker’s “quoted” café", pos.Title)
	assert.Equal(t, "Double: Iggy Pop (né Jim), doesn’t; entity: été; lost quote: “end”", pos.Summary)
	assert.Contains(t, pos.Content, "Becker’s “Hospital” Review, café, “double”, Becker’s.")
	assert.Contains(t, pos.Content, `alt="Müller’s café"`)
	assert.Contains(t, pos.Content, `title="“Title”"`)
	assert.Contains(t, pos.Content, `alt="Becker’s été"`)
	assert.Contains(t, pos.Authors, "Jürgen Müller")
	assert.Contains(t, pos.Categories, "São Paulo")
	assert.Contains(t, pos.Categories, "naïve")

	boundary := get("HOSTILE-TEXT-HTMLBOUNDARY-MARKER")
	assert.Equal(t, "HOSTILE-TEXT-HTMLBOUNDARY-MARKER R&D, M&A and 5 < 6", boundary.Title)
	assert.Equal(t, "R&D, M&A and 5 < 6 > 4 in a summary", boundary.Summary)

	flat := get("HOSTILE-TEXT-FLATTENED-MARKER")
	assert.Equal(t, "A new model will place precise dollar amounts on the risks the state faces. Read on example.com", flat.Summary)

	body := get("HOSTILE-TEXT-BODYSUMMARY-MARKER")
	if body.Summary != "" { // Atom and RSS carry it; JSON Feed too
		assert.Equal(t, "First line. Second line third Para one Para two item one item two Block end", body.Summary)
	}
}
