package curafeed

import (
	"sync"
	"sync/atomic"
)

// progressEvery is how many records or feed files pass between two calls of
// Config.Progress within a stage.
const progressEvery = 64

// progress counts what one stage of a run has done, from any goroutine, and
// tells Config.Progress every progressEvery items and once the stage is
// done. The calls are made one at a time, with done rising. A nil
// *progress counts nothing.
type progress struct {
	report func(stage string, done, total int)
	stage  string
	total  int
	done   atomic.Int64
	mu     sync.Mutex
	told   int // done at the last call; guarded by mu
}

// newProgress returns the counter of a stage of total items, or nil when
// there is no report to make.
func newProgress(report func(stage string, done, total int), stage string, total int) *progress {
	if report == nil {
		return nil
	}
	return &progress{report: report, stage: stage, total: total}
}

// add counts one item done.
func (p *progress) add() {
	if p == nil {
		return
	}
	n := int(p.done.Add(1))
	if n%progressEvery != 0 && n != p.total {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if n > p.told {
		p.told = n
		p.report(p.stage, n, p.total)
	}
}
