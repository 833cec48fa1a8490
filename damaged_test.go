package curafeed

import (
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/curafeed/curafeed/internal/hubtest"
	"github.com/curafeed/curafeed/websub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// damages are ways a record file gets broken in place: each leaves a file
// that does not read as a record, and none of them withdraws the record.
var damages = map[string]func(rec string) string{
	"emptied":                  func(string) string { return "" },
	"blank lines":              func(string) string { return "\n \n\t\n" },
	"binary garbage":           func(string) string { return "PK\x03\x04\x00\x00\xff\xfe\x00garbage\x00" },
	"text garbage":             func(string) string { return "lorem ipsum, no front matter at all\n" },
	"cut before closing":       func(s string) string { return s[:strings.Index(s, "basePath:")] },
	"cut after the opening":    func(s string) string { return "---\n" },
	"cut in the opening":       func(string) string { return "--" },
	"front matter emptied":     func(s string) string { return "---\n---\n" + s[strings.LastIndex(s, "---\n")+4:] },
	"body only":                func(s string) string { return s[strings.LastIndex(s, "---\n")+4:] },
	"nul bytes":                func(s string) string { return strings.Repeat("\x00", len(s)) },
	"cut before closing, CRLF": func(s string) string { return strings.ReplaceAll(s[:strings.Index(s, "slug:")], "\n", "\r\n") },
}

// TestReloadDamagedRecordKept requires a published record whose file is
// damaged in place (emptied, overwritten, cut short) to be reported as a
// rejected record, to stay published in its last good version, and to leave
// no tombstone and nothing to announce to the hubs.
func TestReloadDamagedRecordKept(t *testing.T) {
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			m := newMemFS()
			p1, p2 := recordPath("security", 1), recordPath("security", 2)
			good := reloadRecord(2, "security", "Second", "2024-01-02")
			m.set(p1, reloadRecord(1, "security", "First", "2024-01-01"))
			m.set(p2, good)
			hub, got := hubtest.Counting(t)
			var reports []websub.PublishReport
			r, err := NewReloader(m, reloadConfig, ReloadOptions{
				Publisher: fastPublisher(hub),
				OnPublish: func(rep websub.PublishReport) { reports = append(reports, rep) },
			})
			require.NoError(t, err)
			before := get(t, r, "/all/atom.xml").Body.String()

			m.set(p2, damage(good))
			for i := range 2 { // a second load of the same damage keeps it too
				rep := r.Reload()
				require.NoError(t, rep.Err)
				require.Len(t, rep.Errors, 1, "load %d: the damaged file is an error", i)
				assert.Equal(t, p2, rep.Errors[0].Path)
				assert.Zero(t, rep.Skipped, "load %d: the damaged file is not skipped", i)
				assert.Equal(t, []string{p2}, rep.Kept, "load %d", i)
				assert.Equal(t, 2, rep.Published, "load %d", i)
				assert.Empty(t, rep.ChangedFeeds, "load %d: nothing to announce", i)
				atom := get(t, r, "/all/atom.xml").Body.String()
				assert.NotContains(t, atom, "deleted-entry", "load %d: no tombstone", i)
				assert.Equal(t, before, atom, "load %d: the feed is unchanged", i)
			}
			r.Close()
			assert.Empty(t, reports, "no publish")
			assert.Zero(t, got.Load(), "the hub is told nothing")

			// Mended: published as it now reads; deleted: withdrawn.
			m.set(p2, reloadRecord(2, "security", "Second, mended", "2024-01-02"))
			rep := r.Reload()
			assert.Empty(t, rep.Errors)
			assert.Empty(t, rep.Kept)
			assert.Contains(t, get(t, r, "/all/atom.xml").Body.String(), "Second, mended")
			m.set(p2, damage(good))
			require.Len(t, r.Reload().Kept, 1)
			m.remove(p2)
			rep = r.Reload()
			assert.Empty(t, rep.Errors)
			assert.Equal(t, 1, rep.Published)
			assert.Contains(t, get(t, r, "/all/atom.xml").Body.String(), "deleted-entry", "a deleted record is withdrawn")
		})
	}
}

// TestReloadNeverARecordStaysSkipped requires a file that never held a
// record to stay a skipped file, not an error, whatever it holds.
func TestReloadNeverARecordStaysSkipped(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	m.set("communities/security/notes.md", "just notes\n")
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	m.set("communities/security/notes.md", "")
	rep := r.Reload()
	assert.Empty(t, rep.Errors)
	assert.Equal(t, 1, rep.Skipped)
}

// rejections are ways a record file gets broken in place that leave it
// reading as a record, but a rejected one: the front matter no longer
// parses, or lacks what a record needs.
var rejections = map[string]func(rec string) string{
	"invalid YAML":    func(s string) string { return strings.Replace(s, "title: ", "title: [unclosed ", 1) },
	"tab indentation": func(s string) string { return strings.Replace(s, "date:", "\tdate:", 1) },
	"title removed":   func(s string) string { return strings.Replace(s, "title: Second\n", "", 1) },
	"duplicate key":   func(s string) string { return strings.Replace(s, "slug:", "title: again\nslug:", 1) },
	"not a mapping":   func(s string) string { return "---\n- a\n- b\n---\nbody\n" },
	"date unreadable": func(s string) string { return strings.Replace(s, "date: '2024-01-02'", "date: 'someday'", 1) },
}

// TestBuildDirCacheDamagedRecord requires a build with a cache to take a
// record damaged since the last build as a rejected record, not as a
// withdrawal: an error names it, it is not skipped, no feed carries a
// tombstone for it, and its last good version stays published, rendered
// from the cache's copy of its bytes when its feeds are rendered again, in
// this build and the next ones while it stays damaged. Mended, it is
// published as it now reads; deleted, it is withdrawn.
func TestBuildDirCacheDamagedRecord(t *testing.T) {
	all := map[string]func(string) string{}
	maps.Copy(all, damages)
	maps.Copy(all, rejections)
	for name, damage := range all {
		t.Run(name, func(t *testing.T) {
			src, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
			p1, p2, p3 := recordPath("security", 1), recordPath("security", 2), recordPath("security", 3)
			good := reloadRecord(2, "security", "Second", "2024-01-02")
			writeRecord(t, src, p1, reloadRecord(1, "security", "First", "2024-01-01"))
			writeRecord(t, src, p2, good)
			cfg := reloadConfig
			cfg.CacheDir = cache
			_, _, err := BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			before := treeBytes(t, out)

			writeRecord(t, src, p2, damage(good))
			for i := range 2 {
				recs, st, err := BuildDir(os.DirFS(src), cfg, out)
				require.NoError(t, err)
				require.Len(t, recs.Errors, 1, "build %d: the damaged file is an error", i)
				assert.Equal(t, p2, recs.Errors[0].Path)
				assert.Empty(t, recs.Skipped, "build %d: the damaged file is not skipped", i)
				assert.Equal(t, []string{p2}, recs.Kept, "build %d", i)
				assert.Equal(t, 2, recs.Published, "build %d: the kept record counts as published", i)
				assert.Empty(t, st.Changed, "build %d: nothing to announce", i)
				sameTree(t, before, treeBytes(t, out), "build %d: the last good version stays, byte for byte", i)
			}

			// Another record of its feeds changes: the feeds are rendered
			// again, the damaged record from its last good bytes, as a clean
			// build of the good version renders it.
			writeRecord(t, src, p3, reloadRecord(3, "security", "Third", "2024-01-03"))
			recs, st, err := BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			require.Len(t, recs.Errors, 1)
			assert.Equal(t, []string{p2}, recs.Kept)
			assert.NotEmpty(t, st.Changed)
			clean, cleanOut := t.TempDir(), t.TempDir()
			writeRecord(t, clean, p1, reloadRecord(1, "security", "First", "2024-01-01"))
			writeRecord(t, clean, p2, good)
			writeRecord(t, clean, p3, reloadRecord(3, "security", "Third", "2024-01-03"))
			_, _, err = BuildDir(os.DirFS(clean), reloadConfig, cleanOut)
			require.NoError(t, err)
			sameTree(t, treeBytes(t, cleanOut), treeBytes(t, out), "the kept record is rendered from its last good bytes")

			// Mended: published as it now reads.
			writeRecord(t, src, p2, reloadRecord(2, "security", "Second, mended", "2024-01-02"))
			recs, _, err = BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			assert.Empty(t, recs.Errors)
			assert.Empty(t, recs.Kept)
			atom, err := os.ReadFile(filepath.Join(out, "all", "atom.xml"))
			require.NoError(t, err)
			assert.Contains(t, string(atom), "Second, mended")

			// Damaged again, then deleted: withdrawn, with a tombstone.
			writeRecord(t, src, p2, damage(good))
			recs, _, err = BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			assert.Equal(t, []string{p2}, recs.Kept)
			atom, err = os.ReadFile(filepath.Join(out, "all", "atom.xml"))
			require.NoError(t, err)
			assert.Contains(t, string(atom), "Second, mended", "the last good version is the mended one")
			require.NoError(t, os.Remove(filepath.Join(src, filepath.FromSlash(p2))))
			recs, st, err = BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			assert.Empty(t, recs.Errors)
			assert.Empty(t, recs.Kept)
			assert.Equal(t, 2, recs.Published)
			assert.NotEmpty(t, st.Changed)
			atom, err = os.ReadFile(filepath.Join(out, "all", "atom.xml"))
			require.NoError(t, err)
			assert.Contains(t, string(atom), "deleted-entry", "a deleted record is withdrawn")
			assert.NotContains(t, string(atom), "Second, mended")
		})
	}
}

// TestBuildDirCacheDamagedRecordNoPack requires a build whose cache lost
// its copy of the record bytes (the pack file deleted, emptied or
// overwritten) to still succeed: the damaged record is then an error and
// left out of the feeds, without a tombstone.
func TestBuildDirCacheDamagedRecordNoPack(t *testing.T) {
	for name, spoil := range map[string]func(p string) error{
		"deleted": os.Remove,
		"emptied": func(p string) error { return os.WriteFile(p, nil, 0o644) },
		"garbage": func(p string) error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i := range data {
				data[i] ^= 0x5a
			}
			return os.WriteFile(p, data, 0o644)
		},
		"cut short": func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()-10)
		},
	} {
		t.Run(name, func(t *testing.T) {
			src, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
			p1, p2 := recordPath("security", 1), recordPath("security", 2)
			good := reloadRecord(2, "security", "Second", "2024-01-02")
			writeRecord(t, src, p1, reloadRecord(1, "security", "First", "2024-01-01"))
			writeRecord(t, src, p2, good)
			cfg := reloadConfig
			cfg.CacheDir = cache
			_, _, err := BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			pack := filepath.Join(cache, "records.pack")
			require.FileExists(t, pack)
			require.NoError(t, spoil(pack))

			writeRecord(t, src, p2, "")
			recs, _, err := BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			require.Len(t, recs.Errors, 1)
			assert.Empty(t, recs.Kept)
			assert.Equal(t, 1, recs.Published)
			atom, err := os.ReadFile(filepath.Join(out, "all", "atom.xml"))
			require.NoError(t, err)
			assert.NotContains(t, string(atom), "Second")
			assert.NotContains(t, string(atom), "deleted-entry")

			// Mended, the record is back and its bytes are kept again.
			writeRecord(t, src, p2, good)
			_, _, err = BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			writeRecord(t, src, p2, "--")
			recs, _, err = BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)
			assert.Equal(t, []string{p2}, recs.Kept)
		})
	}
}

// TestDamagedRetractedRecordKeepsTombstone requires a withdrawn record
// whose file is then damaged to keep its tombstone, in a cached build and
// under a Reloader.
func TestDamagedRetractedRecordKeepsTombstone(t *testing.T) {
	p2 := recordPath("security", 2)
	retracted := strings.Replace(reloadRecord(2, "security", "Second", "2024-01-02"), "slug:", "status: retracted\nslug:", 1)
	tombstone := `ref="urn:uuid:00000000-0000-5000-8000-000000000002"`

	src, out := t.TempDir(), t.TempDir()
	writeRecord(t, src, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	writeRecord(t, src, p2, retracted)
	cfg := reloadConfig
	cfg.CacheDir = t.TempDir()
	_, _, err := BuildDir(os.DirFS(src), cfg, out)
	require.NoError(t, err)
	atom := filepath.Join(out, "all", "atom.xml")
	data, err := os.ReadFile(atom)
	require.NoError(t, err)
	want := string(data)
	require.Contains(t, want, tombstone)
	writeRecord(t, src, p2, "")
	for i := range 2 {
		recs, _, err := BuildDir(os.DirFS(src), cfg, out)
		require.NoError(t, err)
		assert.Len(t, recs.Errors, 1)
		data, err := os.ReadFile(atom)
		require.NoError(t, err)
		assert.Equal(t, want, string(data), "build %d: the tombstone stays as it was", i)
	}

	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	m.set(p2, retracted)
	r, err := NewReloader(m, reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	before := get(t, r, "/all/atom.xml").Body.String()
	require.Contains(t, before, tombstone)
	m.set(p2, "")
	for i := range 2 {
		rep := r.Reload()
		assert.Len(t, rep.Errors, 1)
		assert.Empty(t, rep.ChangedFeeds)
		assert.Equal(t, before, get(t, r, "/all/atom.xml").Body.String(), "load %d", i)
	}
}

// sameTree reports the files that differ between two trees.
func sameTree(t *testing.T, want, got map[string][]byte, msgAndArgs ...any) {
	t.Helper()
	var diff []string
	for p, w := range want {
		if g, ok := got[p]; !ok || string(g) != string(w) {
			diff = append(diff, p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			diff = append(diff, p+" (added)")
		}
	}
	sort.Strings(diff)
	assert.Empty(t, diff, msgAndArgs...)
}

// writeRecord writes data at rel under dir.
func writeRecord(t *testing.T, dir, rel, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	return p
}
