package curafeed

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// restartConfig is sampleConfig with a clock and a cache folder.
func restartConfig(t *testing.T) Config {
	cfg := sampleConfig
	cfg.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg.CacheDir = t.TempDir()
	return cfg
}

// startReloader makes a Reloader of fsys and returns it with the report of
// its first load.
func startReloader(t *testing.T, fsys fs.FS, cfg Config) (*Reloader, ReloadReport) {
	t.Helper()
	var rep ReloadReport
	r, err := NewReloader(fsys, cfg, ReloadOptions{OnReload: func(x ReloadReport) { rep = x }})
	require.NoError(t, err)
	t.Cleanup(r.Close)
	return r, rep
}

// requireSameServed requires r to serve every file, with its headers and
// bytes, as want serves it.
func requireSameServed(t *testing.T, name string, want, r *Reloader) {
	t.Helper()
	paths := slices.Sorted(maps.Keys(want.cur.Load().h.files))
	require.Equal(t, paths, slices.Sorted(maps.Keys(r.cur.Load().h.files)), name)
	for _, p := range paths {
		for _, hdr := range []map[string]string{nil, {"Accept-Encoding": "gzip"}} {
			got, exp := do(r, "GET", "/"+p, hdr), do(want, "GET", "/"+p, hdr)
			require.Equal(t, exp.Code, got.Code, "%s: %s %v", name, p, hdr)
			require.Equal(t, exp.Header(), got.Header(), "%s: %s %v", name, p, hdr)
			require.True(t, bytes.Equal(exp.Body.Bytes(), got.Body.Bytes()), "%s: %s %v differs", name, p, hdr)
		}
	}
}

// requireSameItems requires the catalogs of two Reloaders to hold the same
// items, field by field, bodies included.
func requireSameItems(t *testing.T, name string, want, have *Catalog) {
	t.Helper()
	w, h := want.Feeds[0].Items, have.Feeds[0].Items
	require.Equal(t, len(w), len(h), name)
	for i := range w {
		a, b := w[i], h[i]
		require.Equal(t, a.ID, b.ID, name)
		for _, pair := range [][2]any{
			{a.Title, b.Title}, {a.Summary, b.Summary}, {a.URL, b.URL}, {a.ExternalURL, b.ExternalURL},
			{a.Brand, b.Brand}, {a.Tags, b.Tags}, {a.Authors, b.Authors}, {a.Image, b.Image},
			{a.Community, b.Community}, {a.Topics, b.Topics}, {a.Status, b.Status}, {a.Archetype, b.Archetype},
			{a.Published, b.Published}, {a.Updated, b.Updated}, {a.ContentHTML(), b.ContentHTML()},
		} {
			require.Equal(t, pair[0], pair[1], "%s: item %s", name, a.ID)
		}
	}
}

// TestReloaderRestartFromCache requires a Reloader made with the cache
// folder a Reloader saved to read no record file whose size and stamp
// are unchanged, and still serve the bytes, and give the items, of a
// Reloader that read every record; records edited, removed or damaged
// while no Reloader ran are read and handled as a cached build handles
// them.
func TestReloaderRestartFromCache(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	fresh := func(name string) *Reloader {
		t.Helper()
		c := cfg
		c.CacheDir = ""
		r, _ := startReloader(t, DirFS(dir), c)
		return r
	}
	first, rep := startReloader(t, DirFS(dir), cfg)
	require.Empty(t, rep.Errors)
	require.NoError(t, first.Save())

	counted := &mdOpens{FS: DirFS(dir), opens: map[string]int{}}
	r, rep := startReloader(t, counted, cfg)
	require.NoError(t, rep.Err)
	assert.Empty(t, counted.opens, "no record file is opened")
	assert.Equal(t, 3, rep.Rendered, "only index.opml, index.html and feed.xsl are made again")
	assert.Equal(t, first.cur.Load().rep.Published, rep.Published)
	requireSameServed(t, "nothing changed", first, r)
	requireSameItems(t, "nothing changed", first.Catalog(), r.Catalog())

	// An edit after the restart reloads as on a Reloader that read every
	// record: the documents holding it read the other items' bodies.
	items := r.Catalog().Feeds[0].Items
	require.Greater(t, len(items), 3)
	edited := items[len(items)/2].Path
	file := filepath.Join(dir, filepath.FromSlash(edited))
	orig, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, append(slices.Clone(orig), "\n\nA sentence added.\n"...), 0o644))
	rep = r.reload([]string{edited})
	require.NoError(t, rep.Err)
	assert.Greater(t, rep.Rendered, 0)
	assert.Less(t, rep.Files-rep.Rendered, rep.Files)
	requireSameServed(t, "edited after the restart", fresh("edited after"), r)

	// Saved again, then edited and damaged while nothing runs.
	require.NoError(t, r.Save())
	r.Close()
	require.NoError(t, os.WriteFile(file, orig, 0o644))
	damagedName := items[len(items)-1].Path
	require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(damagedName)), nil, 0o644))
	counted = &mdOpens{FS: DirFS(dir), opens: map[string]int{}}
	r, rep = startReloader(t, counted, cfg)
	require.NoError(t, rep.Err)
	assert.Contains(t, counted.opens, edited, "the edited record is read again")
	require.Len(t, rep.Errors, 1, "the emptied record is rejected, not withdrawn")
	assert.Equal(t, damagedName, rep.Errors[0].Path)
	assert.Contains(t, rep.Errors[0].Error(), "damaged record")
	want := fresh("edited and damaged")
	requireSameServed(t, "edited and damaged while stopped", want, r)
	requireSameItems(t, "edited and damaged while stopped", want.Catalog(), r.Catalog())

	// Removed while nothing runs: the record gets a tombstone, as after a
	// cached build.
	require.NoError(t, r.Save())
	r.Close()
	removed := items[1]
	require.NoError(t, os.Remove(filepath.Join(dir, filepath.FromSlash(removed.Path))))
	r, rep = startReloader(t, DirFS(dir), cfg)
	require.NoError(t, rep.Err)
	for _, it := range r.Catalog().Feeds[0].Items {
		assert.NotEqual(t, removed.ID, it.ID, "the removed record is not published")
	}
	atom := do(r, "GET", "/"+r.Catalog().Feeds[0].Path+"/atom.xml", nil).Body.String()
	assert.Contains(t, atom, `ref="`+removed.ID+`"`, "the removed record has a tombstone")
}

// appendToRecord appends text to the record file at path in the folder dir.
func appendToRecord(t *testing.T, dir, path, text string) {
	t.Helper()
	file := filepath.Join(dir, filepath.FromSlash(path))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, append(data, text...), 0o644))
}

// mdOpens counts, by path, the record files (*.md) opened, to read or to
// stat them, and stat'ed.
type mdOpens struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
	stats map[string]int
}

func (m *mdOpens) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, ".md") {
		m.mu.Lock()
		m.opens[name]++
		m.mu.Unlock()
	}
	return m.FS.Open(name)
}

// Stat stats without opening, as the folder's own file system does.
func (m *mdOpens) Stat(name string) (fs.FileInfo, error) {
	if strings.HasSuffix(name, ".md") {
		m.mu.Lock()
		if m.stats != nil {
			m.stats[name]++
		}
		m.mu.Unlock()
	}
	return fs.Stat(m.FS, name)
}

func (m *mdOpens) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(m.FS, name) }

// TestReloaderRestartJoinedCommunity requires a Reloader restarted from the
// cache to know each record as it parsed, not as collecting the records
// joined its community to another: an edit of such a record that keeps
// its place in the catalog is then swapped into the served catalog
// (Reloader.quick), as on the Reloader that saved.
func TestReloaderRestartJoinedCommunity(t *testing.T) {
	m := newMemFS()
	body := func(title, extra string) string {
		return fmt.Sprintf("---\ntitle: %s\ndate: 2021-01-02\n%s---\nBody of %s.\n", title, extra, title)
	}
	m.set("a.md", body("A", "id: 1\nbasePath: /communities/security/curated-content/\nslug: a\nidentifier: Security\n"))
	m.set("b.md", body("B", "id: 2\ntype: communities/medigy-security\n"))
	cfg := testConfig
	cfg.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg.CacheDir = t.TempDir()
	first, _ := startReloader(t, m, cfg)
	require.NoError(t, first.Save())
	r, rep := startReloader(t, m, cfg)
	require.NoError(t, rep.Err)
	require.Len(t, r.Catalog().Feeds[0].Items, 2)
	for _, it := range r.Catalog().Feeds[0].Items {
		assert.Equal(t, Community{"security", "Security"}, it.Community, it.Title)
	}

	m.set("b.md", body("B, edited", "id: 2\ntype: communities/medigy-security\n"))
	rep = r.reload([]string{"b.md"})
	require.NoError(t, rep.Err)
	assert.NotNil(t, r.cur.Load().cat.patched, "the edit is swapped in, not loaded again with every record")
	c := cfg
	c.CacheDir = ""
	want, _ := startReloader(t, m, c)
	requireSameServed(t, "after the edit", want, r)
}

// TestReloaderSharesBuildCache requires a Reloader and BuildDir to share
// one cache folder: a Reloader reads the records whose entries a build
// wrote (light ones) and serves what a Reloader without a cache serves; a
// build after the Reloader saved writes the bytes of a clean build, and,
// the cache still knowing its outputs, rewrites none of its files.
func TestReloaderSharesBuildCache(t *testing.T) {
	records := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	out := t.TempDir()
	_, st, err := BuildDir(os.DirFS(records), cfg, out)
	require.NoError(t, err)
	require.Greater(t, st.Written, 0)

	counted := &mdOpens{FS: DirFS(records), opens: map[string]int{}}
	r, rep := startReloader(t, counted, cfg)
	require.NoError(t, rep.Err)
	for _, it := range r.cur.Load().items {
		assert.Equal(t, 1, counted.opens[it.Path], "a build's entries are light: every record is read")
	}
	c := cfg
	c.CacheDir = ""
	want, _ := startReloader(t, DirFS(records), c)
	requireSameServed(t, "from a build's cache", want, r)
	require.NoError(t, r.Save())

	counted = &mdOpens{FS: os.DirFS(records), opens: map[string]int{}}
	_, st, err = BuildDir(counted, cfg, out)
	require.NoError(t, err)
	assert.Equal(t, 0, st.Written)
	assert.Empty(t, counted.opens, "the outputs the build cache knew are kept, not made again from the records")
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))

	// A record edited: the build after the Reloader's save renders what
	// it reaches, and still writes a clean build's bytes.
	appendToRecord(t, records, r.Catalog().Feeds[0].Items[0].Path, "\nAn edit.\n")
	_, st, err = BuildDir(os.DirFS(records), cfg, out)
	require.NoError(t, err)
	assert.Greater(t, st.Written, 0)
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
}

// TestReloaderSaveWritesChanges requires a Reloader's save to leave the
// build cache as it is when no record changed since the last save, and to
// append only what changed otherwise.
func TestReloaderSaveWritesChanges(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	first, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, first.Save())
	cache := filepath.Join(cfg.CacheDir, cacheFileName)
	before, err := os.Stat(cache)
	require.NoError(t, err)

	r, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, r.Save())
	after, err := os.Stat(cache)
	require.NoError(t, err)
	assert.Equal(t, before.Size(), after.Size())
	assert.Equal(t, before.ModTime(), after.ModTime(), "nothing changed: not written")

	it := r.Catalog().Feeds[0].Items[0]
	appendToRecord(t, dir, it.Path, "\nAn edit.\n")
	require.NoError(t, r.reload([]string{it.Path}).Err)
	require.NoError(t, r.Save())
	edited, err := os.Stat(cache)
	require.NoError(t, err)
	grew := edited.Size() - after.Size()
	assert.Greater(t, grew, int64(0), "the edit is appended")
	assert.Less(t, grew, after.Size()/10, "only the edited record's entry")
	ncfg, _, err := cfg.normalize()
	require.NoError(t, err)
	assert.Equal(t, r.cur.Load().memo[it.Path].sum, readCache(cfg.CacheDir, ncfg).Records[it.Path].Sum)
}

// TestReloaderRestartMovesBodies requires the bodies of items restored
// from the cache to follow the Reloader's bodies to a fresh file (see
// snapshot.moveBodies), read or not yet read, so that nothing needs the
// old file once it is closed.
func TestReloaderRestartMovesBodies(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	first, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, first.Save())
	want := map[string]string{}
	for _, it := range first.cur.Load().items {
		want[it.ID] = it.ContentHTML()
	}

	r, _ := startReloader(t, DirFS(dir), cfg)
	s := r.cur.Load()
	require.NotEmpty(t, s.items)
	read := s.items[0]
	require.NotNil(t, read.content)
	require.NotNil(t, read.content.from, "restored from the cache, its body unread")
	require.Equal(t, want[read.ID], read.ContentHTML()) // read now, into r.bodies
	require.NotNil(t, read.content.stored())
	require.Nil(t, s.items[1].content.stored(), "still unread")

	moved, to, ok := s.moveBodies(r.bodies)
	require.True(t, ok)
	r.bodies.close()
	r.bodies = to // closed with the Reloader
	require.Len(t, moved.items, len(s.items))
	for _, it := range moved.items {
		if it.content == nil {
			continue
		}
		if l := it.content.stored(); l != nil {
			assert.Same(t, to, l.spill, it.ID)
		} else {
			assert.Same(t, to, it.content.from.spill, it.ID)
		}
		assert.Equal(t, want[it.ID], it.ContentHTML(), it.ID)
		assert.Same(t, to, it.content.stored().spill, "%s: read into the fresh file", it.ID)
	}
}

// TestReloaderRestartServesSavedData requires a Reloader restarted from
// saved feeds to serve the files it took from them out of the saved data
// file, without copying them, and to go on serving them after a later save
// has replaced that file, and after reloads.
func TestReloaderRestartServesSavedData(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	first, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, first.Save())
	saved, err := filepath.Glob(filepath.Join(cfg.CacheDir, stateDataGlob))
	require.NoError(t, err)
	require.Len(t, saved, 1)
	size, err := os.Stat(saved[0])
	require.NoError(t, err)

	r, rep := startReloader(t, DirFS(dir), cfg)
	h := r.cur.Load().h
	require.NotNil(t, h.base)
	assert.Less(t, h.store.end.Load(), size.Size()/10, "only the %d files rendered go to the temporary store", rep.Rendered)
	base := 0
	for _, e := range h.files {
		if e.gz != nil && e.gz.stored == h.base || e.gz == nil && e.plain.stored == h.base {
			base++
		}
	}
	assert.Equal(t, rep.Files-rep.Rendered, base, "every file taken from the saved feeds is read from their data file")

	require.NoError(t, r.Save()) // a new data file; the old one's name goes
	requireSameServed(t, "after a save", first, r)

	it := r.Catalog().Feeds[0].Items[0]
	appendToRecord(t, dir, it.Path, "\nAn edit.\n")
	require.NoError(t, r.reload([]string{it.Path}).Err)
	require.NoError(t, r.Reload().Err)
	c := cfg
	c.CacheDir = ""
	want, _ := startReloader(t, DirFS(dir), c)
	requireSameServed(t, "after reloads", want, r)
}

// TestReloadWalksOnce requires a load to look at the record files once, in
// one walk of their folders, which gives both the signature Watch compares
// and what the load needs to trust unchanged files: a reload with nothing
// changed opens and stats no record file.
func TestReloadWalksOnce(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	counted := &mdOpens{FS: DirFS(dir), opens: map[string]int{}, stats: map[string]int{}}
	cfg := restartConfig(t)
	cfg.CacheDir = ""
	r, _ := startReloader(t, counted, cfg)
	counted.mu.Lock()
	clear(counted.opens)
	clear(counted.stats)
	counted.mu.Unlock()
	rep := r.Reload()
	require.NoError(t, rep.Err)
	assert.Greater(t, rep.Read, 40)
	assert.Empty(t, counted.opens)
	assert.Empty(t, counted.stats)
	assert.Equal(t, r.signature(), r.sig.Load(), "the load's signature is the one Watch compares")
}

// TestReloaderRestartRecordChangedDuringLoad requires a Reloader restarted
// from the cache to start when a record the cache vouched for changes
// while its first load runs, before the load reads its body for a
// document: the load is made again, and serves the record as it is now.
func TestReloaderRestartRecordChangedDuringLoad(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	first, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, first.Save())
	items := first.Catalog().Feeds[0].Items
	require.Greater(t, len(items), 2)
	// The newest record edited while nothing ran: the site feed is made
	// again on the restart, and reads the body of the second newest.
	appendToRecord(t, dir, items[0].Path, "\nEdited while stopped.\n")
	fsys := &editOnOpen{FS: DirFS(dir), path: items[1].Path, file: filepath.Join(dir, filepath.FromSlash(items[1].Path)), add: "\nChanged during the load.\n"}

	r, rep := startReloader(t, fsys, cfg)
	require.NoError(t, rep.Err)
	require.True(t, fsys.done, "the second record's body was read during the load")
	var got *Item
	for _, it := range r.Catalog().Feeds[0].Items {
		if it.ID == items[1].ID {
			got = it
		}
	}
	require.NotNil(t, got)
	assert.Contains(t, got.ContentHTML(), "Changed during the load")
	c := cfg
	c.CacheDir = ""
	want, _ := startReloader(t, DirFS(dir), c)
	requireSameServed(t, "changed during the load", want, r)
}

// editOnOpen appends add to the file at path (on disk: file) the first
// time path is opened, just before it is.
type editOnOpen struct {
	fs.FS
	path, file, add string
	mu              sync.Mutex
	done            bool
}

func (e *editOnOpen) Open(name string) (fs.File, error) {
	e.mu.Lock()
	if name == e.path && !e.done {
		e.done = true
		f, err := os.OpenFile(e.file, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(e.add)
			f.Close()
		}
		if err != nil {
			e.mu.Unlock()
			return nil, err
		}
	}
	e.mu.Unlock()
	return e.FS.Open(name)
}

func (e *editOnOpen) Stat(name string) (fs.FileInfo, error) { return fs.Stat(e.FS, name) }

func (e *editOnOpen) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(e.FS, name) }

// TestItemsGivenAreWhole requires every item a caller is given (by Load,
// and in the catalog of a Reloader, fresh or restarted from the cache) to
// be whole: held and light items never leave BuildDir.
func TestItemsGivenAreWhole(t *testing.T) {
	dir := copyTree(t, "testdata/records")
	cfg := restartConfig(t)
	recs, err := Load(DirFS(dir), cfg)
	require.NoError(t, err)
	first, _ := startReloader(t, DirFS(dir), cfg)
	require.NoError(t, first.Save())
	restarted, _ := startReloader(t, DirFS(dir), cfg)
	_, _, err = BuildDir(DirFS(dir), cfg, t.TempDir()) // a cached build: its items are held and light
	require.NoError(t, err)
	for name, items := range map[string][]*Item{
		"Load": recs.All(), "Reloader": first.Catalog().Feeds[0].Items, "restarted Reloader": restarted.Catalog().Feeds[0].Items,
	} {
		require.NotEmpty(t, items, name)
		for _, it := range items {
			assert.Equal(t, formWhole, it.form, "%s: %s", name, it.Path)
			assert.NotEmpty(t, it.Title, "%s: %s", name, it.Path)
		}
	}
}
