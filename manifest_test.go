package curafeed

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputMode is one way a tree is written into a folder.
type outputMode struct {
	name  string
	build func(t *testing.T, records string, cfg Config, out string) (WriteStats, error)
}

// outputModes are WriteDir, BuildDir, and BuildDir with a cache (one cache
// per call of outputModes).
func outputModes(t *testing.T) []outputMode {
	cache := t.TempDir()
	return []outputMode{
		{"WriteDir", func(t *testing.T, records string, cfg Config, out string) (WriteStats, error) {
			t.Helper()
			recs, err := Load(os.DirFS(records), cfg)
			require.NoError(t, err)
			cat, err := Build(recs.All(), cfg)
			require.NoError(t, err)
			return cat.WriteDir(out)
		}},
		{"BuildDir", func(t *testing.T, records string, cfg Config, out string) (WriteStats, error) {
			t.Helper()
			_, st, err := BuildDir(os.DirFS(records), cfg, out)
			return st, err
		}},
		{"BuildDir cached", func(t *testing.T, records string, cfg Config, out string) (WriteStats, error) {
			t.Helper()
			cfg.CacheDir = cache
			_, st, err := BuildDir(os.DirFS(records), cfg, out)
			return st, err
		}},
	}
}

// forEachMode runs fn as a subtest per output mode.
func forEachMode(t *testing.T, fn func(t *testing.T, build func(records string, cfg Config, out string) WriteStats)) {
	for _, m := range outputModes(t) {
		t.Run(m.name, func(t *testing.T) {
			fn(t, func(records string, cfg Config, out string) WriteStats {
				t.Helper()
				st, err := m.build(t, records, cfg, out)
				require.NoError(t, err)
				return st
			})
		})
	}
}

// writeFiles writes files under dir, by slash path.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

// requireFiles requires the files under dir to hold exactly these bytes.
func requireFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		require.NoError(t, err, rel)
		require.True(t, body == string(data), "%s was touched", rel)
	}
}

// manifestPaths returns the paths the manifest in dir lists.
func manifestPaths(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	require.NoError(t, err)
	var paths []string
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if i == 0 {
			continue // the header
		}
		f := strings.SplitN(line, " ", 3)
		require.Len(t, f, 3, "manifest line %q", line)
		paths = append(paths, f[2])
	}
	return paths
}

// TestForeignFilesLeftAlone requires a build into a folder it shares (the
// output folder of a site generator) to overwrite and remove none of the
// files it finds there, in the place of its own files or elsewhere, and to
// report those in its way, build after build.
func TestForeignFilesLeftAlone(t *testing.T) {
	foreign := map[string]string{
		"index.html":                   "<p>the site's own home page</p>\n",
		"communities/security/rss.xml": "someone else's feed\n",
		"communities/gone/rss.xml":     "a feed-named file of no feed of the catalog\n",
		"topics/other/feed.json":       "{}\n",
		"all/notes.txt":                "notes\n",
	}
	forEachMode(t, func(t *testing.T, build func(string, Config, string) WriteStats) {
		out := t.TempDir()
		writeFiles(t, out, foreign)
		st := build("testdata/records", sampleConfig, out)
		requireFiles(t, out, foreign)
		assert.Equal(t, []string{"communities/security/rss.xml", "index.html"}, st.Foreign)
		assert.Equal(t, []string{"communities/security/rss.xml"}, st.Blocked)
		assert.Equal(t, st.Files-2, st.Written)
		assert.Equal(t, 0, st.Removed)
		assert.NotContains(t, st.Changed, sampleConfig.SiteURL+"/communities/security/rss.xml")
		listed := manifestPaths(t, out)
		assert.Len(t, listed, st.Files-2)
		assert.Contains(t, listed, "communities/security/atom.xml")
		for rel := range foreign {
			assert.NotContains(t, listed, rel)
		}

		// Again: the same report, nothing written or removed.
		st = build("testdata/records", sampleConfig, out)
		requireFiles(t, out, foreign)
		assert.Equal(t, []string{"communities/security/rss.xml", "index.html"}, st.Foreign)
		assert.Equal(t, []string{"communities/security/rss.xml"}, st.Blocked)
		assert.Equal(t, 0, st.Written)
		assert.Equal(t, st.Files-2, st.Unchanged)
		assert.Equal(t, 0, st.Removed)

		// Once the foreign feed is moved away, the build writes its own.
		require.NoError(t, os.Remove(filepath.Join(out, "communities/security/rss.xml")))
		st = build("testdata/records", sampleConfig, out)
		assert.Equal(t, []string{"index.html"}, st.Foreign)
		assert.Empty(t, st.Blocked)
		assert.Equal(t, 1, st.Written)
		assert.FileExists(t, filepath.Join(out, "communities/security/rss.xml"))
	})
}

// TestManifestRemovesOnlyOwnFiles requires a build to remove only the files
// of an earlier build that it no longer has, and of those only the ones
// whose bytes are still those it wrote: not feed-named files someone else
// put beside them, nor a file of its own that someone edited since.
func TestManifestRemovesOnlyOwnFiles(t *testing.T) {
	forEachMode(t, func(t *testing.T, build func(string, Config, string) WriteStats) {
		out := t.TempDir()
		cfg := sampleConfig
		cfg.Limit, cfg.ArchiveSize = 3, 2
		first := build("testdata/records", cfg, out)
		require.Positive(t, first.Archives)
		edited := filepath.Join(out, "all", "archive", "1", "atom.xml")
		data, err := os.ReadFile(edited)
		require.NoError(t, err)
		mine := string(data) + "<!-- kept by hand -->\n"
		require.NoError(t, os.WriteFile(edited, []byte(mine), 0o644))
		foreign := map[string]string{
			"all/archive/1/notes.txt": "notes\n",
			"all/archive/99/rss.xml":  "not written by curafeed\n",
			"topics/foreign/rss.xml":  "not written by curafeed\n",
		}
		writeFiles(t, out, foreign)

		cfg.ArchiveSize = -1
		st := build("testdata/records", cfg, out)
		assert.Equal(t, 3*first.Archives-1, st.Removed, "every archive document's three files but the edited one")
		requireFiles(t, out, foreign)
		requireFiles(t, out, map[string]string{"all/archive/1/atom.xml": mine})
		assert.NoFileExists(t, filepath.Join(out, "all", "archive", "1", "rss.xml"))
		assert.NoFileExists(t, filepath.Join(out, "all", "archive", "2", "rss.xml"))
		assert.Equal(t, []string{"all/archive/1/atom.xml"}, st.Foreign)
		assert.Empty(t, st.Blocked, "the edited file is no feed of this build")
		assert.NotContains(t, manifestPaths(t, out), "all/archive/1/atom.xml")

		// The edited file is no longer curafeed's: never reported again.
		st = build("testdata/records", cfg, out)
		assert.Empty(t, st.Foreign)
		assert.Equal(t, 0, st.Removed)
		requireFiles(t, out, map[string]string{"all/archive/1/atom.xml": mine})
	})
}

// TestUserEditedOutputLeftAlone requires a file curafeed wrote and someone
// then edited (a byte appended, or one changed in place, keeping its size)
// to be left alone and reported, not put back.
func TestUserEditedOutputLeftAlone(t *testing.T) {
	forEachMode(t, func(t *testing.T, build func(string, Config, string) WriteStats) {
		records := copyTree(t, "testdata/records")
		out := t.TempDir()
		build(records, sampleConfig, out)
		feed := filepath.Join(out, "communities", "femtech", "atom.xml")
		data, err := os.ReadFile(feed)
		require.NoError(t, err)
		feedMine := string(data) + "\n"
		require.NoError(t, os.WriteFile(feed, []byte(feedMine), 0o644))
		opml := filepath.Join(out, "index.opml")
		data, err = os.ReadFile(opml)
		require.NoError(t, err)
		opmlMine := strings.Replace(string(data), "<opml", "<OPML", 1)
		require.Len(t, opmlMine, len(data))
		require.NoError(t, os.WriteFile(opml, []byte(opmlMine), 0o644))
		mine := map[string]string{"communities/femtech/atom.xml": feedMine, "index.opml": opmlMine}

		st := build(records, sampleConfig, out)
		requireFiles(t, out, mine)
		assert.Equal(t, []string{"communities/femtech/atom.xml", "index.opml"}, st.Foreign)
		assert.Equal(t, []string{"communities/femtech/atom.xml"}, st.Blocked)
		assert.Equal(t, 0, st.Written)

		// A record of the feed changes: still left alone.
		editTitle(t, records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md", "Edited")
		st = build(records, sampleConfig, out)
		requireFiles(t, out, mine)
		assert.Equal(t, []string{"communities/femtech/atom.xml", "index.opml"}, st.Foreign)
		assert.Equal(t, []string{"communities/femtech/atom.xml"}, st.Blocked)
		assert.Positive(t, st.Written)

		// Deleted by its editor: written again.
		require.NoError(t, os.Remove(feed))
		require.NoError(t, os.Remove(opml))
		st = build(records, sampleConfig, out)
		assert.Empty(t, st.Foreign)
		assert.Equal(t, 2, st.Written)
		requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
	})
}

// TestManifestDeterministic requires the manifest to be the same bytes
// whichever way the same tree is written, and not to be written again when
// nothing changed.
func TestManifestDeterministic(t *testing.T) {
	var manifests [][]byte
	for _, m := range outputModes(t) {
		out := t.TempDir()
		st, err := m.build(t, "testdata/records", sampleConfig, out)
		require.NoError(t, err)
		p := filepath.Join(out, ManifestName)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		manifests = append(manifests, data)
		listed := manifestPaths(t, out)
		assert.Len(t, listed, st.Files, m.name)
		assert.True(t, slices.IsSorted(listed), m.name)
		assert.Contains(t, listed, "index.opml")
		assert.Contains(t, listed, "all/feed.json")

		before, err := os.Stat(p)
		require.NoError(t, err)
		_, err = m.build(t, "testdata/records", sampleConfig, out)
		require.NoError(t, err)
		after, err := os.Stat(p)
		require.NoError(t, err)
		assert.True(t, os.SameFile(before, after), "%s: an unchanged manifest is not written again", m.name)
		assert.NoFileExists(t, filepath.Join(out, journalName), "the journal is gone once the manifest is written")
	}
	for i := range manifests {
		assert.True(t, bytes.Equal(manifests[0], manifests[i]), "the manifests differ")
	}
}

// TestManifestAdoptsIdenticalFiles requires a build into a folder without a
// manifest to take as its own the files that already hold exactly its
// bytes (an earlier curafeed's output), and those only.
func TestManifestAdoptsIdenticalFiles(t *testing.T) {
	forEachMode(t, func(t *testing.T, build func(string, Config, string) WriteStats) {
		out := t.TempDir()
		first := build("testdata/records", sampleConfig, out)
		manifest := filepath.Join(out, ManifestName)
		want, err := os.ReadFile(manifest)
		require.NoError(t, err)
		require.NoError(t, os.Remove(manifest))
		writeFiles(t, out, map[string]string{"all/rss.xml": "older"})

		st := build("testdata/records", sampleConfig, out)
		assert.Equal(t, first.Files-1, st.Unchanged)
		assert.Equal(t, []string{"all/rss.xml"}, st.Foreign)
		require.NoError(t, os.Remove(filepath.Join(out, "all/rss.xml")))
		st = build("testdata/records", sampleConfig, out)
		assert.Empty(t, st.Foreign)
		have, err := os.ReadFile(manifest)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(have))
	})
}

// TestInterruptedBuildResumes requires the files a build wrote before it
// stopped, without writing its manifest, to be known as curafeed's by the
// next build, and the temporary files it left to be removed.
func TestInterruptedBuildResumes(t *testing.T) {
	records := copyTree(t, "testdata/records")
	out := t.TempDir()
	_, err := catalogOf(t, records).WriteDir(out)
	require.NoError(t, err)
	editTitle(t, records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md", "Edited")
	cat := catalogOf(t, records)

	// A build that stops after writing its files.
	tw, err := openTree(cat, out)
	require.NoError(t, err)
	n := 0
	require.NoError(t, cat.Files(func(f File) error {
		n++
		if f.Feed != nil {
			return tw.putFeed(f.Feed, f.Format, f.Body, docStats{})
		}
		return tw.put(f.Path, f.Body)
	}))
	require.Positive(t, tw.stats().Written)
	require.FileExists(t, filepath.Join(out, journalName))
	left := map[string]string{
		"communities/femtech/" + tempPrefix + "atom.xml.4242-7": "half a feed",
		tempPrefix + ManifestName + ".4242-8":                   "half a manifest",
	}
	mine := map[string]string{"communities/femtech/" + tempPrefix + "notes": "not a temporary file of curafeed"}
	writeFiles(t, out, left)
	writeFiles(t, out, mine)

	st, err := cat.WriteDir(out)
	require.NoError(t, err)
	assert.Empty(t, st.Foreign)
	assert.Equal(t, 0, st.Written)
	assert.NoFileExists(t, filepath.Join(out, journalName))
	requireFiles(t, out, mine)
	if dirLocks {
		for rel := range left {
			assert.NoFileExists(t, filepath.Join(out, rel))
		}
	}
	for rel := range mine {
		require.NoError(t, os.Remove(filepath.Join(out, rel)))
	}
	for rel := range left {
		os.Remove(filepath.Join(out, rel))
	}
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
}

// catalogOf loads and builds the records under dir with sampleConfig.
func catalogOf(t *testing.T, dir string) *Catalog {
	t.Helper()
	recs, err := Load(os.DirFS(dir), sampleConfig)
	require.NoError(t, err)
	cat, err := Build(recs.All(), sampleConfig)
	require.NoError(t, err)
	return cat
}

// TestWriterRefusesUnlistablePaths requires the writer to refuse, before
// writing anything, a path the manifest could not list on one line, and
// the names of the manifest and its journal.
func TestWriterRefusesUnlistablePaths(t *testing.T) {
	out := t.TempDir()
	tw := newTreeWriter(catalogOf(t, "testdata/records"), out)
	for _, rel := range []string{"all\n/rss.xml", "a\rb.xml", "tab\there.xml", ManifestName, journalName} {
		assert.Error(t, tw.put(rel, []byte("x")), "%q", rel)
	}
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written, not even a journal")
}

// TestManifestLine requires each manifest line to be the checksum in 16
// lower-case hex digits, the size in decimal and the path, as documented.
func TestManifestLine(t *testing.T) {
	for _, e := range []manifestEntry{{0, 0, false}, {7, 1, false}, {123456789, 0xdeadbeef, false}, {1 << 40, ^uint64(0), false}} {
		assert.Equal(t, fmt.Sprintf("%016x %d %s\n", e.sum, e.size, "all/rss.xml"), manifestLine("all/rss.xml", e))
	}
}

// TestFileSum requires fileSum to be the CRC-32C and the CRC-32 of the
// bytes, as the manifest's header says.
func TestFileSum(t *testing.T) {
	assert.Equal(t, uint64(0), fileSum(nil))
	// The check values of both CRCs ("123456789").
	assert.Equal(t, uint64(0xe3069283cbf43926), fileSum([]byte("123456789")))
	assert.NotEqual(t, fileSum([]byte("ab")), fileSum([]byte("ba")))
}

// legacyList rewrites the manifest of out as the first version wrote it
// (CRC-64 of each file's bytes as they are now) and returns the files it
// lists.
func legacyList(t *testing.T, out string) []string {
	t.Helper()
	var b strings.Builder
	b.WriteString(manifestHeader1)
	listed := manifestPaths(t, out)
	for _, rel := range listed {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
		require.NoError(t, err)
		b.WriteString(manifestLine(rel, manifestEntry{size: int64(len(data)), sum: legacySum(data)}))
	}
	require.NoError(t, os.WriteFile(filepath.Join(out, ManifestName), []byte(b.String()), 0o644))
	return listed
}

// TestManifestFirstVersion requires a manifest of the first version (CRC-64
// checksums) to keep the files it lists curafeed's: a build after it writes
// nothing that did not change, leaves alone a file edited since (same size
// or not), and lists the tree anew as a fresh build would.
func TestManifestFirstVersion(t *testing.T) {
	forEachMode(t, func(t *testing.T, build func(string, Config, string) WriteStats) {
		records := copyTree(t, "testdata/records")
		out := t.TempDir()
		first := build(records, sampleConfig, out)
		want, err := os.ReadFile(filepath.Join(out, ManifestName))
		require.NoError(t, err)
		listed := legacyList(t, out)
		require.Len(t, listed, first.Files)

		st := build(records, sampleConfig, out)
		assert.Empty(t, st.Foreign)
		assert.Equal(t, 0, st.Written)
		have, err := os.ReadFile(filepath.Join(out, ManifestName))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(have), "the manifest is written in the current version")

		// Files edited after a first-version build are still found.
		legacyList(t, out)
		feed := filepath.Join(out, "communities", "femtech", "atom.xml")
		data, err := os.ReadFile(feed)
		require.NoError(t, err)
		feedMine := strings.Replace(string(data), "<feed", "<FEED", 1)
		require.NoError(t, os.WriteFile(feed, []byte(feedMine), 0o644))
		opml := filepath.Join(out, "index.opml")
		data, err = os.ReadFile(opml)
		require.NoError(t, err)
		opmlMine := string(data) + "\n"
		require.NoError(t, os.WriteFile(opml, []byte(opmlMine), 0o644))
		editTitle(t, records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md", "Edited")
		st = build(records, sampleConfig, out)
		requireFiles(t, out, map[string]string{"communities/femtech/atom.xml": feedMine, "index.opml": opmlMine})
		assert.Equal(t, []string{"communities/femtech/atom.xml", "index.opml"}, st.Foreign)
		assert.Positive(t, st.Written)
	})
}

// TestJournalFirstVersion requires the journal a build of the first version
// left to keep its files curafeed's, and a build that appends to it before
// it stops too to write its lines in that version's form.
func TestJournalFirstVersion(t *testing.T) {
	records := copyTree(t, "testdata/records")
	out := t.TempDir()
	_, err := catalogOf(t, records).WriteDir(out)
	require.NoError(t, err)
	listed := legacyList(t, out)
	manifest := filepath.Join(out, ManifestName)
	data, err := os.ReadFile(manifest)
	require.NoError(t, err)
	journal := strings.Replace(string(data), manifestHeader1, journalHeader1, 1)
	require.NoError(t, os.WriteFile(filepath.Join(out, journalName), []byte(journal), 0o644))
	require.NoError(t, os.Remove(manifest))

	// A build that stops after writing an edited feed.
	editTitle(t, records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md", "Edited")
	cat := catalogOf(t, records)
	tw, err := openTree(cat, out)
	require.NoError(t, err)
	require.NoError(t, cat.Files(func(f File) error {
		if f.Feed != nil {
			return tw.putFeed(f.Feed, f.Format, f.Body, docStats{})
		}
		return tw.put(f.Path, f.Body)
	}))
	require.Positive(t, tw.stats().Written)
	require.Empty(t, tw.stats().Foreign)
	require.NoError(t, tw.closeJournal(false))
	raw, err := os.ReadFile(filepath.Join(out, journalName))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(raw), journalHeader1))
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")[1:]
	require.Greater(t, len(lines), len(listed))
	for _, line := range lines[len(listed):] {
		rel, e, err := parseEntry(out, line, true)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel)))
		require.NoError(t, err)
		assert.True(t, e.holds(got), "%s: its line holds the CRC-64 of what was written", rel)
	}

	st, err := cat.WriteDir(out)
	require.NoError(t, err)
	assert.Empty(t, st.Foreign)
	assert.Equal(t, 0, st.Written)
	assert.NoFileExists(t, filepath.Join(out, journalName))
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
}
