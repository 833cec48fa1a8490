package curafeed

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var codeDate = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// codeItem is a good item made in code, the way a gorilla/feeds user makes
// one, without NewItem.
func codeItem(id, title string) *Item {
	return &Item{
		ID: id, Title: title, Published: codeDate, Updated: codeDate,
		ExternalURL: "https://news.example.com/" + id,
		Community:   Community{Slug: "security", Name: "Security"},
	}
}

func renderAll(t *testing.T, cat *Catalog) string {
	t.Helper()
	var b strings.Builder
	for _, f := range cat.Feeds {
		for _, d := range f.Documents() {
			for _, format := range Formats() {
				out, err := d.render(format)
				require.NoError(t, err)
				b.Write(out)
			}
		}
	}
	return b.String()
}

// An item made in code whose community slug climbs out of the output
// folder gets a path-safe slug, and WriteDir writes only inside its folder.
func TestBuildCodeItemPathEscape(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	it := codeItem("a", "Escape")
	it.Community = Community{Slug: "../../../../tmp/x", Name: "X"}
	cat, err := Build([]*Item{it}, testConfig)
	require.NoError(t, err)
	_, err = cat.WriteDir(out)
	require.NoError(t, err)
	for _, f := range cat.Feeds {
		assert.NotContains(t, f.Path, "..", f.Path)
	}
	_, ok := cat.Feed("communities/tmp-x")
	assert.True(t, ok, "the community is published under its safe slug")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing written beside the output folder")
	assert.Equal(t, "../../../../tmp/x", it.Community.Slug, "Build does not modify the items")
}

// Links that are not http(s) never reach a feed; the ErrorList names them.
func TestBuildCodeItemBadLinks(t *testing.T) {
	for _, bad := range []string{"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>x</script>", "vbscript:x", "file:///etc/passwd", "//evil.example/x"} {
		it := codeItem("a", "Links")
		it.ExternalURL, it.URL = bad, bad
		it.Image = &Image{URL: bad, Type: "image/png"}
		cat, err := Build([]*Item{it}, testConfig)
		require.NotNil(t, cat, bad)
		var list ErrorList
		require.True(t, errors.As(err, &list), "%q: %v", bad, err)
		assert.Contains(t, err.Error(), "ExternalURL", bad)
		out := renderAll(t, cat)
		low := strings.ToLower(out)
		for _, s := range []string{"javascript:", "data:text", "vbscript:", "file:"} {
			assert.NotContains(t, low, s, bad)
		}
		assert.Contains(t, out, "<title>Links</title>", "the item is still published without the links")
	}
}

// An item with no id, title or date is left out and reported, never
// published with an empty guid or a year-1 date; the others still publish.
func TestBuildCodeItemMissingFields(t *testing.T) {
	noID := codeItem("", "No id")
	noTitle := codeItem("t", " \t\u00a0 ")
	noDate := codeItem("d", "No date")
	noDate.Published, noDate.Updated = time.Time{}, time.Time{}
	good := codeItem("g", "Good")
	cat, err := Build([]*Item{noID, noTitle, noDate, nil, good}, testConfig)
	require.Error(t, err)
	var list ErrorList
	require.True(t, errors.As(err, &list))
	var msgs []string
	for _, e := range list {
		msgs = append(msgs, e.Error())
	}
	msg := strings.Join(msgs, "\n")
	for _, want := range []string{"ID: missing", "Title: missing", "Published: missing", "nil item"} {
		assert.Contains(t, msg, want)
	}
	all, ok := cat.Feed("all")
	require.True(t, ok)
	require.Len(t, all.Items, 1)
	assert.Equal(t, "Good", all.Items[0].Title)
	out := renderAll(t, cat)
	assert.NotContains(t, out, "<guid isPermaLink=\"false\"></guid>")
	assert.NotContains(t, out, "0001-01-01")
	assert.NotContains(t, out, "No date")
}

// Two items with one id: the newer is published, the other reported.
func TestBuildCodeItemDuplicateID(t *testing.T) {
	older, newer := codeItem("same", "Older"), codeItem("same", "Newer")
	newer.Updated = codeDate.Add(time.Hour)
	for _, items := range [][]*Item{{older, newer}, {newer, older}} {
		cat, err := Build(items, testConfig)
		require.ErrorContains(t, err, "ID: duplicate id urn:uuid:")
		all, _ := cat.Feed("all")
		require.Len(t, all.Items, 1)
		assert.Equal(t, "Newer", all.Items[0].Title)
	}
}

// Status filtering is the same on every path: drafts and unknown statuses
// made in code, or parsed by ParseRecord, stay out of Build's feeds.
func TestBuildFiltersStatus(t *testing.T) {
	draft := codeItem("draft", "Draft")
	draft.Status = "draft"
	review := codeItem("review", "In review")
	review.Status = "In Review"
	pub := codeItem("pub", "Published")
	pub.Status = "Published"
	parsed, _, err := ParseRecord("d.md", []byte("---\ntitle: Parsed draft\ndate: 2024-01-01\ndraft: true\n---\nbody\n"), testConfig)
	require.NoError(t, err)
	kind := codeItem("video", "Video")
	kind.Archetype = "media-video"
	cfg := testConfig
	cfg.Archetypes = []string{"", "news"}
	cat, err := Build([]*Item{draft, review, pub, parsed, kind}, cfg)
	require.NoError(t, err)
	all, _ := cat.Feed("all")
	require.Len(t, all.Items, 1)
	assert.Equal(t, "Published", all.Items[0].Title)
}

// Unknown feed paths and feeds not made by Build give (nil, false) or an
// error, never a panic.
func TestFeedLookupNeverPanics(t *testing.T) {
	cat, err := Build([]*Item{codeItem("a", "A")}, testConfig)
	require.NoError(t, err)
	for _, p := range []string{"", "nope", "all/archive/99", "../all", "communities/"} {
		f, ok := cat.Feed(p)
		assert.False(t, ok, p)
		assert.Nil(t, f, p)
	}
	var none *Catalog
	f, ok := none.Feed("all")
	assert.False(t, ok)
	assert.Nil(t, f)
	var b strings.Builder
	assert.Error(t, f.Write(&b, RSS))
	assert.Error(t, (&Feed{Title: "made by hand", Items: []*Item{codeItem("a", "A")}}).Write(&b, Atom))
	assert.Empty(t, (&Feed{}).URL(RSS))
	assert.Empty(t, (&Feed{}).ID())
	all, _ := cat.Feed("all")
	assert.Error(t, all.Write(&b, Format(7)))
}

// NewItem cleans and sanitizes a record from code exactly as a record file
// is cleaned: the same content gives the same item.
func TestNewItemMatchesRecordFile(t *testing.T) {
	file := []byte(`---
title: Beckerâ€™s &amp; the <b>ransomware</b> report
date: '2024-05-06T07:08:09Z'
lastMod: '2024-05-07T00:00:00Z'
id: 42
basePath: /communities/security/curated-content/
slug: ransomware-report
identifier: Security
description: The   report.
communityTopics: ['Gartner: Ransomware', 'gartner:  ransomware']
author: [Jane Curator]
status: published
archetype: curate-content
featuredImage:
  href: ../img/r.png
  alt: A chart
link:
  href: https://news.example.com/ransomware
  brand: News &amp; Co
---
<p>Read <a href="../other/">this</a>.<script>alert(1)</script></p>
`)
	fromFile, warnings, err := ParseRecord("communities/security/curated-content/r.md", file, testConfig)
	require.NoError(t, err)
	require.Empty(t, warnings)
	fromCode, list := NewItem(Record{
		Name:        "communities/security/curated-content/r.md",
		ID:          "42",
		Title:       "Beckerâ€™s &amp; the <b>ransomware</b> report",
		Summary:     "The   report.",
		Body:        `<p>Read <a href="../other/">this</a>.<script>alert(1)</script></p>`,
		URL:         "/communities/security/curated-content/ransomware-report/",
		ExternalURL: "https://news.example.com/ransomware",
		Brand:       "News &amp; Co",
		Published:   time.Date(2024, 5, 6, 9, 8, 9, 0, time.FixedZone("CEST", 2*3600)),
		Updated:     time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC),
		Community:   "Security",
		Topics:      []string{"Gartner: Ransomware", "gartner:  ransomware"},
		Authors:     []string{"Jane Curator"},
		Image:       &Image{URL: "../img/r.png", Alt: "A chart"},
		Status:      "published",
		Archetype:   "curate-content",
	}, testConfig)
	require.Empty(t, list)
	require.NotNil(t, fromCode)
	assert.Equal(t, "Becker’s & the ransomware report", fromCode.Title)
	for _, c := range []struct{ name, file, code any }{
		{"ID", fromFile.ID, fromCode.ID},
		{"RecordID", fromFile.RecordID, fromCode.RecordID},
		{"Title", fromFile.Title, fromCode.Title},
		{"Summary", fromFile.Summary, fromCode.Summary},
		{"URL", fromFile.URL, fromCode.URL},
		{"ExternalURL", fromFile.ExternalURL, fromCode.ExternalURL},
		{"Brand", fromFile.Brand, fromCode.Brand},
		{"Published", fromFile.Published, fromCode.Published},
		{"Updated", fromFile.Updated, fromCode.Updated},
		{"Community", fromFile.Community, fromCode.Community},
		{"Topics", fromFile.Topics, fromCode.Topics},
		{"Authors", fromFile.Authors, fromCode.Authors},
		{"Image", fromFile.Image, fromCode.Image},
		{"Status", fromFile.Status, fromCode.Status},
		{"Archetype", fromFile.Archetype, fromCode.Archetype},
		{"ContentHTML", fromFile.ContentHTML(), fromCode.ContentHTML()},
	} {
		assert.Equal(t, c.file, c.code, c.name)
	}
	assert.NotContains(t, fromCode.ContentHTML(), "script")
	assert.Contains(t, fromCode.ContentHTML(), `href="https://www.example.org/communities/security/curated-content/other/"`)
}

func TestNewItemMarkdownAndProblems(t *testing.T) {
	it, list := NewItem(Record{Name: "row 1", ID: "1", Title: "Md", Published: codeDate,
		Body: "# Heading\n\nSome *text* and [a link](javascript:alert(1)).", Markdown: true,
		Authors: []string{"Jane Doe <jane@example.org>", "ops@example.org", "Vinit"}}, testConfig)
	require.Empty(t, list)
	h := it.ContentHTML()
	assert.Contains(t, h, "<h1>Heading</h1>")
	assert.Contains(t, h, "<em>text</em>")
	assert.NotContains(t, h, "javascript")
	assert.Equal(t, []string{"Jane Doe", "Vinit"}, it.Authors, "e-mail addresses are never published")
	assert.Equal(t, "Heading Some text and a link.", it.Summary)

	it, list = NewItem(Record{Name: "row 2", Title: "No id", Published: codeDate}, testConfig)
	assert.Nil(t, it)
	require.ErrorContains(t, list.Err(), "row 2: ID: missing")
	it, list = NewItem(Record{Name: "row 3", ID: "3", Title: "No date"}, testConfig)
	assert.Nil(t, it)
	require.ErrorContains(t, list.Err(), "row 3: Published: missing")
	it, list = NewItem(Record{Name: "row 4", ID: "4", Title: "Bad link", Published: codeDate, ExternalURL: "javascript:alert(1)"}, testConfig)
	require.NotNil(t, it)
	assert.Empty(t, it.ExternalURL)
	require.ErrorContains(t, list.Err(), "row 4: ExternalURL: not an absolute http(s) URL")
	_, list = NewItem(Record{Name: "row 5", ID: "5", Title: "x", Published: codeDate}, Config{})
	require.ErrorContains(t, list.Err(), "site URL")
}

// LoadRecords filters, deduplicates and reports like Load, and stops on an
// error that is not a record's.
func TestLoadRecords(t *testing.T) {
	recs := []Record{
		{Name: "r1", ID: "1", Title: "One", Published: codeDate},
		{Name: "r2", ID: "2", Title: "Draft", Published: codeDate, Status: "draft"},
		{Name: "r3", ID: "1", Title: "One, edited", Published: codeDate, Updated: codeDate.Add(time.Hour)},
		{Name: "r4", ID: "4", Title: ""},
		{Name: "r5", ID: "5", Title: "Gone", Published: codeDate, Status: "withdrawn"},
	}
	seq := func(yield func(Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		yield(Record{}, &RecordError{Path: "r6", Field: "body", Err: errors.New("cannot read")})
	}
	got, err := LoadRecords(seq, testConfig)
	require.NoError(t, err)
	require.Len(t, got.Items, 1)
	assert.Equal(t, "One, edited", got.Items[0].Title)
	require.Len(t, got.Retracted, 1)
	assert.Equal(t, 5, got.Files)
	require.Len(t, got.Errors, 2)
	assert.Equal(t, "r4", got.Errors[0].Path)
	assert.Equal(t, "r6", got.Errors[1].Path)
	var skipped []string
	for _, s := range got.Skipped {
		skipped = append(skipped, s.Path)
	}
	assert.Equal(t, []string{"r1", "r2", "r5"}, skipped)

	stop := errors.New("database gone")
	_, err = LoadRecords(func(yield func(Record, error) bool) { yield(Record{}, stop) }, testConfig)
	assert.ErrorIs(t, err, stop)

	// The same records from files and from code give the same feeds.
	fsys := fstest.MapFS{"a.md": {Data: []byte("---\ntitle: One\nid: 1\ndate: 2025-03-04T05:06:07Z\n---\nHello <b>world</b>\n")}}
	fromFiles, err := Load(fsys, testConfig)
	require.NoError(t, err)
	fromCode, err := LoadRecords(func(yield func(Record, error) bool) {
		yield(Record{Name: "a.md", ID: "1", Title: "One", Published: codeDate, Body: "Hello <b>world</b>\n", Markdown: true}, nil)
	}, testConfig)
	require.NoError(t, err)
	c1, err := Build(fromFiles.All(), testConfig)
	require.NoError(t, err)
	c2, err := Build(fromCode.All(), testConfig)
	require.NoError(t, err)
	assert.Equal(t, renderAll(t, c1), renderAll(t, c2))
}

// FuzzBuildItems builds and writes items made in code from arbitrary
// strings: nothing panics, nothing is written outside the output folder,
// and no link that is not http(s) reaches a feed.
func FuzzBuildItems(f *testing.F) {
	f.Add("a", "Title", "../../../../tmp/x", "Name", "javascript:alert(1)", "/x/", "draft", int64(1700000000), int64(0))
	f.Add("", "", "", "", "", "", "", int64(0), int64(0))
	f.Add("0", "0", "0", "0", "", "", "", int64(-62135596799), int64(0)) // 0001-01-01T00:00:01Z
	f.Add("same", "A\u202eB", "CON", "\x00", "https://e.example/\u0085", "//evil", "published", int64(-62135596800), int64(253402300799))
	f.Fuzz(func(t *testing.T, id, title, slug, name, ext, page, status string, pub, upd int64) {
		items := []*Item{
			{ID: id, Title: title, Community: Community{Slug: slug, Name: name}, ExternalURL: ext, URL: page,
				Status: status, Published: time.Unix(pub, 0), Updated: time.Unix(upd, 0),
				Topics: []Topic{{Key: slug, Vocabulary: name, Term: title}}, Image: &Image{URL: page}},
			{ID: id, Title: name, Published: time.Unix(upd, 0), Path: slug},
			codeItem("fixed", "Fixed"),
		}
		cat, err := Build(items, testConfig)
		if cat == nil {
			t.Fatalf("no catalog: %v", err)
		}
		root := t.TempDir()
		out := filepath.Join(root, "out")
		if _, err := cat.WriteDir(out); err != nil {
			t.Fatalf("WriteDir: %v", err)
		}
		entries, _ := os.ReadDir(root)
		if len(entries) != 1 {
			t.Fatalf("wrote beside the output folder: %v", entries)
		}
		err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			low := strings.ToLower(string(b))
			for _, bad := range []string{"javascript:", "href=\"//", "0001-01-01"} {
				if strings.Contains(low, bad) {
					t.Errorf("%s holds %q", p, bad)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// FeedsURL moves the feeds, not the site: self links, the OPML list and the
// index use it, while home and item links and every id stay.
func TestFeedsURLMountPrefix(t *testing.T) {
	items := []*Item{codeItem("a", "A")}
	items[0].URL = "/communities/security/a/"
	plain, err := Build(items, testConfig)
	require.NoError(t, err)
	cfg := testConfig
	cfg.FeedsURL = "https://www.example.org/feeds/"
	mounted, err := Build(items, cfg)
	require.NoError(t, err)

	p, _ := plain.Feed("communities/security")
	m, _ := mounted.Feed("communities/security")
	assert.Equal(t, "https://www.example.org/communities/security/rss.xml", p.URL(RSS))
	assert.Equal(t, "https://www.example.org/feeds/communities/security/rss.xml", m.URL(RSS))
	assert.Equal(t, p.ID(), m.ID(), "feed ids do not depend on where feeds are served")
	assert.Equal(t, p.HomeURL, m.HomeURL)

	pb, err := p.render(Atom)
	require.NoError(t, err)
	mb, err := m.render(Atom)
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(string(pb), "https://www.example.org/communities/security/atom.xml", "https://www.example.org/feeds/communities/security/atom.xml"), string(mb),
		"only the self link changes")

	var opml strings.Builder
	require.NoError(t, mounted.WriteOPML(&opml))
	assert.Contains(t, opml.String(), `xmlUrl="https://www.example.org/feeds/all/rss.xml"`)
	assert.NotContains(t, opml.String(), `xmlUrl="https://www.example.org/all/`)

	srv := httptest.NewServer(http.StripPrefix("/feeds", NewHandler(mounted, HandlerOptions{})))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/feeds/communities/security/rss.xml")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `<atom:link href="https://www.example.org/feeds/communities/security/rss.xml" rel="self"`)

	for _, bad := range []string{"ftp://x.example/feeds", "/feeds", "https://user:pw@x.example/"} {
		cfg.FeedsURL = bad
		_, err := Build(items, cfg)
		assert.ErrorContains(t, err, "feeds URL", bad)
	}
}
