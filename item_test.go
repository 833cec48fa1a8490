package curafeed

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/curafeed/curafeed/internal/corpustest"
	"github.com/curafeed/curafeed/sanitize"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

var testSite, _ = url.Parse("https://www.example.org")

func parseTest(t *testing.T, name, src string) (*Item, ErrorList, error) {
	t.Helper()
	return parseRecord(name, []byte(src), parseOptions{SiteURL: testSite})
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC, or "" for an error
	}{
		{"2020-10-01T05:27:33.551628Z", "2020-10-01T05:27:33.551628Z"},
		{"2020-10-01T05:27:33Z", "2020-10-01T05:27:33Z"},
		{"2020-10-01T05:27:33+02:00", "2020-10-01T03:27:33Z"},
		{"2020-10-01T05:27:33.5-05:00", "2020-10-01T10:27:33.5Z"},
		{"2020-10-01T05:27:33", "2020-10-01T05:27:33Z"},
		{"2020-10-01T05:27:33.123", "2020-10-01T05:27:33.123Z"},
		{"2020-10-01", "2020-10-01T00:00:00Z"},
		{"2020-10-01 05:27:33", "2020-10-01T05:27:33Z"},
		{"2020-10-01 05:27:33.551628", "2020-10-01T05:27:33.551628Z"},
		{" 2020-10-01 ", "2020-10-01T00:00:00Z"},
		{"last tuesday", ""},
		{"2020-13-01", ""},
		{"01/10/2020", ""},
		{"2020-10-01T25:00:00Z", ""},
		{"", ""},
		// RSS, e-mail and WordPress forms.
		{"Thu, 01 Oct 2020 05:27:33 GMT", "2020-10-01T05:27:33Z"},         // RFC 1123
		{"Thu, 01 Oct 2020 05:27:33 UTC", "2020-10-01T05:27:33Z"},         // RFC 1123 (Go's UTC)
		{"Thu, 01 Oct 2020 07:27:33 +0200", "2020-10-01T05:27:33Z"},       // RFC 1123Z
		{"Thu, 1 Oct 2020 05:27:33 +0000", "2020-10-01T05:27:33Z"},        // WordPress, one-digit day
		{"Thu,  1 Oct 2020 05:27:33 -00:00", "2020-10-01T05:27:33Z"},      // offset with a colon
		{"thu, 01 OCT 2020 05:27:33 gmt", "2020-10-01T05:27:33Z"},         // any case
		{"01 Oct 2020 01:27:33 EDT", "2020-10-01T05:27:33Z"},              // no day of the week
		{"Thu, 01 Oct 20 05:27 UT", "2020-10-01T05:27:00Z"},               // RFC 822
		{"01 Oct 20 00:27 -0500", "2020-10-01T05:27:00Z"},                 // RFC 822Z
		{"Thursday, 01-Oct-20 05:27:33 GMT", "2020-10-01T05:27:33Z"},      // RFC 850
		{"Wednesday, 30-Sep-20 22:27:33 PDT", "2020-10-01T05:27:33Z"},     // RFC 850, Pacific
		{"Thu Oct  1 05:27:33 2020", "2020-10-01T05:27:33Z"},              // ANSI C
		{"Thu Oct  1 00:27:33 CDT 2020", "2020-10-01T05:27:33Z"},          // Unix date
		{"Wed Sep 30 21:27:33 PST 2020", "2020-10-01T05:27:33Z"},          // Unix date, Pacific
		{"Thu Oct 01 07:27:33 +0200 2020", "2020-10-01T05:27:33Z"},        // Ruby date
		{"Thu, 01 Oct 2020 05:27:33", "2020-10-01T05:27:33Z"},             // no zone: UTC
		{"Thu, 01 Oct 2020 05:27:33 +0000 (UTC)", "2020-10-01T05:27:33Z"}, // with an e-mail comment
		{"2020-10-01 07:27:33 +02:00", "2020-10-01T05:27:33Z"},            // YAML 1.1 timestamp
		{"2020-10-01 07:27:33.5 +02:00", "2020-10-01T05:27:33.5Z"},        // with a fraction
		{"2020-10-01T07:27:33+0200", "2020-10-01T05:27:33Z"},              // ISO 8601 basic offset
		{"2020-10-01 01:27:33 EDT", "2020-10-01T05:27:33Z"},               // a named zone
		{"2020-10-01 05:27:33 CET", ""},                                   // not an RFC 822 zone
		{"Thu, 01 Oct 2020 05:27:33 CET", ""},                             // not an RFC 822 zone
		{"Thu, 01 Oct 2020 05:27:33 IST", ""},                             // ambiguous
		{"Thu, 01 Oct 2020 05:27:33 A", ""},                               // military zones are refused
		{"Thu, 31 Feb 2020 05:27:33 GMT", ""},                             // no such day
		{"Thu, 01 Foo 2020 05:27:33 GMT", ""},                             // no such month
		{"Thu, 01 Oct 2020 05:27:33 GMT trailing", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseDate(tc.in)
			if tc.want == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, time.UTC, got.Location())
			assert.Equal(t, tc.want, got.Format(time.RFC3339Nano))
		})
	}
}

func TestParseTopicFolding(t *testing.T) {
	same := [][]string{
		{"Gartner: Cybersecurity", "gartner:  cybersecurity", "GARTNER : Cybersecurity ", "Gartner:\u00a0Cybersecurity"},
		{"Symplur: -hash-COVID19", "Symplur: #COVID19", "symplur: -HASH-covid19"},
		{"Medigy: Barriers & Guidelines", "Medigy: Barriers &amp; Guidelines", "Medigy:\u00a0Barriers\u00a0&\u00a0Guidelines"},
		{"Straße", "STRASSE"},
	}
	for _, group := range same {
		t0, ok := ParseTopic(group[0])
		require.True(t, ok)
		for _, s := range group[1:] {
			got, ok := ParseTopic(s)
			require.True(t, ok, s)
			assert.Equal(t, t0.Key, got.Key, "%q and %q should be one topic", group[0], s)
		}
	}
	different := [][2]string{
		{"KLAS: Telehealth", "Frost & Sullivan: TeleHealth"},
		{"Gartner: Cybersecurity", "KLAS: Cybersecurity"},
		{"Gartner: Cybersecurity", "Cybersecurity"},
		{"Symplur: #COVID19", "Symplur: COVID19"},
	}
	for _, d := range different {
		a, _ := ParseTopic(d[0])
		b, _ := ParseTopic(d[1])
		assert.NotEqual(t, a.Key, b.Key, "%q and %q must stay different topics", d[0], d[1])
	}
	tp, ok := ParseTopic("  Frost &amp; Sullivan :  TeleHealth ")
	require.True(t, ok)
	assert.Equal(t, "Frost & Sullivan", tp.Vocabulary)
	assert.Equal(t, "TeleHealth", tp.Term)
	assert.Equal(t, "Frost & Sullivan: TeleHealth", tp.Label())
	tp, _ = ParseTopic("Symplur: -hash-COVID19")
	assert.Equal(t, "Symplur: #COVID19", tp.Label())
	for _, empty := range []string{"", "   ", "Gartner:", "Gartner:  ", "<b></b>"} {
		_, ok := ParseTopic(empty)
		assert.False(t, ok, "%q", empty)
	}
}

// TestParseTopicMemo: a topic parsed again, from the memo, is what parsing
// it gives; long strings and strings past the memo's cap are parsed each
// time, to the same result.
func TestParseTopicMemo(t *testing.T) {
	topics := []string{
		"Gartner: Cybersecurity", "gartner:  cybersecurity", "Symplur: -hash-COVID19", "",
		"Gartner:", "<b>KLAS</b>: Tele&amp;health", "Beckerâ€™s: Health IT", "a\u202eb: c",
		"Medigy:\u00a0Barriers", strings.Repeat("Long topic ", 40),
	}
	for round := range 3 {
		for _, s := range topics {
			want, wantOK := parseTopic(s)
			got, ok := ParseTopic(s)
			require.Equal(t, wantOK, ok, "round %d: %q", round, s)
			require.Equal(t, want, got, "round %d: %q", round, s)
		}
	}
	_, memoized := topicMemo.m.Load(topics[0])
	assert.True(t, memoized)
	_, memoized = topicMemo.m.Load(topics[len(topics)-1])
	assert.False(t, memoized, "a string over topicMemoLen is not kept")
	for i := 0; topicMemo.n.Load() < topicMemoMax; i++ {
		ParseTopic(fmt.Sprintf("Filler: %d", i))
	}
	past := "Past the cap: Cybersecurity"
	got, ok := ParseTopic(past)
	want, wantOK := parseTopic(past)
	assert.Equal(t, wantOK, ok)
	assert.Equal(t, want, got)
	_, memoized = topicMemo.m.Load(past)
	assert.False(t, memoized)
	assert.Equal(t, int32(topicMemoMax), topicMemo.n.Load())
}

func TestParseSeedRecord(t *testing.T) {
	data, err := os.ReadFile("testdata/records/communities/chronic-care-management/curated-content/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb.md")
	require.NoError(t, err)
	it, warns, err := parseRecord("seed.md", data, parseOptions{SiteURL: testSite})
	require.NoError(t, err)
	assert.Empty(t, warns)
	assert.Equal(t, "urn:uuid:8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb", it.ID)
	assert.Equal(t, "3502", it.RecordID)
	assert.Equal(t, "Improving Cybersecurity in the Medical Industry", it.Title)
	assert.True(t, strings.HasPrefix(it.Summary, "Cybersecurity, so far, remains"))
	assert.True(t, strings.HasSuffix(it.Summary, "as much as $5.6"), it.Summary)
	assert.Equal(t, "2020-10-01T05:27:33.551628Z", it.Published.Format(time.RFC3339Nano))
	assert.Equal(t, "2020-10-01T05:27:51.487094Z", it.Updated.Format(time.RFC3339Nano))
	assert.Equal(t, Community{Slug: "chronic-care-management", Name: "Chronic Care Management (CCM)"}, it.Community)
	require.Len(t, it.Topics, 2, "communityTopics and medigyTopics name the same two topics")
	assert.Equal(t, "Medigy: Barriers & Guidelines", it.Topics[0].Label())
	assert.Equal(t, "Gartner: Cybersecurity", it.Topics[1].Label())
	assert.Equal(t, []string{"news"}, it.Tags)
	assert.Equal(t, []string{"Vinit @maxinovip.com"}, it.Authors)
	assert.Equal(t, "https://tbtech.co/improving-cybersecurity-in-the-medical-industry/", it.ExternalURL)
	assert.Equal(t, "tbtech.co", it.Brand)
	assert.Equal(t, "https://www.example.org/communities/chronic-care-management/curated-content/tbtech-improving-cybersecurity-in-the-medical-industry/", it.URL)
	require.NotNil(t, it.Image)
	assert.Equal(t, Image{
		URL:  "https://www.example.org/communities/chronic-care-management/curated-content/tbtech-improving-cybersecurity-in-the-medical-industry/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb-featuredImage.jpeg",
		Type: "image/jpeg", Alt: "Improving Cybersecurity in the Medical Industry", Width: 1000, Height: 688,
	}, *it.Image)
	assert.Equal(t, "curate-content", it.Archetype)
	assert.Equal(t, "", it.Status)
	html := it.ContentHTML()
	assert.Contains(t, html, "Becker’s Hospital Review")
	assert.NotContains(t, html, "â€")
	assert.True(t, strings.HasPrefix(html, "<p>"), html)
}

const minimal = "---\ntitle: A title\ndate: 2021-02-03\n---\nBody text.\n"

func TestParseRecordErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src   string
		line        int
		field, text string
	}{
		{"no title", "---\ndate: 2021-02-03\n---\n", 0, "title", "missing"},
		{"empty title", "---\ndate: 2021-02-03\ntitle: ' &nbsp; <b></b> '\n---\n", 3, "title", "empty"},
		{"bad date", "---\ntitle: x\ndate: last tuesday\n---\n", 3, "date", "not a date"},
		{"bad lastMod", "---\ntitle: x\ndate: 2021-01-01\nlastMod: '2021-99-01'\n---\n", 4, "lastMod", "not a date"},
		{"no dates", "---\ntitle: x\n---\n", 0, "date", "missing"},
		{"broken yaml", "---\ntitle: x\ndate: 2021-01-01\ndescription: 'unclosed\n---\n", 4, "front matter", "invalid YAML"},
		{"bad indentation", "---\ntitle: x\n  date: 2021-01-01\n---\n", 3, "front matter", "invalid YAML"},
		{"list front matter", "---\n- a\n- b\n---\n", 2, "front matter", "not a mapping"},
		{"unterminated", "---\ntitle: x\ndate: 2021-01-01\n", 1, "front matter", "never closed"},
		{"unterminated after blank lines", "\n \n---\ntitle: x\n", 3, "front matter", "opened on line 3 and never closed"},
		{"only a fence", "---", 1, "front matter", "never closed"},
		{"bom and unterminated", "\ufeff---\r\ntitle: x\r\n", 1, "front matter", "never closed"},
		{"garbage after the fence", "---\n\x00\xff\xfe garbage", 1, "front matter", "never closed"},
		{"fence with text", "--- title: x\ndate: 2021-01-01\n---\n", 1, "front matter", "alone on its line"},
		{"toml", "+++\ntitle = 'x'\n+++\n", 1, "front matter", "TOML"},
		{"utf-16", "\xff\xfe-\x00-\x00-\x00\n\x00", 0, "", "UTF-16"},
		{"utf-16 big-endian", "\xfe\xff\x00-\x00-\x00-\x00\n", 0, "", "UTF-16"},
		{"binary garbage", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 0, "", "not UTF-8 text"},
		{"invalid UTF-8", "caf\xe9 au lait\n", 0, "", "not UTF-8 text"},
		{"NUL bytes", "text\x00\x00more\n", 0, "", "not UTF-8 text"},
		{"empty front matter", "---\n---\nbody\n", 1, "front matter", "empty"},
		{"comments only", "---\n# nothing\n---\nbody\n", 1, "front matter", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, _, err := parseTest(t, "dir/rec.md", tc.src)
			require.Error(t, err)
			assert.Nil(t, it)
			var re *RecordError
			require.True(t, errors.As(err, &re))
			assert.Equal(t, "dir/rec.md", re.Path)
			assert.Equal(t, tc.line, re.Line, err.Error())
			assert.Equal(t, tc.field, re.Field)
			assert.Contains(t, err.Error(), tc.text)
			assert.True(t, strings.HasPrefix(err.Error(), "dir/rec.md:"), err.Error())
		})
	}
}

func TestParseNotRecords(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"dir/_index.md", "---\ntitle: Section\n---\n"},
		{"plain.md", "Just some text, no front matter.\n"},
		{"rule.md", "Text, then a rule:\n---\nmore text\n"},
		{"setext.md", "Heading\n----\ntext\n"},
		{"empty.md", ""},
		{"blank.md", " \n\r\n\t\n"},
	} {
		_, _, err := parseTest(t, tc.name, tc.src)
		require.Error(t, err, tc.name)
		assert.True(t, IsNotRecord(err), "%s: %v", tc.name, err)
	}
	_, _, err := parseTest(t, "x.md", "---\ntitle: x\n---\n")
	assert.False(t, IsNotRecord(err))
}

func TestParseFrontMatterVariants(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"plain", minimal},
		{"bom", "\ufeff" + minimal},
		{"crlf", strings.ReplaceAll(minimal, "\n", "\r\n")},
		{"trailing spaces", "---  \ntitle: A title\ndate: 2021-02-03\n--- \t\nBody text.\n"},
		{"dots end", "---\ntitle: A title\ndate: 2021-02-03\n...\nBody text.\n"},
		{"blank lines first", "\n  \r\n" + minimal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, _, err := parseTest(t, "r.md", tc.src)
			require.NoError(t, err)
			assert.Equal(t, "A title", it.Title)
			assert.Equal(t, "<p>Body text.</p>", strings.TrimSpace(it.ContentHTML()))
			assert.Equal(t, "Body text.", it.Summary, "summary falls back to the body's text")
		})
	}
}

func TestParseFields(t *testing.T) {
	src := `---
title: "<b>Bold</b> &amp; Beckerâ€™s\x01 title"
date: '2021-03-04T05:06:07+02:00'
lastMod: 2021-03-05 10:11:12
id: 77
mdName: not-a-uuid
basePath: /communities/../../etc/
slug: ../../passwd
type: communities/../../evil
author: Opsfolio Community
tags: [news, News, ' ']
categories: [Telehealth]
communityTopics:
  - 'Symplur: -hash-COVID19'
  - 'gartner:  cybersecurity'
openProjectCustomFields:
  medigyTopics: '["Symplur: #COVID19", "Gartner: Cybersecurity"'
link:
  href: javascript:alert(1)
  original: https://news.example.com/a?b=1
featuredImage:
  href: /images/x.png
  valid: false
status: Draft
archetype: news
---
Some *markdown* with a [link](../other/).
`
	it, warns, err := parseTest(t, "r.md", src)
	require.NoError(t, err)
	assert.Equal(t, "Bold & Becker’s title", it.Title)
	assert.Equal(t, "2021-03-04T03:06:07Z", it.Published.Format(time.RFC3339))
	assert.Equal(t, "2021-03-05T10:11:12Z", it.Updated.Format(time.RFC3339))
	assert.Equal(t, "urn:uuid:"+uuidV5("www.example.org/records/77"), it.ID, "a v5 UUID of the site host and the record id")
	assert.Equal(t, "", it.URL, "a climbing basePath or slug gives no page URL")
	assert.Equal(t, Community{}, it.Community, "path traversal in type names no community")
	assert.Equal(t, []string{"Opsfolio Community"}, it.Authors)
	assert.Equal(t, []string{"news", "Telehealth"}, it.Tags)
	require.Len(t, it.Topics, 2)
	assert.Equal(t, "Symplur: #COVID19", it.Topics[0].Label())
	assert.Equal(t, "https://news.example.com/a?b=1", it.ExternalURL)
	assert.Nil(t, it.Image)
	assert.Equal(t, "Draft", it.Status)
	fields := map[string]bool{}
	for _, w := range warns {
		fields[w.Field] = true
		assert.Positive(t, w.Line, w.Error())
	}
	assert.True(t, fields["openProjectCustomFields.medigyTopics"], "malformed medigyTopics is a warning: %v", warns)
	assert.False(t, fields["link.href"], "a bad link followed by a good one is no loss: %v", warns)
	assert.Contains(t, it.ContentHTML(), "<em>markdown</em>")
}

func TestParseRecordIDStable(t *testing.T) {
	a, _, err := parseTest(t, "a.md", "---\ntitle: One\ndate: 2021-01-01\nid: 9\n---\n")
	require.NoError(t, err)
	b, _, err := parseTest(t, "b.md", "---\ntitle: One, edited\ndate: 2021-01-02\nid: 9\nslug: moved\n---\nnew body\n")
	require.NoError(t, err)
	assert.Equal(t, a.ID, b.ID, "editing a record never changes its id")
	c, _, err := parseTest(t, "c.md", "---\ntitle: Other\ndate: 2021-01-01\nid: 10\n---\n")
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, c.ID)
	d, _, err := parseTest(t, "d.md", "---\ntitle: Other\ndate: 2021-01-01\nmdName: 8E53E60E-D4F5-5D72-B0C0-707E3F0C5DBB\nid: 10\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "urn:uuid:8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb", d.ID)
}

func TestParseLastModBeforeDate(t *testing.T) {
	it, _, err := parseTest(t, "r.md", "---\ntitle: x\ndate: 2021-05-01\nlastMod: 2021-04-01\n---\n")
	require.NoError(t, err)
	assert.Equal(t, it.Published, it.Updated, "updated is never before published")
	it, _, err = parseTest(t, "r.md", "---\ntitle: x\nlastMod: 2021-04-01\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "2021-04-01", it.Published.Format(time.DateOnly), "published falls back to lastMod")
}

func TestUUIDv5(t *testing.T) {
	// Reference value from Python's uuid.uuid5(uuid.NAMESPACE_URL, ...).
	assert.Equal(t, "c54f2bc9-4627-56e3-aab4-94b0a8a6f25e", uuidV5("www.example.org/records/42"))
	assert.True(t, isUUID(uuidV5("anything")))
}

func TestParseBadLinkWarnsOnce(t *testing.T) {
	it, warns, err := parseTest(t, "r.md", "---\ntitle: x\ndate: 2021-01-01\nlink:\n  href: javascript:alert(1)\n  original: 'data:text/html,x'\n---\n")
	require.NoError(t, err)
	assert.Empty(t, it.ExternalURL)
	require.Len(t, warns, 1)
	assert.Equal(t, `r.md:5: link.href: not an absolute http(s) URL, ignored: "javascript:alert(1)"`, warns[0].Error())
}

// TestFoldCaseASCII requires foldCase's ASCII shortcut to agree with Unicode
// case folding on every ASCII character, alone and in words.
func TestFoldCaseASCII(t *testing.T) {
	var all strings.Builder
	for c := 0; c < utf8.RuneSelf; c++ {
		s := string(rune(c))
		all.WriteString(s)
		assert.Equal(t, cases.Fold().String(s), foldCase(s), "%q", s)
	}
	for _, s := range []string{all.String(), "Gartner: Cybersecurity", "KLAS: EHR", "already folded", ""} {
		assert.Equal(t, cases.Fold().String(s), foldCase(s), "%q", s)
	}
	assert.Equal(t, "strasse k", foldCase("STRAßE \u212a"), "non-ASCII text takes the Unicode path (ß, the Kelvin sign)")
}

// BenchmarkParseRecord parses every sample record once per iteration.
func BenchmarkParseRecord(b *testing.B) {
	var files [][]byte
	for _, p := range corpustest.RecordFiles(b, "testdata/records") {
		if data, err := os.ReadFile(p); err == nil {
			files = append(files, data)
		}
	}
	size := 0
	for _, f := range files {
		size += len(f)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range files {
			_, _, _ = parseRecord(strconv.Itoa(i)+".md", f, parseOptions{SiteURL: testSite})
		}
	}
}

// TestPageURLInvisibleCharacters requires the item's page URL, made from the
// record's basePath and slug, to carry no bidirectional control or other
// invisible character, even percent-encoded: "gpj.exe" behind a U+202E shows
// as "exe.jpg".
func TestPageURLInvisibleCharacters(t *testing.T) {
	for _, c := range []string{"\u202e", "\u2066", "\u202a", "\ufeff", "\ufdd0"} {
		src := "---\ntitle: x\ndate: 2021-01-01\nbasePath: /communities/sec" + c + "urity/curated-content/\nslug: report-" + c + "gpj.exe\n---\nbody\n"
		it, _, err := parseTest(t, "c.md", src)
		require.NoError(t, err)
		assert.Equal(t, "https://www.example.org/communities/security/curated-content/report-gpj.exe/", it.URL, "%U", []rune(c)[0])
	}
}

func TestParseDateForms(t *testing.T) {
	want := time.Date(2020, 10, 1, 5, 27, 33, 0, time.UTC)
	for s, w := range map[string]time.Time{
		"2020-10-01T05:27:33.551628Z":    want.Add(551628 * time.Microsecond),
		"2020-10-01T07:27:33+02:00":      want,
		"2020-10-01":                     time.Date(2020, 10, 1, 0, 0, 0, 0, time.UTC),
		"2020-10-01 05:27:33":            want,
		"Thu, 01 Oct 2020 05:27:33 GMT":  want,
		"Thu, 1 Oct 2020 07:27:33 +0200": want,
	} {
		got, err := parseDate(s)
		require.NoError(t, err, s)
		assert.Equal(t, w, got, s)
	}
	_, err := parseDate("yesterday")
	assert.EqualError(t, err, `not a date: "yesterday" (want RFC 3339, 2006-01-02, 2006-01-02 15:04:05 or RFC 1123 such as Mon, 02 Jan 2006 15:04:05 -0700)`)
}

// TestPlainPage requires plainPage, where it answers, to give what net/url
// resolves and prints, over sites and paths near the edges of what it takes.
func TestPlainPage(t *testing.T) {
	sites := []string{
		"https://www.example.org", "https://www.example.org/", "http://a.example.org/base/", "https://a-b.example.org",
		"https://Upper.example.org", "https://a.example.org:8443", "https://user@a.example.org", "ftp://a.example.org",
		"https://xn--bcher-kva.example", "https://a.example.org/x?q=1#f", "https://a_b.example.org", "https://[::1]",
	}
	paths := []string{
		"/communities/x/curated-content/slug/", "/a/", "/", "//", "/a//b/", "/a/./b/", "/a/../b/", "/./", "/../",
		"/a/b.c/", "/a/.b/", "/a/b./", "/A_b~c-d/", "/a b/", "/a%20b/", "/é/", "/a?b/", "/a#b/", "/a;b/", "/a:b/",
		"/a/b", "a/b/", "/a/..b/", "/a/.../", "/a+b/", "/a@b/", "/a\\b/",
	}
	taken := 0
	for _, raw := range sites {
		site, err := url.Parse(raw)
		require.NoError(t, err)
		for _, p := range paths {
			got, ok := plainPage(site, p)
			if !ok {
				continue
			}
			taken++
			want := site.ResolveReference(&url.URL{Path: p}).String()
			require.Equal(t, want, got, "site %q, path %q", raw, p)
		}
	}
	require.Greater(t, taken, 10, "plainPage takes the plain ones")
}

// FuzzPlainPage: what plainPage answers is what net/url resolves and prints.
func FuzzPlainPage(f *testing.F) {
	f.Add("https://www.example.org", "/communities/x/curated-content/slug/")
	f.Add("http://a.example.org/base/", "/a/./b/")
	f.Fuzz(func(t *testing.T, raw, p string) {
		site, err := url.Parse(raw)
		if err != nil {
			return
		}
		got, ok := plainPage(site, p)
		if !ok {
			return
		}
		if want := site.ResolveReference(&url.URL{Path: p}).String(); got != want {
			t.Fatalf("plainPage(%q, %q) = %q, net/url gives %q", raw, p, got, want)
		}
	})
}

// BenchmarkPageURL is an item's page from its base path and slug.
func BenchmarkPageURL(b *testing.B) {
	site, err := url.Parse("https://www.medigy.com")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		pageURL(site, "/communities/chronic-care-management/curated-content/", "improving-cybersecurity-in-the-medical-industry")
	}
}

// TestPagePathsFastPaths requires pathText and cleanBasePath, which return
// plain input as it is, to give what the whole cleaning gives (kept here as
// it was written first), and pageURL what net/url's resolving gives.
func TestPagePathsFastPaths(t *testing.T) {
	pathTextReference := func(s string) string {
		return norm.NFC.String(strings.Map(func(r rune) rune {
			if sanitize.IsInvisible(r) || r == 0x85 {
				return -1
			}
			return r
		}, s))
	}
	cleanBasePathReference := func(bp string) string {
		bp = strings.TrimSpace(pathTextReference(bp))
		if bp == "" || strings.Contains(bp, "..") || strings.Contains(bp, "\\") || strings.ContainsAny(bp, "?#") {
			return ""
		}
		c := path.Clean("/" + bp)
		if c == "/" {
			return "/"
		}
		return c + "/"
	}
	site, err := url.Parse("https://www.example.org")
	require.NoError(t, err)
	for _, s := range []string{
		"", "/", "//", "/a/", "a/", "/a", "a", "/a//b/", "/a/./b/", "/./", "/a/b/c/", " /a/ ", "/a/\x7f/", "/a/\x00b/",
		"/a/\u202eb/", "/caf\u00e9/", "/cafe\u0301/", "/a/b/.", "/communities/x/curated-content/", "/a b/", "/a%20b/",
		"slug", "my-slug", "slug\u0085", "\ufeffslug", "Slug_1.2~x", "a/b", "..", ".", "/a/../b/",
	} {
		require.Equal(t, pathTextReference(s), pathText(s), "pathText(%q)", s)
		require.Equal(t, cleanBasePathReference(s), cleanBasePath(s), "cleanBasePath(%q)", s)
		for _, slug := range []string{"slug", "a b", "caf\u00e9", "x.y", "s%2F"} {
			want := ""
			if bp := cleanBasePathReference(s); bp != "" && !strings.ContainsAny(slug, "/\\?#") {
				want, _ = sanitize.URL(site.ResolveReference(&url.URL{Path: bp + pathTextReference(slug) + "/"}).String(), nil)
			}
			require.Equal(t, want, pageURL(site, s, slug), "pageURL(%q, %q)", s, slug)
		}
	}
}
