package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressInterval is the least time between two updates of the progress
// line: at most four a second. A variable so that tests can draw every
// update.
var progressInterval = 250 * time.Millisecond

// isTerminal reports whether w is a terminal (a character device), where a
// progress line may be rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine shows how a build advances on one line of a terminal,
// rewritten in place: the records parsed, the feed files written and the
// time since start. It draws nothing in the first progressInterval, so that
// short builds show no progress at all. Its methods may be called from any
// goroutine; a nil *progressLine shows nothing.
type progressLine struct {
	w     io.Writer
	start time.Time
	now   func() time.Time

	mu     sync.Mutex
	last   time.Time         // when the line was last drawn, or start
	width  int               // bytes of the line shown; 0 when none is
	counts map[string][2]int // done and total, by stage
}

// newProgressLine returns the progress line of a run that began at start,
// drawn on w.
func newProgressLine(w io.Writer, start time.Time, now func() time.Time) *progressLine {
	return &progressLine{w: w, start: start, now: now, last: start, counts: map[string][2]int{}}
}

// update is a curafeed.Config.Progress: it records how far stage is and
// draws the line when it was last drawn progressInterval ago or more.
func (p *progressLine) update(stage string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[stage] = [2]int{done, total}
	now := p.now()
	if now.Sub(p.last) < progressInterval {
		return
	}
	p.last = now
	line := "curafeed: " + p.describe() + ", " + elapsed(now.Sub(p.start))
	pad := max(0, p.width-len(line))
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.width = len(line)
}

// describe says how far each stage is: "records 120/549, feeds 40/1398".
func (p *progressLine) describe() string {
	var parts []string
	for _, stage := range []string{"records", "feeds"} {
		if c, ok := p.counts[stage]; ok {
			parts = append(parts, fmt.Sprintf("%s %d/%d", stage, c[0], c[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// clear erases the line, if one is shown, so that what is printed next
// starts on a clean line.
func (p *progressLine) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// elapsed shows a duration as the timing line does: milliseconds under a
// second ("12ms"), then seconds to the hundredth ("1.23s").
func elapsed(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
