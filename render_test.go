package curafeed

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// renderCatalog builds a catalog of 300 generated records with archives
// for the given kinds of feed (items are then shared by many documents).
func renderCatalog(t *testing.T, archives ...string) *Catalog {
	t.Helper()
	recs, err := Load(benchCorpus(t, 300), sampleConfig)
	require.NoError(t, err)
	cfg := sampleConfig
	cfg.ArchiveFeeds = archives
	cfg.ArchiveSize = 7
	cfg.MaxFeedBytes = -1 // no item is cut: each has one encoding per format
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	return cat
}

// smallWindows makes the render stage's windows hold a few files and
// items, for the rest of the test.
func smallWindows(t *testing.T, tasks, items int) {
	t.Cleanup(func(a, b int) func() {
		return func() { renderWindowTasks, renderWindowItems = a, b }
	}(renderWindowTasks, renderWindowItems))
	renderWindowTasks, renderWindowItems = tasks, items
}

// TestRenderEncodesEachItemOnce requires the render stage to encode each
// item once in each format, however many windows hold it, and to keep in
// the spill file the encodings of the items a later window holds, and
// only those: the spill file then holds exactly one encoding per format of
// each of those items. A later window reads an item's encodings back once,
// every format at once.
func TestRenderEncodesEachItemOnce(t *testing.T) {
	cat := renderCatalog(t, "community-topic")
	smallWindows(t, 24, 100)
	tasks := renderPlan(cat.documents(), nil)
	first, last := map[*Item]int{}, map[*Item]int{}
	windows := 0
	var reads int64 // an item of an earlier window, once in each window that holds it
	for start := 0; start < len(tasks); windows++ {
		end := renderWindow(tasks, start)
		require.Greater(t, end, start)
		again := map[*Item]bool{}
		for _, tk := range tasks[start:end] {
			for _, it := range tk.f.Items {
				if w, ok := first[it]; !ok {
					first[it] = windows
				} else if w < windows {
					again[it] = true
				}
				last[it] = windows
			}
		}
		reads += int64(len(again))
		start = end
	}
	require.Greater(t, windows, 3, "many windows")
	var want int64
	spanning := 0
	for it, w := range first {
		if last[it] == w {
			continue
		}
		spanning++
		for _, format := range Formats() {
			b, err := cat.encodeItem(it, format, false)
			require.NoError(t, err)
			want += int64(len(b))
		}
	}
	require.Positive(t, spanning)
	require.Less(t, spanning, len(first), "some items are in one window only")
	sp := memorySpill()
	files := 0
	require.NoError(t, cat.render(tasks, newFragmentStore(sp, tasks), true, func(File) error { files++; return nil }))
	assert.Equal(t, len(tasks), files)
	assert.Equal(t, want, sp.end.Load(), "bytes spilled: one encoding per format of each item a later window holds")
	require.Positive(t, reads)
	assert.Equal(t, reads, sp.reads.Load(), "reads: once for each later window that holds an item")
}

// TestRenderReadsBackFirst requires a window to read back the encodings
// of the items earlier windows made before any of its files is put
// together: workers putting files together then never wait for each other
// on a read.
func TestRenderReadsBackFirst(t *testing.T) {
	cat := renderCatalog(t, "community-topic")
	smallWindows(t, 24, 100)
	tasks := renderPlan(cat.documents(), nil)
	window := map[string]int{} // file path → its window
	var upTo []int64           // reads done by the end of each window
	seen := map[*Item]bool{}
	var reads int64
	for start, w := 0, 0; start < len(tasks); w++ {
		end := renderWindow(tasks, start)
		again := map[*Item]bool{}
		for _, tk := range tasks[start:end] {
			window[tk.f.Path+"/"+tk.format.fileName()] = w
			for _, it := range tk.f.Items {
				if seen[it] {
					again[it] = true
				}
			}
		}
		for _, tk := range tasks[start:end] {
			for _, it := range tk.f.Items {
				seen[it] = true
			}
		}
		reads += int64(len(again))
		upTo = append(upTo, reads)
		start = end
	}
	require.Greater(t, len(upTo), 3)
	sp := memorySpill()
	var mu sync.Mutex
	early := 0
	require.NoError(t, cat.render(tasks, newFragmentStore(sp, tasks), false, func(f File) error {
		mu.Lock()
		defer mu.Unlock()
		if sp.reads.Load() < upTo[window[f.Path]] {
			early++
		}
		return nil
	}))
	assert.Zero(t, early, "files put together before their window's items were read back")
	assert.Equal(t, reads, sp.reads.Load())
}

// TestRenderWindows requires the same files whatever the windows, in the
// order of the tasks when ordered, and the same set on the workers when not.
func TestRenderWindows(t *testing.T) {
	cat := renderCatalog(t, "all", "community", "topic", "community-topic")
	collect := func(ordered bool) ([]string, map[string]string) {
		var mu sync.Mutex
		var order []string
		got := map[string]string{}
		tasks := renderPlan(cat.documents(), nil)
		err := cat.render(tasks, newFragmentStore(memorySpill(), tasks), ordered, func(f File) error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, f.Path)
			got[f.Path] = string(f.Body) // a copy: an unordered render uses the buffer again
			return nil
		})
		require.NoError(t, err)
		return order, got
	}
	order, want := collect(true)
	require.Len(t, want, 3*len(cat.documents()))
	for _, w := range [][2]int{{1, 1}, {2, 3}, {7, 50}} {
		smallWindows(t, w[0], w[1])
		gotOrder, got := collect(true)
		assert.Equal(t, order, gotOrder, "ordered, windows %v", w)
		assert.Equal(t, want, got, "ordered, windows %v", w)
		gotOrder, got = collect(false)
		assert.ElementsMatch(t, order, gotOrder, "unordered, windows %v", w)
		assert.Equal(t, want, got, "unordered, windows %v", w)
	}
	keys := slices.Sorted(maps.Keys(want))
	assert.Equal(t, keys, slices.Sorted(slices.Values(order)), "each file once")
}

// TestRenderStopsAtError requires the render stage to return the first
// error of fn, ordered or not, and to hand over no file after it when
// ordered.
func TestRenderStopsAtError(t *testing.T) {
	cat := renderCatalog(t, "all")
	smallWindows(t, 4, 20)
	tasks := renderPlan(cat.documents(), nil)
	stop := errors.New("stop here")
	for _, ordered := range []bool{true, false} {
		var mu sync.Mutex
		calls := 0
		err := cat.render(tasks, newFragmentStore(memorySpill(), tasks), ordered, func(File) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 6 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop, "ordered %v", ordered)
		if ordered {
			assert.Equal(t, 6, calls)
		} else {
			assert.Less(t, calls, len(tasks), "the windows after the error are not rendered")
		}
	}
}
