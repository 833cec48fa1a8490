package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The collector's target during a build. A build allocates many times what
// it keeps (every record is read and parsed, every document is put
// together, written and dropped), and the default target (twice the live
// heap) collects often while little is live: at 10,000 records, 41 times,
// 25 of them every 30 to 40 ms while the records were read with 5 to 16 MB
// live. So the heap may grow to buildGCFloor before a collection, or to
// 2.5 times the live heap when that is more (GOGC=150), while the live
// heap is under buildGCLive: at 10,000 records, 20 to 23 collections and
// a heap that stays under about 100 MB throughout; at 100,000 records,
// whose live heap reaches about 200 MB while rendering, a peak of about
// 510 MB, where the default target took 6% more CPU time. Past buildGCLive
// the collector goes back to its default, where the memory matters more
// than its time. buildGCPeriod is how often the live heap is looked at.
var (
	buildGCLive   uint64 = 320 << 20
	buildGCFloor  uint64 = 96 << 20
	buildGCPeriod        = 20 * time.Millisecond
)

// buildGCPercent is the collector's target for a build whose live heap is
// live bytes: up to buildGCFloor while that is more than 2.5 times live
// (at most GOGC=2000), else 150, or the default 100 past buildGCLive.
func buildGCPercent(live uint64) int {
	switch {
	case live > buildGCLive:
		return 100
	case live == 0 || 5*live >= 2*buildGCFloor:
		return 150
	}
	return int(min((buildGCFloor-live)*100/live, 2000))
}

// buildGC sets the collector's target for a build, unless GOGC sets one,
// and returns the function that puts the default back.
func buildGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	percent := buildGCPercent(live())
	debug.SetGCPercent(percent)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(buildGCPeriod)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			// The live heap is measured at the end of each collection.
			p := buildGCPercent(live())
			if p == 100 {
				debug.SetGCPercent(100)
				<-done
				return
			}
			if p != percent {
				percent = p
				debug.SetGCPercent(p)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		debug.SetGCPercent(100)
	}
}
