package curafeed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildDirCachePack requires the record pack to be written once and
// then only appended to with the records that changed, never to hold more
// dead bytes than live ones after a build, and to keep serving damaged
// records after it was rewritten.
func TestBuildDirCachePack(t *testing.T) {
	src, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
	cfg := reloadConfig
	cfg.CacheDir = cache
	pack := filepath.Join(cache, packFileName)
	recs := map[string]string{}
	set := func(n int, title string) {
		p := recordPath("security", n)
		recs[p] = reloadRecord(n, "security", title, "2024-01-0"+string(rune('0'+n)))
		writeRecord(t, src, p, recs[p])
	}
	live := func() int64 {
		var n int64
		for _, data := range recs {
			n += packHead + int64(len(data))
		}
		return n
	}
	size := func() int64 {
		fi, err := os.Stat(pack)
		require.NoError(t, err)
		return fi.Size()
	}
	build := func() *Records {
		t.Helper()
		r, _, err := BuildDir(os.DirFS(src), cfg, out)
		require.NoError(t, err)
		return r
	}
	for n := 1; n <= 4; n++ {
		set(n, "Record")
	}
	build()
	first := size()
	assert.Equal(t, int64(len(packMagic))+live(), first, "the pack holds each record once")
	fi, err := os.Stat(pack)
	require.NoError(t, err)

	build()
	fi2, err := os.Stat(pack)
	require.NoError(t, err)
	assert.Equal(t, fi.ModTime(), fi2.ModTime(), "an unchanged build does not write the pack")

	set(1, "Record, edited")
	build()
	assert.Equal(t, first+packHead+int64(len(recs[recordPath("security", 1)])), size(), "only the changed record is appended")

	shrunk := false
	prev := size()
	for round := range 6 {
		for n := 1; n <= 4; n++ {
			set(n, "Record, round "+strings.Repeat("x", round))
		}
		build()
		s := size()
		dead := s - int64(len(packMagic)) - live()
		assert.LessOrEqual(t, dead, live(), "round %d: dead bytes never outweigh live ones", round)
		if s < prev {
			shrunk = true
		}
		prev = s
	}
	assert.True(t, shrunk, "the pack is rewritten with only its live entries")

	// After the rewrite, a damaged record is still rendered from the pack.
	p2 := recordPath("security", 2)
	good := recs[p2]
	writeRecord(t, src, p2, "---\ntitle: [\n")
	set(1, "Record, once more")
	r := build()
	assert.Equal(t, []string{p2}, r.Kept)
	clean, cleanOut := t.TempDir(), t.TempDir()
	for p, data := range recs {
		writeRecord(t, clean, p, data)
	}
	_, _, err = BuildDir(os.DirFS(clean), reloadConfig, cleanOut)
	require.NoError(t, err)
	require.Equal(t, good, recs[p2])
	sameTree(t, treeBytes(t, cleanOut), treeBytes(t, out))
}

// TestBuildDirCacheKeptOverCap requires a published record whose file
// grows over Config.MaxRecordBytes, and so is refused unread, to be kept in
// its last good version like a damaged one, build after build.
func TestBuildDirCacheKeptOverCap(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	cfg := reloadConfig
	cfg.CacheDir = t.TempDir()
	cfg.MaxRecordBytes = 4096
	p1, p2 := recordPath("security", 1), recordPath("security", 2)
	writeRecord(t, src, p1, reloadRecord(1, "security", "First", "2024-01-01"))
	writeRecord(t, src, p2, reloadRecord(2, "security", "Second", "2024-01-02"))
	_, _, err := BuildDir(os.DirFS(src), cfg, out)
	require.NoError(t, err)
	before := treeBytes(t, out)

	writeRecord(t, src, p2, reloadRecord(2, "security", "Second", "2024-01-02")+strings.Repeat("<p>more</p>\n", 1000))
	for i := range 3 {
		recs, st, err := BuildDir(os.DirFS(src), cfg, out)
		require.NoError(t, err)
		require.Len(t, recs.Errors, 1, "build %d", i)
		assert.Equal(t, []string{p2}, recs.Kept, "build %d", i)
		assert.Empty(t, st.Changed, "build %d", i)
		sameTree(t, before, treeBytes(t, out), "build %d", i)
	}
}

// TestBuildDirCacheKeptYieldsID requires a damaged record not to be kept
// when another record now has its ID: the other record is published, once.
func TestBuildDirCacheKeptYieldsID(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	cfg := reloadConfig
	cfg.CacheDir = t.TempDir()
	p1, p2 := recordPath("security", 1), recordPath("security", 2)
	writeRecord(t, src, p1, reloadRecord(1, "security", "First", "2024-01-01"))
	writeRecord(t, src, p2, reloadRecord(2, "security", "Second", "2024-01-02"))
	_, _, err := BuildDir(os.DirFS(src), cfg, out)
	require.NoError(t, err)

	writeRecord(t, src, p2, "")
	writeRecord(t, src, "communities/security/curated-content/moved.md", reloadRecord(2, "security", "Second, moved", "2024-01-02"))
	recs, _, err := BuildDir(os.DirFS(src), cfg, out)
	require.NoError(t, err)
	require.Len(t, recs.Errors, 1)
	assert.Empty(t, recs.Kept)
	assert.Equal(t, 2, recs.Published)
	atom, err := os.ReadFile(filepath.Join(out, "all", "atom.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(atom), "Second, moved")
	assert.Equal(t, 1, strings.Count(string(atom), "00000000-0000-5000-8000-000000000002"))
}

// TestBuildDirCachePackLink requires a build that starts a new record pack
// not to write through a link found at the pack's name.
func TestBuildDirCachePackLink(t *testing.T) {
	src, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	if err := os.Symlink(victim, filepath.Join(cache, packFileName)); err != nil {
		t.Skip("no symbolic links:", err)
	}
	writeRecord(t, src, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	cfg := reloadConfig
	cfg.CacheDir = cache
	_, _, err := BuildDir(os.DirFS(src), cfg, out)
	require.NoError(t, err)
	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(data))
	fi, err := os.Lstat(filepath.Join(cache, packFileName))
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular(), "the pack is a file of its own")
}
