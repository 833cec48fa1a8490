package curafeed

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTopicNFCAndNFDOneFeed checks that two records whose topics differ only
// in Unicode normalization land in one topic feed.
func TestTopicNFCAndNFDOneFeed(t *testing.T) {
	nfc, nfd := "Café Society", "Cafe\u0301 Society"
	require.NotEqual(t, nfc, nfd)
	fsys := fstest.MapFS{
		"communities/arts/curated-content/one.md": rec("One", "2021-01-01", "id: 1\nbasePath: /communities/arts/curated-content/\nslug: one\ncommunityTopics:\n- 'Culture: "+nfc+"'\n"),
		"communities/arts/curated-content/two.md": rec("Two", "2021-01-02", "id: 2\nbasePath: /communities/arts/curated-content/\nslug: two\ncommunityTopics:\n- 'Culture: "+nfd+"'\n"),
	}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	require.Len(t, recs.Items, 2)
	cat, err := Build(recs.All(), testConfig)
	require.NoError(t, err)
	var topicFeeds []*Feed
	for _, f := range cat.Feeds {
		if f.kind == kindTopic {
			topicFeeds = append(topicFeeds, f)
		}
	}
	require.Len(t, topicFeeds, 1, "one topic, one feed")
	assert.Len(t, topicFeeds[0].Items, 2)
	assert.Equal(t, nfc, topicFeeds[0].Topic.Term)
	for _, format := range Formats() {
		out, err := topicFeeds[0].render(format)
		require.NoError(t, err)
		assert.NotContains(t, string(out), nfd, format)
	}
}

// TestSummaryKeepsWordBoundaries checks that a description that is the
// body's text with its line breaks lost takes its word boundaries back from
// the body.
func TestSummaryKeepsWordBoundaries(t *testing.T) {
	for _, tt := range []struct{ name, desc, body, want string }{
		{"break lost", "the state faces.Read on statescoop.com", `the state faces.<br><br><a target="_blank" href=https://statescoop.com/a/>Read on statescoop.com</a>`, "the state faces. Read on statescoop.com"},
		{"paragraphs lost", "First part.Second part", "<p>First part.</p><p>Second part</p>", "First part. Second part"},
		{"description is the start of the body", "One.Two", "<div>One.</div><div>Two and more</div>", "One. Two"},
		{"description differs from the body", "Abbrev.Is kept", "<p>Something else.</p>", "Abbrev.Is kept"},
		{"no body", "U.S.Only", "", "U.S.Only"},
		{"inline tags join", "Bold.Text", "<b>Bold.</b>Text", "Bold.Text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "---\ntitle: T\ndate: 2021-01-01\ndescription: '" + tt.desc + "'\n---\n" + tt.body + "\n"
			it, _, err := parseTest(t, "a.md", src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, it.Summary)
		})
	}
	t.Run("summary from the body", func(t *testing.T) {
		it, _, err := parseTest(t, "a.md", "---\ntitle: T\ndate: 2021-01-01\n---\nfaces.<br><br><a href=https://statescoop.com/>Read on</a><p>Next</p><ul><li>one</li><li>two</li></ul>\n")
		require.NoError(t, err)
		assert.Equal(t, "faces. Read on Next one two", it.Summary)
	})
}

// TestPlainTextInHTMLFields checks that plain text written to a field that
// readers take as HTML (the RSS description) is escaped, so that it reads as
// typed, while plain-text fields carry it as is.
func TestPlainTextInHTMLFields(t *testing.T) {
	date := time.Date(2021, 1, 2, 3, 4, 5, 0, time.UTC)
	summary := `R&D and M&A: 5 < 6 > 4, "<b>not bold</b>" &amp; more`
	it := &Item{
		ID: "urn:x:1", Title: "R&D <b>title</b>", Summary: summary, URL: "https://www.example.org/communities/c/curated-content/x/",
		Published: date, Updated: date,
	}
	cat, err := Build([]*Item{it}, testConfig)
	require.NoError(t, err)
	f := feedOf(cat, "all")
	rss, err := f.render(RSS)
	require.NoError(t, err)
	// The description is HTML: the summary is escaped for HTML, then for XML.
	assert.Contains(t, string(rss), "<description>R&amp;amp;D and M&amp;amp;A: 5 &amp;lt; 6 &amp;gt; 4, &#34;&amp;lt;b&amp;gt;not bold&amp;lt;/b&amp;gt;&#34; &amp;amp;amp; more</description>")
	// Titles are plain text in RSS 2.0: escaped for XML only.
	assert.Contains(t, string(rss), "<title>R&amp;D &lt;b&gt;title&lt;/b&gt;</title>")
	atom, err := f.render(Atom)
	require.NoError(t, err)
	// In Atom, text that reads like markup ("</b>", "&amp;") is type="html",
	// escaped for HTML, then for XML.
	assert.Contains(t, string(atom), `<summary type="html">R&amp;amp;D and M&amp;amp;A: 5 &amp;lt; 6 &amp;gt; 4, &amp;#34;&amp;lt;b&amp;gt;not bold&amp;lt;/b&amp;gt;&amp;#34; &amp;amp;amp; more</summary>`)
	js, err := f.render(JSON)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"summary": "R&D and M&A: 5 < 6 > 4, \"<b>not bold</b>\" &amp; more"`)
	assert.Contains(t, string(js), `"content_text": "R&D and M&A`)
	assert.NotContains(t, string(js), `"content_html"`)
}
