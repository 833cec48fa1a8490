package curafeed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
			hub, got := countingHub(t)
			var reports []PublishReport
			r, err := NewReloader(m, reloadConfig, ReloadOptions{
				Publisher: fastPublisher(hub),
				OnPublish: func(rep PublishReport) { reports = append(reports, rep) },
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

// TestBuildDirCacheDamagedRecord requires a build with a cache to take a
// record damaged since the last build as a rejected record, not as a
// withdrawal: an error names it, it is not skipped, and no feed carries a
// tombstone for it, in this build and the next ones while it stays damaged.
func TestBuildDirCacheDamagedRecord(t *testing.T) {
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			src, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
			p1, p2 := recordPath("security", 1), recordPath("security", 2)
			good := reloadRecord(2, "security", "Second", "2024-01-02")
			write := func(rel, data string) {
				p := filepath.Join(src, filepath.FromSlash(rel))
				require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
				require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
			}
			write(p1, reloadRecord(1, "security", "First", "2024-01-01"))
			write(p2, good)
			cfg := reloadConfig
			cfg.CacheDir = cache
			_, _, err := BuildDir(os.DirFS(src), cfg, out)
			require.NoError(t, err)

			write(p2, damage(good))
			for i := range 2 {
				recs, _, err := BuildDir(os.DirFS(src), cfg, out)
				require.NoError(t, err)
				require.Len(t, recs.Errors, 1, "build %d: the damaged file is an error", i)
				assert.Equal(t, p2, recs.Errors[0].Path)
				assert.Empty(t, recs.Skipped, "build %d: the damaged file is not skipped", i)
				for rel, data := range treeBytes(t, out) {
					assert.NotContains(t, string(data), "deleted-entry", "build %d: %s has a tombstone", i, rel)
				}
			}
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

// writeRecord writes data at rel under dir.
func writeRecord(t *testing.T, dir, rel, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	return p
}
