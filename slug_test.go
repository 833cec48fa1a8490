package curafeed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/curafeed/curafeed/internal/sanitizetest"
	"github.com/curafeed/curafeed/sanitize"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildCommunityFromCode checks that items made in code cannot name a
// path outside the output folder, whatever their community slug and topics.
func TestBuildCommunityFromCode(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "a", "b", "c", "d", "out")
	require.NoError(t, os.MkdirAll(out, 0o755))
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var items []*Item
	for i, slug := range []string{"../../../../tmp/x", "../../../../escape", "..", ".", "/abs", `..\..\win`, "CON", strings.Repeat("z", 300), ""} {
		items = append(items, &Item{
			ID: "urn:uuid:00000000-0000-4000-8000-00000000000" + string(rune('0'+i)), Path: "code.md",
			Title: "From code", Published: day.Add(time.Duration(i) * time.Hour), Updated: day.Add(time.Duration(i) * time.Hour),
			Community: Community{Slug: slug, Name: "Evil"},
			Topics:    []Topic{{Key: "x:" + slug, Term: slug}},
		})
	}
	cat, err := Build(items, Config{SiteURL: "https://example.org"})
	require.NoError(t, err)
	for _, f := range cat.Feeds {
		for _, seg := range strings.Split(f.Path, "/") {
			sanitizetest.CheckSlug(t, sanitize.Slug, f.Path, seg)
			require.NotEmpty(t, seg, f.Path)
		}
	}
	_, err = cat.WriteDir(out)
	require.NoError(t, err)
	err = filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			require.False(t, strings.HasPrefix(rel, ".."), "written outside the output folder: %s", p)
		}
		return nil
	})
	require.NoError(t, err)
}

// TestHostileBuildRecords builds the hostile records of paths and names
// (testdata/hostile/build-*.md): every record with a date in the past is
// published, every feed path is made of safe slugs, and the two spellings
// (NFC and NFD) of a community share one feed.
func TestHostileBuildRecords(t *testing.T) {
	cfg := Config{SiteURL: "https://community.example.org", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	recs, err := Load(os.DirFS("testdata/hostile"), cfg)
	require.NoError(t, err)
	markers := map[string]bool{}
	for _, it := range recs.Items {
		markers[it.Title] = true
	}
	for _, m := range []string{"LONG-TOPIC", "LONG-TOPIC-TWIN", "LONG-COMMUNITY", "RESERVED", "DOTDOT", "NFC", "NFD", "CJK", "ALIAS-SHORT", "ALIAS-LONG"} {
		assert.True(t, markers["HOSTILE-BUILD-"+m+"-MARKER"], "%s is not published", m)
	}
	assert.False(t, markers["HOSTILE-BUILD-FUTURE-MARKER"], "a scheduled record is published")
	for _, e := range recs.Errors {
		assert.NotContains(t, e.Path, "build-", "a hostile name costs no record: %v", e)
	}
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	var nfc, nfd string
	for _, f := range cat.Feeds {
		for _, d := range f.Documents() {
			for _, seg := range strings.Split(d.Path, "/") {
				sanitizetest.CheckSlug(t, sanitize.Slug, d.Path, seg)
				require.NotEmpty(t, seg, d.Path)
			}
		}
		if f.kind != kindCommunity {
			continue
		}
		for _, it := range f.Items {
			switch it.Title {
			case "HOSTILE-BUILD-NFC-MARKER":
				nfc = f.Path
			case "HOSTILE-BUILD-NFD-MARKER":
				nfd = f.Path
			}
		}
	}
	assert.Equal(t, "communities/sante-publique", nfc)
	assert.Equal(t, nfc, nfd, "NFC and NFD spellings of one community")
	topics := map[string]bool{}
	for _, f := range cat.Feeds {
		if f.kind == kindTopic && strings.HasPrefix(f.Topic.Label(), "Medigy: Population Health") {
			topics[f.Path] = true
		}
	}
	assert.Len(t, topics, 2, "two long topics that differ at the end keep two feeds")

	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	_, _, err = BuildDir(os.DirFS("testdata/hostile"), cfg, out)
	require.NoError(t, err)
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing beside the output folder")
}
