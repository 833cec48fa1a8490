package curafeed

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rec(title, date, extra string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(fmt.Sprintf("---\ntitle: %s\ndate: %s\n%s---\nBody of %s.\n", title, date, extra, title))}
}

var testConfig = Config{SiteURL: "https://www.example.org", Title: "Example Health"}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"a/one.md":          rec("One", "2021-01-01", "id: 1\nlastMod: 2021-01-02\n"),
		"a/one-newer.md":    rec("One, newer copy", "2021-01-01", "id: 1\nlastMod: 2021-02-01\n"),
		"a/two.md":          rec("Two", "2021-01-03", "id: 2\n"),
		"b/draft.md":        rec("Draft", "2021-01-04", "id: 3\nstatus: draft\n"),
		"b/approved.md":     rec("Approved", "2021-01-05", "id: 4\nstatus: Approved\n"),
		"b/unpublished.md":  rec("Unpublished", "2021-01-05", "id: 5\nstatus: unpublished\n"),
		"b/_index.md":       {Data: []byte("---\ntitle: Section\n---\n")},
		"b/notes.md":        {Data: []byte("no front matter here\n")},
		"b/bad.md":          {Data: []byte("---\ntitle: Bad\ndate: someday\n---\n")},
		"c/readme.txt":      {Data: []byte("not a record file")},
		"c/deep/three.md":   rec("Three", "2021-01-06", "id: 6\n"),
		"c/deep/no-date.md": rec("Undated", "''", "id: 7\n"),
	}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	assert.Equal(t, 11, recs.Files)
	var titles []string
	for _, it := range recs.Items {
		titles = append(titles, it.Title)
	}
	assert.Equal(t, []string{"Three", "Approved", "Two", "One, newer copy"}, titles, "newest first")
	require.Len(t, recs.Errors, 2)
	assert.Equal(t, "b/bad.md:3: date: not a date: \"someday\" (want RFC 3339, 2006-01-02, 2006-01-02 15:04:05 or RFC 1123 such as Mon, 02 Jan 2006 15:04:05 -0700)", recs.Errors[0].Error())
	assert.Equal(t, "c/deep/no-date.md", recs.Errors[1].Path)
	skipped := map[string]string{}
	for _, s := range recs.Skipped {
		skipped[s.Path] = s.Reason
	}
	assert.Len(t, skipped, 5)
	assert.Contains(t, skipped["a/one.md"], "duplicate of a/one-newer.md")
	assert.Contains(t, skipped["b/draft.md"], `status "draft"`)
	assert.Contains(t, skipped["b/unpublished.md"], `status "unpublished"`)
	assert.Contains(t, skipped["b/_index.md"], "not a record")
	assert.Contains(t, skipped["b/notes.md"], "not a record")
	require.Len(t, recs.Warnings, 1, "the losing duplicate is reported")
	assert.Equal(t, "a/one.md", recs.Warnings[0].Path)
}

func TestLoadConfigurableFilters(t *testing.T) {
	fsys := fstest.MapFS{
		"news.md":  rec("News", "2021-01-01", "archetype: news\nstatus: draft\n"),
		"video.md": rec("Video", "2021-01-02", "archetype: media-video\n"),
	}
	recs, err := Load(fsys, Config{SiteURL: "https://x.example", PublishedStatuses: []string{"", "draft"}, Archetypes: []string{"news"}})
	require.NoError(t, err)
	require.Len(t, recs.Items, 1)
	assert.Equal(t, "News", recs.Items[0].Title)
	assert.Equal(t, `archetype "media-video" is not published`, recs.Skipped[0].Reason)
}

func TestLoadDuplicateTieKeepsFirstPath(t *testing.T) {
	fsys := fstest.MapFS{
		"b.md": rec("B", "2021-01-01", "id: 1\n"),
		"a.md": rec("A", "2021-01-01", "id: 1\n"),
	}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	require.Len(t, recs.Items, 1)
	assert.Equal(t, "A", recs.Items[0].Title)
}

func TestLoadMergesCommunitySpellings(t *testing.T) {
	fsys := fstest.MapFS{
		"a.md": rec("A", "2021-01-01", "basePath: /communities/security/curated-content/\nslug: a\nidentifier: Security\n"),
		"b.md": rec("B", "2021-01-02", "type: communities/medigy-security\nmastHead: Security CoP\n"),
		"c.md": rec("C", "2021-01-03", "type: communities/other\n"),
	}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	got := map[string]Community{}
	for _, it := range recs.Items {
		got[it.Title] = it.Community
	}
	assert.Equal(t, Community{"security", "Security"}, got["A"])
	assert.Equal(t, Community{"security", "Security"}, got["B"], "a type with a site prefix joins the basePath community")
	assert.Equal(t, Community{"other", "other"}, got["C"])
}

func TestLoadBadConfig(t *testing.T) {
	for _, site := range []string{"", "example.org", "ftp://example.org", "https://user:pw@example.org"} {
		_, err := Load(fstest.MapFS{}, Config{SiteURL: site})
		assert.Error(t, err, site)
	}
}

func TestLoadDeterministic(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := 0; i < 200; i++ {
		fsys[fmt.Sprintf("r%03d.md", i)] = rec(fmt.Sprintf("T%d", i), fmt.Sprintf("2021-01-%02d", i%28+1), fmt.Sprintf("id: %d\n", i%150))
	}
	first, err := Load(fsys, Config{SiteURL: "https://x.example", Workers: 1})
	require.NoError(t, err)
	for _, w := range []int{2, 7, 32} {
		again, err := Load(fsys, Config{SiteURL: "https://x.example", Workers: w})
		require.NoError(t, err)
		require.Equal(t, len(first.Items), len(again.Items))
		for i := range first.Items {
			assert.Equal(t, first.Items[i].Path, again.Items[i].Path)
		}
		assert.Equal(t, first.Skipped, again.Skipped)
	}
}
