package curafeed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// watched runs Watch on r with interval until the test ends. It returns
// once every folder is watched, or Watch polls.
func watched(t *testing.T, r *Reloader, interval time.Duration) {
	t.Helper()
	started := make(chan struct{})
	var once sync.Once
	setForTest(t, &watchStarted, func() { once.Do(func() { close(started) }) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		r.Watch(ctx, interval)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Watch did not return when its context was done")
		}
	})
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not start")
	}
}

// setForTest sets *p to v until the test ends. Called before watched, it
// restores *p once that Watch has returned.
func setForTest[T any](t *testing.T, p *T, v T) {
	old := *p
	*p = v
	t.Cleanup(func() { *p = old })
}

// served returns the titles of the items r publishes, sorted.
func served(r *Reloader) []string {
	var titles []string
	for _, it := range r.cur.Load().items {
		titles = append(titles, it.Title)
	}
	slices.Sort(titles)
	return titles
}

// eventually fails the test unless the titles r serves come to be want
// within a few seconds.
func eventually(t *testing.T, r *Reloader, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(served(r), want) {
		if time.Now().After(deadline) {
			t.Fatalf("served %q, want %q", served(r), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// putRecord writes record n of community c with title into the records
// folder dir.
func putRecord(t *testing.T, dir, c string, n int, title string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(recordPath(c, n)))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(reloadRecord(n, c, title, "2024-01-01")), 0o644))
}

// watchCounts counts the reloads and the watch errors of a Reloader.
type watchCounts struct {
	reloads atomic.Int64
	mu      sync.Mutex
	errs    []error
}

func (w *watchCounts) options() ReloadOptions {
	return ReloadOptions{
		OnReload: func(ReloadReport) { w.reloads.Add(1) },
		OnWatchError: func(err error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.errs = append(w.errs, err)
		},
	}
}

func (w *watchCounts) errors() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.errs)
}

// quiet fails the test when r reloads within a while: for the changes
// that must not cause a reload.
func quiet(t *testing.T, counts *watchCounts, what string) {
	t.Helper()
	before := counts.reloads.Load()
	time.Sleep(2 * settle)
	assert.Equal(t, before, counts.reloads.Load(), "reload for %s", what)
}

// TestWatchDirFS edits the records of a DirFS while Watch is told of the
// changes: with an interval of an hour, only notifications can see them.
func TestWatchDirFS(t *testing.T) {
	dir := t.TempDir()
	putRecord(t, dir, "security", 1, "One")
	putRecord(t, dir, "security", 2, "Two")
	var counts watchCounts
	r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, time.Hour)

	putRecord(t, dir, "security", 1, "One edited")
	eventually(t, r, "One edited", "Two")

	// A folder made with a record in it at once, before any watch on it
	// could be set; then a record edited in it.
	putRecord(t, dir, "newcomer/deep/er", 3, "Three")
	eventually(t, r, "One edited", "Two", "Three")
	putRecord(t, dir, "newcomer/deep/er", 3, "Three edited")
	eventually(t, r, "One edited", "Two", "Three edited")

	require.NoError(t, os.Remove(filepath.Join(dir, filepath.FromSlash(recordPath("security", 2)))))
	eventually(t, r, "One edited", "Three edited")

	// A folder renamed out of the records takes its records with it, and
	// its changes are no longer looked at; renamed back, it is watched
	// again.
	community := filepath.Join(dir, "communities", "newcomer")
	away := filepath.Join(t.TempDir(), "away")
	require.NoError(t, os.Rename(community, away))
	eventually(t, r, "One edited")
	putRecord(t, away, "x", 4, "Four")
	quiet(t, &counts, "a change in a folder renamed away")
	require.NoError(t, os.RemoveAll(filepath.Join(away, "communities")))
	require.NoError(t, os.Rename(away, community))
	eventually(t, r, "One edited", "Three edited")
	putRecord(t, dir, "newcomer/deep/er", 3, "Three again")
	eventually(t, r, "One edited", "Three again")

	// A folder renamed within the records is watched under its new name.
	require.NoError(t, os.Rename(community, filepath.Join(dir, "communities", "renamed")))
	putRecord(t, dir, "renamed/deep/er", 3, "Three renamed")
	eventually(t, r, "One edited", "Three renamed")
	putRecord(t, dir, "renamed/deep/er", 3, "Three again")
	eventually(t, r, "One edited", "Three again")

	// Files that are not records, and an empty folder, change nothing.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o755))
	quiet(t, &counts, "a file that is not a record")

	// A burst of writes gives one reload, or very few.
	before := counts.reloads.Load()
	want := []string{"One edited", "Three again"}
	for i := range 50 {
		title := fmt.Sprintf("Burst %d", i)
		putRecord(t, dir, "burst", 100+i, title)
		want = append(want, title)
	}
	eventually(t, r, want...)
	assert.LessOrEqual(t, counts.reloads.Load()-before, int64(3), "the burst is debounced")
	assert.Empty(t, counts.errors())
}

// TestWatchReplacedFolder replaces the records folder the ways a release
// does: a link to it changed, a new folder renamed into place.
func TestWatchReplacedFolder(t *testing.T) {
	base := t.TempDir()
	for i, rel := range []string{"v1", "v2", "v3"} {
		putRecord(t, filepath.Join(base, rel), "security", i+1, "Release "+rel)
	}
	dir := filepath.Join(base, "current")
	require.NoError(t, os.Symlink("v1", dir))
	var counts watchCounts
	r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, time.Hour) // the watch on base sees the swaps

	// ln -sfn v2 current, atomically.
	require.NoError(t, os.Symlink("v2", filepath.Join(base, "next")))
	require.NoError(t, os.Rename(filepath.Join(base, "next"), dir))
	eventually(t, r, "Release v2")
	putRecord(t, filepath.Join(base, "v2"), "security", 9, "Added to v2")
	eventually(t, r, "Release v2", "Added to v2")
	putRecord(t, filepath.Join(base, "v1"), "security", 8, "Added to v1")
	quiet(t, &counts, "a change to the folder no longer served")

	// A folder renamed into place.
	require.NoError(t, os.Remove(dir))
	eventually(t, r, "Release v2", "Added to v2") // a failed load keeps the catalog
	require.NoError(t, os.Rename(filepath.Join(base, "v3"), dir))
	eventually(t, r, "Release v3")
	putRecord(t, dir, "security", 7, "Added to v3")
	eventually(t, r, "Release v3", "Added to v3")

	// A folder removed and made anew, which may even reuse the inode of
	// the one removed: its new folders are watched.
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.Mkdir(dir, 0o755))
	putRecord(t, dir, "fresh", 10, "Fresh")
	eventually(t, r, "Fresh")
	putRecord(t, dir, "fresh", 10, "Fresh again")
	eventually(t, r, "Fresh again")
	assert.Empty(t, counts.errors())
}

// TestWatchReplacedAbove replaces a folder above the records folder, which
// no watch sees: the ticks of interval do.
func TestWatchReplacedAbove(t *testing.T) {
	base := t.TempDir()
	putRecord(t, filepath.Join(base, "v1", "records"), "security", 1, "Release v1")
	putRecord(t, filepath.Join(base, "v2", "records"), "security", 2, "Release v2")
	require.NoError(t, os.Symlink("v1", filepath.Join(base, "app")))
	var counts watchCounts
	r, err := NewReloader(DirFS(filepath.Join(base, "app", "records")), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, 20*time.Millisecond)

	require.NoError(t, os.Symlink("v2", filepath.Join(base, "next")))
	require.NoError(t, os.Rename(filepath.Join(base, "next"), filepath.Join(base, "app")))
	eventually(t, r, "Release v2")
	putRecord(t, filepath.Join(base, "v2", "records"), "security", 3, "Added to v2")
	eventually(t, r, "Release v2", "Added to v2")
	assert.Empty(t, counts.errors())
}

// TestWatchRecheck watches a file system whose changes the kernel does
// not report (no watch is set): the recheck sees them, and only it.
func TestWatchRecheck(t *testing.T) {
	setForTest(t, &addWatch, func(*fsnotify.Watcher, string) error { return nil })
	for _, recheck := range []time.Duration{time.Hour, 0} {
		t.Run(recheck.String(), func(t *testing.T) {
			setForTest(t, &watchRecheck, recheck)
			dir := t.TempDir()
			putRecord(t, dir, "security", 1, "One")
			var counts watchCounts
			r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
			require.NoError(t, err)
			watched(t, r, 20*time.Millisecond)
			putRecord(t, dir, "security", 1, "One, longer")
			if recheck > 0 {
				quiet(t, &counts, "a change not reported, before the recheck")
				return
			}
			eventually(t, r, "One, longer")
			assert.Empty(t, counts.errors())
		})
	}
}

// TestWatchFallsBack makes notifications fail: Watch says so and polls.
func TestWatchFallsBack(t *testing.T) {
	setForTest(t, &newWatcher, func() (*fsnotify.Watcher, error) {
		return nil, fmt.Errorf("inotify_init1: %w", syscall.EMFILE)
	})
	dir := t.TempDir()
	putRecord(t, dir, "security", 1, "One")
	var counts watchCounts
	r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, 20*time.Millisecond)

	putRecord(t, dir, "security", 1, "One, longer")
	eventually(t, r, "One, longer")
	errs := counts.errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], syscall.EMFILE)
	assert.Contains(t, errs[0].Error(), "polling every 20ms instead")
	assert.Contains(t, errs[0].Error(), dir)
}

// TestWatchLimit runs out of watches once Watch runs: it falls back to
// polling, naming the limit.
func TestWatchLimit(t *testing.T) {
	dir := t.TempDir()
	putRecord(t, dir, "security", 1, "One")
	var adds atomic.Int64
	setForTest(t, &addWatch, func(w *fsnotify.Watcher, path string) error {
		if adds.Add(1) > 5 {
			return fmt.Errorf("inotify_add_watch: %w", syscall.ENOSPC)
		}
		return w.Add(path)
	})
	var counts watchCounts
	r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, 20*time.Millisecond)

	// The records folder, its parent and the three folders of the records
	// take every watch there is: the next folder fails.
	putRecord(t, dir, "newcomer", 2, "Two")
	eventually(t, r, "One", "Two")
	putRecord(t, dir, "newcomer", 2, "Two, by polling")
	eventually(t, r, "One", "Two, by polling")
	errs := counts.errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], syscall.ENOSPC)
	assert.Contains(t, errs[0].Error(), "polling every 20ms instead")
	if runtime.GOOS == "linux" {
		assert.Contains(t, errs[0].Error(), "limit of watched folders")
	}
}

// TestWatchOverflow has the kernel drop events: Watch reloads.
func TestWatchOverflow(t *testing.T) {
	var current atomic.Pointer[fsnotify.Watcher]
	setForTest(t, &newWatcher, func() (*fsnotify.Watcher, error) {
		w, err := fsnotify.NewWatcher()
		current.Store(w)
		return w, err
	})
	dir := t.TempDir()
	putRecord(t, dir, "security", 1, "One")
	var counts watchCounts
	r, err := NewReloader(DirFS(dir), reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, time.Hour)
	before := counts.reloads.Load()
	current.Load().Errors <- fsnotify.ErrEventOverflow
	deadline := time.Now().Add(10 * time.Second)
	for counts.reloads.Load() == before {
		require.False(t, time.Now().After(deadline), "no reload after the kernel dropped events")
		time.Sleep(5 * time.Millisecond)
	}
	errs := counts.errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], fsnotify.ErrEventOverflow)

	// Watched anew, the records still are.
	putRecord(t, dir, "security", 1, "One edited")
	eventually(t, r, "One edited")
}

// TestWatchPollsOtherFS watches a file system that is not a folder: Watch
// polls it, and says nothing of it.
func TestWatchPollsOtherFS(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("security", 1), reloadRecord(1, "security", "One", "2024-01-01"))
	var counts watchCounts
	r, err := NewReloader(m, reloadConfig, counts.options())
	require.NoError(t, err)
	watched(t, r, 20*time.Millisecond)
	m.set(recordPath("security", 2), reloadRecord(2, "security", "Two", "2024-01-01"))
	eventually(t, r, "One", "Two")
	m.remove(recordPath("security", 1))
	eventually(t, r, "Two")
	assert.Empty(t, counts.errors())
}

func TestNextRecheck(t *testing.T) {
	assert.Equal(t, watchRecheck, nextRecheck(time.Second, 10*time.Millisecond), "a small tree: every minute")
	assert.Equal(t, 2*watchRecheck, nextRecheck(2*watchRecheck, time.Millisecond), "never more often than the interval")
	assert.Equal(t, 700*time.Second, nextRecheck(time.Second, 700*time.Millisecond), "a walk of 0.7 s: 0.1% of the time")
}

// TestWatchEditReadsOnlyTheEditedFile requires Watch, told by the kernel
// that one record file was written, to reload by reading that file alone
// and rendering only the documents holding its item; and a file added to
// take a full load.
func TestWatchEditReadsOnlyTheEditedFile(t *testing.T) {
	dir := t.TempDir()
	write := func(n int, c, title string) {
		p := filepath.Join(dir, filepath.FromSlash(recordPath(c, n)))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(reloadRecord(n, c, title, fmt.Sprintf("2024-01-%02d", n))), 0o644))
	}
	for n := 1; n <= 12; n++ {
		write(n, []string{"alpha", "beta", "gamma"}[n%3], fmt.Sprintf("Record %d", n))
	}
	reloads := make(chan ReloadReport, 100)
	r, err := NewReloader(DirFS(dir), reloadConfig, ReloadOptions{OnReload: func(rep ReloadReport) { reloads <- rep }})
	require.NoError(t, err)
	<-reloads
	watched(t, r, time.Hour) // only notifications can see the changes
	next := func() ReloadReport {
		t.Helper()
		select {
		case rep := <-reloads:
			require.NoError(t, rep.Err)
			return rep
		case <-time.After(10 * time.Second):
			t.Fatal("no reload")
		}
		return ReloadReport{}
	}

	write(4, "beta", "Record 4, edited")
	rep := next()
	assert.Contains(t, get(t, r, "/all/rss.xml").Body.String(), "Record 4, edited")
	// The site, beta, topic and beta×topic feeds hold the item: 4 × 3
	// files; index.opml, index.html and feed.xsl stay as they were, which
	// only the quick reload knows without rendering them.
	assert.Equal(t, 12, rep.Rendered, "only the documents holding the item are rendered")
	assert.Equal(t, r.signature(), r.sig.Load())

	write(13, "delta", "Record 13")
	rep = next()
	assert.Equal(t, 13, rep.Published)
	assert.Contains(t, get(t, r, "/communities/delta/rss.xml").Body.String(), "Record 13")
}
