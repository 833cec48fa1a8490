//go:build unix

package curafeed

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangGuard is how long a read of the records may take before the test
// takes it as hung; a read that works ends in milliseconds.
const hangGuard = 10 * time.Second

// within runs fn and fails the test if it has not returned by hangGuard; a
// hung fn is left running (the test binary ends with the test).
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(hangGuard):
		t.Fatalf("%s hung", what)
	}
}

// unblockFIFO lets a reader blocked opening or reading the named pipe p
// go on, by opening it for writing and closing it.
func unblockFIFO(p string) {
	if f, err := os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
}

// recordFolders are the ways a records folder is given to curafeed.
var recordFolders = map[string]func(t *testing.T, dir string) fs.FS{
	"os.DirFS": func(t *testing.T, dir string) fs.FS { return os.DirFS(dir) },
	"DirFS":    func(t *testing.T, dir string) fs.FS { return DirFS(dir) },
}

// readAllWays loads fsys, builds it with and without a cache, and starts a
// Reloader on it, each within hangGuard, and returns the errors each
// reported for path.
func readAllWays(t *testing.T, fsys fs.FS, cfg Config, path string) map[string]*RecordError {
	t.Helper()
	found := map[string]*RecordError{}
	find := func(way string, errs ErrorList) {
		for _, e := range errs {
			if e.Path == path {
				found[way] = e
			}
		}
	}
	within(t, "Load", func() {
		recs, err := Load(fsys, cfg)
		if assert.NoError(t, err) {
			find("Load", recs.Errors)
			assert.NotZero(t, recs.Published, "the good records are published")
		}
	})
	within(t, "BuildDir", func() {
		recs, _, err := BuildDir(fsys, cfg, t.TempDir())
		if assert.NoError(t, err) {
			find("BuildDir", recs.Errors)
		}
	})
	within(t, "BuildDir with a cache", func() {
		c := cfg
		c.CacheDir = t.TempDir()
		for range 2 {
			recs, _, err := BuildDir(fsys, c, t.TempDir())
			if assert.NoError(t, err) {
				find("BuildDir with a cache", recs.Errors)
			}
		}
	})
	within(t, "NewReloader", func() {
		var errs ErrorList
		r, err := NewReloader(fsys, cfg, ReloadOptions{OnReload: func(rep ReloadReport) { errs = rep.Errors }})
		if assert.NoError(t, err) {
			find("Reloader", errs)
			r.Reload()
			find("Reloader", errs)
			r.Close()
		}
	})
	return found
}

// TestRecordsNotRegularFiles requires a record path that is not a regular
// file (a named pipe, a link to a device, to a pipe, to a folder) to be
// refused with an error naming it, without hanging or reading without end,
// and every other record to be published.
func TestRecordsNotRegularFiles(t *testing.T) {
	for fsName, open := range recordFolders {
		for _, tc := range []struct {
			name string
			make func(t *testing.T, dir, p string) // makes the hostile file at p
		}{
			{"fifo", func(t *testing.T, dir, p string) {
				require.NoError(t, syscall.Mkfifo(p, 0o644))
				t.Cleanup(func() {
					for range 100 { // a reader left blocked on it, when the test fails
						unblockFIFO(p)
					}
				})
			}},
			{"link to /dev/zero", func(t *testing.T, dir, p string) {
				require.NoError(t, os.Symlink("/dev/zero", p))
			}},
			{"link to a fifo", func(t *testing.T, dir, p string) {
				fifo := filepath.Join(dir, "pipe")
				require.NoError(t, syscall.Mkfifo(fifo, 0o644))
				require.NoError(t, os.Symlink("../../../pipe", p))
				t.Cleanup(func() {
					for range 100 {
						unblockFIFO(fifo)
					}
				})
			}},
			{"unix socket", func(t *testing.T, dir, p string) {
				// Socket paths are short: listen in a short folder, then
				// move the socket into place.
				short, err := os.MkdirTemp("", "cf")
				require.NoError(t, err)
				t.Cleanup(func() { os.RemoveAll(short) })
				l, err := net.Listen("unix", filepath.Join(short, "s"))
				require.NoError(t, err)
				t.Cleanup(func() { l.Close() })
				require.NoError(t, os.Rename(filepath.Join(short, "s"), p))
			}},
			{"link to a folder", func(t *testing.T, dir, p string) {
				require.NoError(t, os.Mkdir(filepath.Join(dir, "folder"), 0o755))
				require.NoError(t, os.Symlink("../../../folder", p))
			}},
		} {
			t.Run(fsName+"/"+tc.name, func(t *testing.T) {
				if _, err := os.Stat("/dev/zero"); err != nil && strings.Contains(tc.name, "zero") {
					t.Skip("no /dev/zero")
				}
				dir := t.TempDir()
				writeRecord(t, dir, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
				rel := "communities/security/curated-content/x.md"
				tc.make(t, dir, filepath.Join(dir, filepath.FromSlash(rel)))
				found := readAllWays(t, open(t, dir), reloadConfig, rel)
				for _, way := range []string{"Load", "BuildDir", "BuildDir with a cache", "Reloader"} {
					e := found[way]
					if assert.NotNil(t, e, "%s: no error for %s", way, rel) {
						assert.Contains(t, e.Error(), rel, way)
						if fsName == "DirFS" && strings.Contains(tc.name, "/dev/") {
							assert.Contains(t, e.Error(), "out of the records folder", way)
						} else {
							assert.Contains(t, e.Error(), "not a regular file", way)
						}
					}
				}
			})
		}
	}
}

// TestRecordsBrokenLinks requires a link loop and a dangling link to be
// errors naming the file, and the other records to be published.
func TestRecordsBrokenLinks(t *testing.T) {
	for fsName, open := range recordFolders {
		t.Run(fsName, func(t *testing.T) {
			dir := t.TempDir()
			writeRecord(t, dir, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
			cc := filepath.Join(dir, "communities", "security", "curated-content")
			require.NoError(t, os.Symlink("loop-b.md", filepath.Join(cc, "loop-a.md")))
			require.NoError(t, os.Symlink("loop-a.md", filepath.Join(cc, "loop-b.md")))
			require.NoError(t, os.Symlink("nowhere.md", filepath.Join(cc, "dangling.md")))
			for _, rel := range []string{"loop-a.md", "loop-b.md", "dangling.md"} {
				found := readAllWays(t, open(t, dir), reloadConfig, "communities/security/curated-content/"+rel)
				for _, way := range []string{"Load", "BuildDir", "BuildDir with a cache", "Reloader"} {
					assert.NotNil(t, found[way], "%s: no error for %s", way, rel)
				}
			}
		})
	}
}

// TestRecordsLinksOutOfFolder requires DirFS to refuse a record that is a
// link leading out of the records folder, relative or absolute, and to
// follow links that stay inside.
func TestRecordsLinksOutOfFolder(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "records")
	secret := writeRecord(t, base, "outside/secret.md", reloadRecord(7, "security", "HOSTILE-FILES-ESCAPE-MARKER", "2024-01-07"))
	writeRecord(t, dir, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	writeRecord(t, dir, "shared/inside.md", reloadRecord(8, "security", "Inside link", "2024-01-08"))
	cc := filepath.Join(dir, "communities", "security", "curated-content")
	require.NoError(t, os.Symlink("../../../../outside/secret.md", filepath.Join(cc, "relative.md")))
	require.NoError(t, os.Symlink(secret, filepath.Join(cc, "absolute.md")))
	require.NoError(t, os.Symlink("../../../shared/inside.md", filepath.Join(cc, "inside.md")))

	fsys := DirFS(dir)
	recs, err := Load(fsys, reloadConfig)
	require.NoError(t, err)
	var bad []string
	for _, e := range recs.Errors {
		bad = append(bad, e.Path)
	}
	assert.ElementsMatch(t, []string{
		"communities/security/curated-content/absolute.md",
		"communities/security/curated-content/relative.md",
	}, bad)
	cat, err := Build(recs.All(), reloadConfig)
	require.NoError(t, err)
	require.NoError(t, cat.Files(func(f File) error {
		assert.False(t, bytes.Contains(f.Body, []byte("HOSTILE-FILES-ESCAPE-MARKER")), "%s publishes the record out of the folder", f.Path)
		return nil
	}))
	assert.Contains(t, string(get(t, mustHandler(t, cat), "/all/rss.xml").Body.String()), "Inside link")

	out := t.TempDir()
	brecs, _, err := BuildDir(fsys, reloadConfig, out)
	require.NoError(t, err)
	assert.Len(t, brecs.Errors, 2)
	for rel, data := range treeBytes(t, out) {
		assert.False(t, bytes.Contains(data, []byte("HOSTILE-FILES-ESCAPE-MARKER")), "%s publishes the record out of the folder", rel)
	}
}

func mustHandler(t *testing.T, cat *Catalog) *handler {
	t.Helper()
	h, err := newHandler(cat, HandlerOptions{}, time.Time{}, nil)
	require.NoError(t, err)
	return h
}

// TestDirFSFollowsSwappedFolder requires DirFS to read the folder its path
// names at each walk, when a new folder is renamed into place.
func TestDirFSFollowsSwappedFolder(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "records")
	writeRecord(t, dir, recordPath("security", 1), reloadRecord(1, "security", "Old release", "2024-01-01"))
	r, err := NewReloader(DirFS(dir), reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	writeRecord(t, filepath.Join(base, "next"), recordPath("security", 1), reloadRecord(1, "security", "New release", "2024-01-01"))
	require.NoError(t, os.Rename(dir, filepath.Join(base, "old")))
	require.NoError(t, os.Rename(filepath.Join(base, "next"), dir))
	require.NoError(t, r.Reload().Err)
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "New release")
}

// TestSwappedFolderSameSizeAndTime requires a record folder swapped for a
// copy whose file has the same size and modification time as the one it
// replaces, but other bytes, to be read again: by the Reloader, and by a
// BuildDir with a cache. Only the file's identity tells the two apart.
func TestSwappedFolderSameSizeAndTime(t *testing.T) {
	base := t.TempDir()
	if fi, err := os.Stat(base); err != nil || fileIdentity(fi) == 0 {
		t.Skip("this system gives no inode numbers")
	}
	dir := filepath.Join(base, "records")
	rel := recordPath("security", 1)
	when := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	writeRecord(t, dir, rel, reloadRecord(1, "security", "Old release", "2024-01-01"))
	require.NoError(t, os.Chtimes(filepath.Join(dir, rel), when, when))
	r, err := NewReloader(DirFS(dir), reloadConfig, ReloadOptions{})
	require.NoError(t, err)
	defer r.Close()
	cfg := reloadConfig
	cfg.CacheDir = filepath.Join(base, "cache")
	out := filepath.Join(base, "out")
	_, _, err = BuildDir(DirFS(dir), cfg, out)
	require.NoError(t, err)

	writeRecord(t, filepath.Join(base, "next"), rel, reloadRecord(1, "security", "New release", "2024-01-01"))
	require.NoError(t, os.Chtimes(filepath.Join(base, "next", rel), when, when))
	require.NoError(t, os.Rename(dir, filepath.Join(base, "old")))
	require.NoError(t, os.Rename(filepath.Join(base, "next"), dir))

	require.NoError(t, r.Reload().Err)
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "New release", "Reloader")
	_, _, err = BuildDir(DirFS(dir), cfg, out)
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(out, "all", "rss.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "New release", "BuildDir with a cache")
}

// TestRecordSizeCap requires a record over Config.MaxRecordBytes to be
// rejected with an error naming it and the cap, without being read whole,
// and the other records to be published; a negative cap reads it.
func TestRecordSizeCap(t *testing.T) {
	dir := t.TempDir()
	writeRecord(t, dir, recordPath("security", 1), reloadRecord(1, "security", "First", "2024-01-01"))
	big := reloadRecord(2, "security", "HOSTILE-FILES-BIG-MARKER", "2024-01-02") + strings.Repeat("<p>padding</p>\n", 400)
	rel := recordPath("security", 2)
	writeRecord(t, dir, rel, big)
	cfg := reloadConfig
	cfg.MaxRecordBytes = 4096
	found := readAllWays(t, os.DirFS(dir), cfg, rel)
	for _, way := range []string{"Load", "BuildDir", "BuildDir with a cache", "Reloader"} {
		e := found[way]
		if assert.NotNil(t, e, way) {
			assert.Contains(t, e.Error(), rel, way)
			assert.Contains(t, e.Error(), "4096", way)
			assert.Contains(t, e.Error(), "too large", way)
		}
	}
	cfg.MaxRecordBytes = -1
	recs, err := Load(os.DirFS(dir), cfg)
	require.NoError(t, err)
	assert.Empty(t, recs.Errors)
	assert.Equal(t, 2, recs.Published)

	// The default cap: a sparse file of 8 MiB and one byte is refused
	// unread.
	huge := filepath.Join(dir, filepath.FromSlash(recordPath("security", 3)))
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(defaultMaxRecordBytes+1))
	require.NoError(t, f.Close())
	recs, err = Load(os.DirFS(dir), reloadConfig)
	require.NoError(t, err)
	require.Len(t, recs.Errors, 1)
	assert.Equal(t, recordPath("security", 3), recs.Errors[0].Path)
	assert.ErrorContains(t, recs.Errors[0], "too large")
}

// lyingFS serves files whose Stat claims a size of 10 bytes.
type lyingFS struct{ fstest.MapFS }

type lyingFile struct{ fs.File }

type lyingInfo struct{ fs.FileInfo }

func (f lyingFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	return lyingInfo{fi}, err
}

func (lyingInfo) Size() int64 { return 10 }

func (l lyingFS) Open(name string) (fs.File, error) {
	f, err := l.MapFS.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		return lyingFile{f}, nil
	}
	return f, nil
}

// TestRecordSizeCapLyingSize requires the cap to hold for a file that
// claims to be small: reading stops one byte past the cap.
func TestRecordSizeCapLyingSize(t *testing.T) {
	rel := recordPath("security", 2)
	fsys := lyingFS{fstest.MapFS{
		recordPath("security", 1): {Data: []byte(reloadRecord(1, "security", "First", "2024-01-01"))},
		rel:                       {Data: []byte(reloadRecord(2, "security", "Big", "2024-01-02") + strings.Repeat("x", 10000))},
	}}
	cfg := reloadConfig
	cfg.MaxRecordBytes = 4096
	recs, err := Load(fsys, cfg)
	require.NoError(t, err)
	require.Len(t, recs.Errors, 1)
	assert.Equal(t, rel, recs.Errors[0].Path)
	assert.ErrorContains(t, recs.Errors[0], "4096")
	data, err := readRecord(fsys, rel, 0, 4096)
	assert.Error(t, err)
	assert.Nil(t, data)
}

// sizedFS serves its one file, data, in reads of at most chunk bytes, from
// a file whose Stat claims size bytes; reads counts the calls to Read.
type sizedFS struct {
	data  string
	size  int64
	chunk int
	reads *int
}

type sizedFile struct {
	fs   sizedFS
	rest string
}

type sizedInfo struct{ size int64 }

func (s sizedFS) Open(name string) (fs.File, error) { return &sizedFile{s, s.data}, nil }

func (f *sizedFile) Stat() (fs.FileInfo, error) { return sizedInfo{f.fs.size}, nil }
func (f *sizedFile) Close() error               { return nil }
func (f *sizedFile) Read(p []byte) (int, error) {
	*f.fs.reads++
	if f.rest == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), f.fs.chunk)], f.rest)
	f.rest = f.rest[n:]
	return n, nil
}

func (i sizedInfo) Name() string       { return "r.md" }
func (i sizedInfo) Size() int64        { return i.size }
func (i sizedInfo) Mode() fs.FileMode  { return 0o644 }
func (i sizedInfo) ModTime() time.Time { return time.Time{} }
func (i sizedInfo) IsDir() bool        { return false }
func (i sizedInfo) Sys() any           { return nil }

// TestReadRecordClaimedSize requires a record to be read whole whatever
// size its file claims and however its reads come, and a file that holds
// what it claims to be read without the read that finds its end.
func TestReadRecordClaimedSize(t *testing.T) {
	data := strings.Repeat("0123456789", 100)
	for _, tt := range []struct {
		name  string
		size  int64
		chunk int
		reads int // at most, when not 0
	}{
		{"true size, one read", 1000, 4096, 1},
		{"true size, in pieces", 1000, 300, 4},
		{"true size, a byte at a time", 1000, 1, 1000},
		{"claims less", 10, 4096, 0},
		{"claims less, in pieces", 999, 300, 0},
		{"claims more", 5000, 4096, 0},
		{"claims nothing", 0, 64, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reads := 0
			got, err := readRecord(sizedFS{data, tt.size, tt.chunk, &reads}, "r.md", 0, -1)
			require.NoError(t, err)
			assert.Equal(t, data, string(got))
			if tt.reads > 0 {
				assert.Equal(t, tt.reads, reads)
			}
		})
	}
}

// TestConcurrentBuildsOneFolder requires builds into one output folder at
// once never to fail for each other nor to tear the tree: once they end,
// every file is that of one clean build, whole.
func TestConcurrentBuildsOneFolder(t *testing.T) {
	a := copyTree(t, "testdata/records")
	b := copyTree(t, "testdata/records")
	require.NoError(t, filepath.WalkDir(b, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(b, p)
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte("\ntitle:")) {
				editTitle(t, b, filepath.ToSlash(rel), "Edited "+filepath.Base(p))
			}
		}
		return err
	}))
	want := []map[string][]byte{cleanBuild(t, a), cleanBuild(t, b)}
	catA, catB := buildCatalog(t, a), buildCatalog(t, b)
	for _, mode := range []string{"BuildDir", "WriteDir", "both"} {
		t.Run(mode, func(t *testing.T) {
			out := t.TempDir()
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 4 {
				wg.Go(func() {
					src, cat := a, catA
					if i%2 == 1 {
						src, cat = b, catB
					}
					var err error
					if mode == "BuildDir" || (mode == "both" && i < 2) {
						_, _, err = BuildDir(os.DirFS(src), sampleConfig, out)
					} else {
						_, err = cat.WriteDir(out)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				assert.NoError(t, err)
			}
			have := treeBytes(t, out)
			same := func(w map[string][]byte) bool {
				if len(w) != len(have) {
					return false
				}
				for p, data := range w {
					if !bytes.Equal(data, have[p]) {
						return false
					}
				}
				return true
			}
			assert.True(t, same(want[0]) || same(want[1]), "the tree is not that of one clean build")
		})
	}
}

func buildCatalog(t *testing.T, dir string) *Catalog {
	t.Helper()
	recs, err := Load(os.DirFS(dir), sampleConfig)
	require.NoError(t, err)
	cat, err := Build(recs.All(), sampleConfig)
	require.NoError(t, err)
	return cat
}

// TestWriterStaysInOutputFolder requires the tree writer to refuse, with an
// error, any path that would leave the output folder, whether to write a
// file or to remove one, and WriteDir to stop at such a feed path.
func TestWriterStaysInOutputFolder(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "out")
	require.NoError(t, os.Mkdir(out, 0o755))
	victim := filepath.Join(base, "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	cat := buildCatalog(t, "testdata/records")
	bad := []string{
		"../victim.txt", "../escaped/rss.xml", "a/../../victim.txt", "/abs/rss.xml", victim,
		"", ".", "..", "a//b/rss.xml", "a/./rss.xml", "all/../../x",
	}
	for _, rel := range bad {
		tw := newTreeWriter(cat, out)
		err := tw.put(rel, []byte("HOSTILE"))
		assert.Error(t, err, "put %q", rel)
		err = tw.remove([]string{rel})
		assert.Error(t, err, "remove %q", rel)
	}
	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(data))
	_, err = os.Stat(filepath.Join(base, "escaped"))
	assert.True(t, errors.Is(err, fs.ErrNotExist), "nothing written beside the output folder")

	cat.Feeds[len(cat.Feeds)-1].Path = "../escaped"
	_, err = cat.WriteDir(out)
	assert.ErrorContains(t, err, "outside")
	_, err = os.Stat(filepath.Join(base, "escaped"))
	assert.True(t, errors.Is(err, fs.ErrNotExist), "WriteDir wrote outside the output folder")
	entries, err := os.ReadDir(base)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only out and victim.txt")
}

// TestDirFSMissingFolder requires a folder that cannot be opened to fail
// the load as a whole, naming it, as os.DirFS does.
func TestDirFSMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := Load(DirFS(dir), reloadConfig)
	require.Error(t, err)
	assert.Contains(t, err.Error(), dir)
	_, err = NewReloader(DirFS(dir), reloadConfig, ReloadOptions{})
	assert.Error(t, err)
}

// TestConcurrentBuildsSharedCache requires builds into two folders that
// share a cache, and a build whose cache is its output folder, to end
// without error, each folder then holding a clean build.
func TestConcurrentBuildsSharedCache(t *testing.T) {
	want := cleanBuild(t, "testdata/records")
	cache := t.TempDir()
	outs := []string{t.TempDir(), t.TempDir()}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			cfg := sampleConfig
			cfg.CacheDir = cache
			_, _, err := BuildDir(os.DirFS("testdata/records"), cfg, outs[i%2])
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	for _, out := range outs {
		requireSameTree(t, want, treeBytes(t, out))
	}
	self := t.TempDir()
	cfg := sampleConfig
	cfg.CacheDir = self
	within(t, "a build whose cache is its output folder", func() {
		_, _, err := BuildDir(os.DirFS("testdata/records"), cfg, self)
		assert.NoError(t, err)
	})
}
