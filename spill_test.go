package curafeed

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingFS counts how often each record file is opened.
type countingFS struct {
	fsys  fstest.MapFS
	mu    sync.Mutex
	opens map[string]int
}

func newCountingFS(fsys fstest.MapFS) *countingFS {
	return &countingFS{fsys: fsys, opens: map[string]int{}}
}

func (c *countingFS) Open(name string) (fs.File, error) {
	if strings.HasSuffix(name, ".md") {
		c.mu.Lock()
		c.opens[name]++
		c.mu.Unlock()
	}
	return c.fsys.Open(name)
}

func (c *countingFS) Stat(name string) (fs.FileInfo, error) { return c.fsys.Stat(name) }

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) { return c.fsys.ReadDir(name) }

// reset returns the counts so far and starts again.
func (c *countingFS) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.opens
	c.opens = map[string]int{}
	return out
}

// treeOf builds fsys with cfg into a new folder, without a cache, and
// returns the files.
func treeOf(t *testing.T, fsys fs.FS, cfg Config) map[string][]byte {
	t.Helper()
	cfg.CacheDir = ""
	out := t.TempDir()
	_, _, err := BuildDir(fsys, cfg, out)
	require.NoError(t, err)
	return treeBytes(t, out)
}

// TestBuildDirReadsEachRecordOnce requires BuildDir to read every record
// file once, the records that reach a feed included, in batches however
// small, and to write what a build that holds every record writes.
func TestBuildDirReadsEachRecordOnce(t *testing.T) {
	defer func(n int) { renderWindowItems = n }(renderWindowItems)
	renderWindowItems = 40
	fsys := newCountingFS(benchCorpus(t, 600))
	out := t.TempDir()
	recs, _, err := BuildDir(fsys, Config{SiteURL: sampleConfig.SiteURL, Title: sampleConfig.Title, Workers: 3}, out)
	require.NoError(t, err)
	require.Positive(t, recs.Published)
	opens := fsys.reset()
	assert.Len(t, opens, 600)
	for name, n := range opens {
		require.Equal(t, 1, n, "%s opened %d times", name, n)
	}

	want, err := Load(fsys.fsys, sampleConfig)
	require.NoError(t, err)
	cat, err := Build(want.All(), sampleConfig)
	require.NoError(t, err)
	ref := t.TempDir()
	_, err = cat.WriteDir(ref)
	require.NoError(t, err)
	requireSameTree(t, treeBytes(t, ref), treeBytes(t, out))
}

// TestBuildDirCacheParsesOnce requires a build with a cache, whose records
// did not change but whose feeds must all be rendered again (another
// title), to read each record at most once, however many batches hold it,
// and to write what a build without a cache writes.
func TestBuildDirCacheParsesOnce(t *testing.T) {
	defer func(n int) { renderWindowItems = n }(renderWindowItems)
	renderWindowItems = 40
	corpus := benchCorpus(t, 600)
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, f := range corpus {
		f.ModTime = when // so that the cache knows the files unchanged without reading them
	}
	fsys := newCountingFS(corpus)
	out := t.TempDir()
	cfg := Config{SiteURL: sampleConfig.SiteURL, Title: sampleConfig.Title, Workers: 3, CacheDir: t.TempDir()}
	_, _, err := BuildDir(fsys, cfg, out)
	require.NoError(t, err)
	fsys.reset()

	cfg.Title = "Another Title"
	_, st, err := BuildDir(fsys, cfg, out)
	require.NoError(t, err)
	assert.Equal(t, st.Files, st.Written+st.Unchanged)
	assert.Positive(t, st.Written)
	opens := fsys.reset()
	require.NotEmpty(t, opens, "the records that reach a feed are parsed")
	for name, n := range opens {
		require.Equal(t, 1, n, "%s opened %d times", name, n)
	}
	requireSameTree(t, treeOf(t, fsys.fsys, cfg), treeBytes(t, out))
	assertNoSpill(t, cfg.CacheDir)
}

// TestBuildDirRecordChangedAfterRead requires a record that changes once
// BuildDir has read it to be published as it was read: no record is read
// again.
func TestBuildDirRecordChangedAfterRead(t *testing.T) {
	corpus := benchCorpus(t, 60)
	want := treeOf(t, corpus, sampleConfig)
	fsys := &changingFS{MapFS: corpus, seen: map[string]bool{}}
	out := t.TempDir()
	_, _, err := BuildDir(fsys, sampleConfig, out)
	require.NoError(t, err)
	requireSameTree(t, want, treeBytes(t, out))
}

// changingFS serves each record file as it is the first time, and as
// garbage after that.
type changingFS struct {
	fstest.MapFS
	mu   sync.Mutex
	seen map[string]bool
}

func (c *changingFS) Open(name string) (fs.File, error) {
	if !strings.HasSuffix(name, ".md") {
		return c.MapFS.Open(name)
	}
	c.mu.Lock()
	again := c.seen[name]
	c.seen[name] = true
	c.mu.Unlock()
	if !again {
		return c.MapFS.Open(name)
	}
	f := *c.MapFS[name]
	f.Data = bytes.Repeat([]byte("x"), len(f.Data))
	return fstest.MapFS{name: &f}.Open(name)
}

// TestBuildDirSpillRemoved requires the temporary file of a build to be
// gone once it ends, in the cache folder and in the system's temporary
// folder.
func TestBuildDirSpillRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	_, _, err := BuildDir(os.DirFS("testdata/records"), sampleConfig, t.TempDir())
	require.NoError(t, err)
	assertNoSpill(t, tmp)

	cfg := sampleConfig
	cfg.CacheDir = t.TempDir()
	_, _, err = BuildDir(os.DirFS("testdata/records"), cfg, t.TempDir())
	require.NoError(t, err)
	assertNoSpill(t, cfg.CacheDir)
	assertNoSpill(t, tmp)
}

func assertNoSpill(t *testing.T, dir string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, tempPrefix+"spill-*"))
	require.NoError(t, err)
	assert.Empty(t, names, "temporary files left in %s", dir)
}

// TestSpillFile requires concurrent appends to land apart and read back
// whole, and a failed write to fail the appends after it.
func TestSpillFile(t *testing.T) {
	s, err := newSpillFile(t.TempDir())
	require.NoError(t, err)
	spans := make([]spillSpan, 64)
	var wg sync.WaitGroup
	for i := range spans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			spans[i], err = s.add([]byte(strings.Repeat(fmt.Sprint(i%10), i*37)))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	for i, sp := range spans {
		b, err := s.read(sp)
		require.NoError(t, err)
		require.Equal(t, strings.Repeat(fmt.Sprint(i%10), i*37), string(b))
	}
	require.NoError(t, s.failed())

	require.NoError(t, s.f.Close()) // every write fails now
	_, err = s.add([]byte("more"))
	require.Error(t, err)
	_, err = s.add([]byte("again"))
	require.Error(t, err)
	require.Error(t, s.failed())
	_, err = s.read(spans[5])
	require.Error(t, err)
}

// TestSpillFileBuffered: pieces added from many goroutines read back as
// they were, at once (from the buffer or a buffer being written) and after
// many writes (from the file), small and large ones, and the file gets
// them in writes of about spillFlush bytes, not one each.
func TestSpillFileBuffered(t *testing.T) {
	s, err := newBufferedSpill(t.TempDir())
	require.NoError(t, err)
	piece := func(g, i int) []byte {
		n := (g*7919 + i*104729) % 9000
		if i%97 == 0 {
			n = spillFlush + i // larger than a buffer
		}
		return bytes.Repeat([]byte{byte('a' + (g+i)%26)}, n)
	}
	const goroutines, pieces = 4, 600
	spans := make([][]spillSpan, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range pieces {
				sp, err := s.add(piece(g, i))
				if !assert.NoError(t, err) {
					return
				}
				spans[g] = append(spans[g], sp)
				// read back at once, and one added a while ago
				for _, j := range []int{i, i / 2} {
					got, err := s.read(spans[g][j])
					if !assert.NoError(t, err) || !assert.Equal(t, piece(g, j), got, "piece %d of %d", j, g) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	var total int64
	for g := range goroutines {
		for i, sp := range spans[g] {
			got, err := s.read(sp)
			require.NoError(t, err)
			require.Equal(t, piece(g, i), got, "piece %d of %d", i, g)
			total += sp.n
		}
	}
	require.Equal(t, total, s.end.Load())

	// A small piece waits in the buffer; filling it writes it.
	small, err := newBufferedSpill(t.TempDir())
	require.NoError(t, err)
	sp, err := small.add([]byte("abc"))
	require.NoError(t, err)
	st, err := small.f.Stat()
	require.NoError(t, err)
	assert.Zero(t, st.Size(), "not written yet")
	got, err := io.ReadAll(small.reader(sp))
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got), "read from the buffer")
	_, err = small.add(make([]byte, spillFlush))
	require.NoError(t, err)
	st, err = small.f.Stat()
	require.NoError(t, err)
	assert.Equal(t, int64(spillFlush+3), st.Size(), "written in one piece")
	got, err = small.read(sp)
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	require.NoError(t, small.close())

	st, err = s.f.Stat()
	require.NoError(t, err)
	assert.Greater(t, st.Size(), total-spillFlush-spillFlush/4, "all but the last buffer is in the file")
	assert.LessOrEqual(t, st.Size(), total)
	require.NoError(t, s.failed())

	// A failed write loses bytes earlier adds were told were kept: every
	// later add and read fails.
	kept, err := s.add([]byte("kept"))
	require.NoError(t, err)
	require.NoError(t, s.f.Close())
	_, err = s.add(make([]byte, spillFlush)) // fills the buffer: written now
	require.Error(t, err)
	_, err = s.add([]byte("again"))
	require.Error(t, err)
	_, err = s.read(kept)
	require.Error(t, err, "its bytes were in the write that failed")
	_, err = s.read(spans[0][0])
	require.Error(t, err)
	_, err = io.ReadAll(s.reader(kept))
	require.Error(t, err)
	require.Error(t, s.failed())
}

// TestLazyHTMLKeepClean requires a body the Reloader spills as written
// (keepClean) to be sanitized on its first render only: that render adds
// the sanitized HTML to the spill file, later ones read it, and moving the
// bodies to a fresh file (moveBodies) takes the sanitized copy.
func TestLazyHTMLKeepClean(t *testing.T) {
	s, err := newSpillFile(t.TempDir())
	require.NoError(t, err)
	defer s.close()
	base, _ := url.Parse("https://community.example.org/news/a/")
	body := "<p>Hello <a href=\"../b/\">there</a><script>x()</script></p>"
	want := bodyHTML([]byte(body), false, base)
	l := &lazyHTML{body: []byte(body), base: base}
	sl, err := l.spillTo(s, "")
	require.NoError(t, err)
	sl.keepClean = true
	span, clean := sl.spilled()
	require.False(t, clean, "spilled as written")
	before := s.end.Load()

	got, err := sl.render()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	span2, clean := sl.spilled()
	assert.True(t, clean)
	assert.NotEqual(t, span, span2)
	raw, err := s.read(span2)
	require.NoError(t, err)
	assert.Equal(t, want, string(raw), "the sanitized copy is in the file")
	grown := s.end.Load()
	assert.Equal(t, before+int64(len(want)), grown)

	for range 3 {
		got, err := sl.render()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	assert.Equal(t, grown, s.end.Load(), "later renders add nothing")

	snap := &snapshot{memo: memo{"a.md": memoEntry{res: parsed{item: &Item{content: sl}}}}}
	assert.Equal(t, int64(len(want)), snap.bodyBytes(s), "the live bytes are the sanitized copy")
	moved, to, ok := snap.moveBodies(s)
	require.True(t, ok)
	defer to.close()
	ml := moved.memo["a.md"].res.item.content
	assert.True(t, ml.clean)
	got, err = ml.render()
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, int64(len(want)), to.end.Load(), "only the sanitized copy moved")
}

// TestSpillFileAddParts requires addParts to put each slice where its span
// says, in a spill file and in memory, an empty slice at an empty span.
func TestSpillFileAddParts(t *testing.T) {
	file, err := newSpillFile(t.TempDir())
	require.NoError(t, err)
	defer file.close()
	for _, s := range []*spillFile{file, memorySpill()} {
		_, err := s.add([]byte("before"))
		require.NoError(t, err)
		for _, bs := range [][3][]byte{
			{[]byte("rss"), []byte("atom entry"), []byte("{json}")},
			{nil, []byte("atom only"), nil},
			{[]byte("rss"), nil, []byte("json")},
			{},
		} {
			var all []byte
			var ends [3]int
			for i, b := range bs {
				all = append(all, b...)
				ends[i] = len(all)
			}
			spans, err := s.addParts(all, ends)
			require.NoError(t, err)
			for i, b := range bs {
				if len(b) == 0 {
					assert.Equal(t, spillSpan{}, spans[i])
					continue
				}
				got, err := s.read(spans[i])
				require.NoError(t, err)
				assert.Equal(t, string(b), string(got))
			}
		}
	}
}

// TestLazyHTMLSpilled requires a spilled body, rendered or not yet, to
// render as the body kept in memory does.
func TestLazyHTMLSpilled(t *testing.T) {
	s, err := newSpillFile(t.TempDir())
	require.NoError(t, err)
	defer s.close()
	base, _ := url.Parse("https://community.example.org/news/a/")
	for _, tc := range []struct {
		body     string
		markdown bool
	}{
		{"<p>Hello <a href=\"../b/\">there</a><script>x()</script></p>", false},
		{"# Title\n\nSome *text* and [a link](c/).\n", true},
		{"<img src=\"x.png\" onerror=\"y()\">", false},
	} {
		for _, rendered := range []bool{false, true} {
			mem := &lazyHTML{body: []byte(tc.body), markdown: tc.markdown, base: base}
			l := &lazyHTML{body: []byte(tc.body), markdown: tc.markdown, base: base}
			if rendered {
				l.get() // as a summary taken from the body does
			}
			sl, err := l.spillTo(s, base.String())
			require.NoError(t, err)
			assert.Equal(t, rendered, sl.clean)
			assert.Equal(t, !rendered, sl.onPage, "the base is the page, given back later")
			if sl.onPage {
				_, err := sl.render()
				require.Error(t, err, "no page, no base: no rendering")
				sl = sl.withPage(base.String())
			}
			got, err := sl.render()
			require.NoError(t, err)
			assert.Equal(t, mem.get(), got)
			assert.Equal(t, mem.get(), sl.get())
		}
	}
}

// TestBuildDirSameBytesCut requires BuildDir to write what Load, Build and
// WriteDir write when documents must be cut to a small size budget, with
// archives, in small batches, for records whose summary is taken from the
// body or is missing.
func TestBuildDirSameBytesCut(t *testing.T) {
	defer func(n int) { renderWindowItems = n }(renderWindowItems)
	renderWindowItems = 40
	corpus := benchCorpus(t, 300)
	for i, body := range []string{
		"A body in *Markdown* with no description: its start is the summary.",
		"![only an image](pic.png)",
		"<p>Plain <b>HTML</b> text, <a href=\"../x/\">a link</a>.</p>",
	} {
		corpus[fmt.Sprintf("extra/%d.md", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: Extra %d\nid: 7%05d\ndate: 2024-02-0%dT10:00:00Z\nstatus: published\n---\n%s\n", i, i, i+1, body))}
	}
	cfg := Config{SiteURL: sampleConfig.SiteURL, Title: sampleConfig.Title, MaxFeedBytes: 6000, ArchiveSize: 20, Workers: 3}
	recs, err := Load(corpus, cfg)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	extra := 0
	for _, it := range recs.Items {
		if strings.HasPrefix(it.Path, "extra/") {
			extra++
		}
	}
	require.Equal(t, 3, extra)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	ref := t.TempDir()
	_, err = cat.WriteDir(ref)
	require.NoError(t, err)

	out := t.TempDir()
	_, st, err := BuildDir(corpus, cfg, out)
	require.NoError(t, err)
	require.Positive(t, st.Truncated, "documents are cut")
	requireSameTree(t, treeBytes(t, ref), treeBytes(t, out))
}

// TestHeldFields requires the fields an item holds in the spill file to
// come back as they were, and damaged bytes to be an error, never a panic.
func TestHeldFields(t *testing.T) {
	items := []*Item{
		{Title: "T", Summary: "S <b>", URL: "https://x.example/a/", ExternalURL: "https://y.example/",
			Brand: "B", Tags: []string{"one", ""}, Authors: []string{}, Image: &Image{URL: "https://x.example/i.png", Type: "image/png", Alt: "alt", Width: 640, Height: 480}},
		{Title: "Only a title"},
	}
	for _, it := range items {
		b := appendHeld(nil, it)
		var got Item
		require.NoError(t, readHeld(&got, b))
		assert.Equal(t, *it, got)
		for n := range b {
			var cut Item
			assert.Error(t, readHeld(&cut, b[:n]), "cut to %d bytes", n)
		}
		assert.Error(t, readHeld(&got, append(b, 0)), "trailing bytes")
	}
	var got Item
	assert.Error(t, readHeld(&got, []byte{1, 'x', 1, 'y', 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}), "a list longer than the bytes")
}

// TestWindowArena: the slices alloc hands out do not overlap, stay within
// their length when appended to, come from chunks reset takes back and
// reuses, and large ones are their own.
func TestWindowArena(t *testing.T) {
	a := &windowArena{}
	var got [][]byte
	for i := range 100 {
		b := a.alloc(int64(1000 + i*300))
		require.Len(t, b, 1000+i*300)
		require.Equal(t, len(b), cap(b), "an append must not run into the next slice")
		for j := range b {
			b[j] = byte(i)
		}
		got = append(got, b)
	}
	for i, b := range got {
		for _, c := range b {
			require.Equal(t, byte(i), c, "slice %d was overwritten", i)
		}
	}
	chunks := len(a.chunks)
	require.Greater(t, chunks, 1)
	first := &a.chunks[0][0]
	a.reset()
	b := a.alloc(10)
	require.Same(t, first, &b[0], "reset hands the first chunk out again")
	for range 100 {
		a.alloc(2000)
	}
	require.LessOrEqual(t, len(a.chunks), chunks, "reused, not grown")
	big := a.alloc(arenaChunk)
	require.Len(t, big, arenaChunk)
	require.LessOrEqual(t, len(a.chunks), chunks)
	var none *windowArena
	require.Len(t, none.alloc(5), 5)
}

// TestHoldItemBodyBeside requires holdItem to spill an item's body and its
// held fields side by side, and fragmentStore.full to read both at once and
// give back the item and its body as they were, in a buffered spill file,
// a written-through one and one in memory; a body spilled before (not
// beside the fields) is read on its own.
func TestHoldItemBodyBeside(t *testing.T) {
	described := reloadRecord(1, "security", "Described", "2024-01-01")
	described = strings.Replace(described, "title: Described", "title: Described\ndescription: A summary of its own.", 1)
	records := map[string]string{
		"body as written (a description)": described,
		"body sanitized (summary from it)": strings.Replace(reloadRecord(2, "security", "Undescribed", "2024-01-02"),
			"<p>Body of Undescribed.</p>", "# Heading\n\nBody *of* [Undescribed](../x/) <script>x()</script>", 1),
		"no body": strings.Replace(reloadRecord(3, "security", "Empty", "2024-01-03"), "<p>Body of Empty.</p>\n", "", 1),
	}
	spills := map[string]func() *spillFile{
		"buffered": func() *spillFile { s, err := newBufferedSpill(t.TempDir()); require.NoError(t, err); return s },
		"written":  func() *spillFile { s, err := newSpillFile(t.TempDir()); require.NoError(t, err); return s },
		"memory":   memorySpill,
	}
	for name, src := range records {
		for kind, mk := range spills {
			for _, before := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/spilled before %v", name, kind, before), func(t *testing.T) {
					want, _, err := parseTest(t, "communities/security/curated-content/x.md", src)
					require.NoError(t, err)
					it, _, err := parseTest(t, "communities/security/curated-content/x.md", src)
					require.NoError(t, err)
					s := mk()
					defer s.close()
					if before && it.content != nil {
						_, err = s.add([]byte("something else first"))
						require.NoError(t, err)
						it.content, err = it.content.spillTo(s, it.URL)
						require.NoError(t, err)
						_, err = s.add([]byte("and between"))
						require.NoError(t, err)
					}
					var in interner
					held := holdItem(it, s, &in)
					require.NoError(t, s.failed())
					require.NotZero(t, held.held.n)
					assert.Empty(t, held.Title, "held in the spill file")
					beside := held.content != nil && held.content.span.n > 0 && !before
					if beside {
						assert.Equal(t, held.held.off, held.content.span.off+held.content.span.n, "the body just before the fields")
					}
					st := &fragmentStore{spill: s}
					got, body, err := st.full(held)
					require.NoError(t, err)
					assert.Equal(t, beside, body != nil, "the body's bytes come with the fields only when beside them")
					for _, f := range []func(*Item) any{
						func(i *Item) any { return i.Title }, func(i *Item) any { return i.Summary },
						func(i *Item) any { return i.URL }, func(i *Item) any { return i.Tags },
						func(i *Item) any { return i.Authors }, func(i *Item) any { return i.Image },
					} {
						assert.Equal(t, f(want), f(got))
					}
					h, err := renderBody(got, body)
					require.NoError(t, err)
					assert.Equal(t, want.ContentHTML(), h)
					if body != nil {
						again, err := renderBody(got, nil) // read on its own
						require.NoError(t, err)
						assert.Equal(t, h, again)
					}
				})
			}
		}
	}
}
