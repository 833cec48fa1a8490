package curafeed

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// progressLog records the calls of Config.Progress, and whether two ever
// overlapped.
type progressLog struct {
	inFlight atomic.Int32
	overlap  atomic.Bool
	mu       sync.Mutex
	calls    map[string][][2]int // done and total of each call, by stage
}

func (l *progressLog) report(stage string, done, total int) {
	if l.inFlight.Add(1) > 1 {
		l.overlap.Store(true)
	}
	time.Sleep(50 * time.Microsecond) // long enough for workers to pile up
	l.mu.Lock()
	if l.calls == nil {
		l.calls = map[string][][2]int{}
	}
	l.calls[stage] = append(l.calls[stage], [2]int{done, total})
	l.mu.Unlock()
	l.inFlight.Add(-1)
}

// check requires the calls of a stage to have done rising, in steps of
// progressEvery, up to total, which ends the stage.
func (l *progressLog) check(t *testing.T, stage string, total int) {
	t.Helper()
	calls := l.calls[stage]
	require.NotEmpty(t, calls, stage)
	assert.Equal(t, [2]int{total, total}, calls[len(calls)-1], "%s: the last call ends the stage", stage)
	assert.GreaterOrEqual(t, len(calls), total/progressEvery/2, "%s: calls along the way", stage)
	assert.True(t, slices.IsSortedFunc(calls, func(a, b [2]int) int { return a[0] - b[0] }), "%s: done rises: %v", stage, calls)
	for i, c := range calls {
		assert.Equal(t, total, c[1], stage)
		assert.True(t, c[0]%progressEvery == 0 || c[0] == total, "%s: call %d at %d", stage, i, c[0])
		if i > 0 {
			assert.Greater(t, c[0], calls[i-1][0], "%s: done is never told twice", stage)
		}
	}
	assert.False(t, l.overlap.Load(), "two calls overlapped")
}

// TestProgress requires Config.Progress to be told, one call at a time,
// how parsing records and writing feed files advance, and to change
// nothing in what is written.
func TestProgress(t *testing.T) {
	fsys := benchCorpus(t, 300)
	cfg := sampleConfig
	cfg.Now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg.Workers = 8

	var loaded progressLog
	lc := cfg
	lc.Progress = loaded.report
	recs, err := Load(fsys, lc)
	require.NoError(t, err)
	loaded.check(t, "records", recs.Files)
	assert.NotContains(t, loaded.calls, "feeds", "Load writes no feed")

	plain := t.TempDir()
	_, plainStats, err := BuildDir(fsys, cfg, plain)
	require.NoError(t, err)

	for _, cached := range []bool{false, true} {
		var built progressLog
		bc := cfg
		bc.Progress = built.report
		if cached {
			bc.CacheDir = t.TempDir()
		}
		out := t.TempDir()
		_, st, err := BuildDir(fsys, bc, out)
		require.NoError(t, err)
		built.check(t, "records", recs.Files)
		built.check(t, "feeds", (st.Feeds+st.Archives)*len(Formats()))
		assert.Equal(t, treeBytes(t, plain), treeBytes(t, out), "cached %v: the same bytes with Progress", cached)
		assert.Equal(t, plainStats.Files, st.Files)
	}

	cat, err := Build(recs.All(), lc)
	require.NoError(t, err)
	var written progressLog
	cat.cfg.Progress = written.report
	st, err := cat.WriteDir(t.TempDir())
	require.NoError(t, err)
	written.check(t, "feeds", (st.Feeds+st.Archives)*len(Formats()))
}

// TestProgressKeepsCache requires a build cache to serve a build whether
// or not Config.Progress is set: the func is no part of the configuration
// the cache depends on.
func TestProgressKeepsCache(t *testing.T) {
	cfg := sampleConfig
	with := cfg
	with.Progress = func(string, int, int) {}
	assert.Equal(t, configKey(cfg), configKey(with))
	assert.Equal(t, recordsKey(cfg), recordsKey(with))
}
