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
// 2.5 times the live heap when that is more (GOGC=150); at 10,000 records,
// 20 to 23 collections and a heap that stays under about 100 MB
// throughout, the live heap under 50 MB. A build whose live heap passes
// buildGCLarge (at 100,000 records it reaches about 190 MB while
// rendering) may grow its heap to 3.5 times the live heap (GOGC=250), but
// not past buildGCCeiling, and never to less than twice the live heap (the
// default, GOGC=100), which it goes back to once the live heap passes half
// of buildGCCeiling: at 100,000 records, GOGC=250 took 0.91 of the wall
// time of GOGC=150 (medians of 4 alternating pairs) for a peak of about
// 640 MB instead of 460 MB. buildGCPeriod is how often the live heap is
// looked at.
var (
	buildGCFloor   uint64 = 96 << 20
	buildGCLarge   uint64 = 64 << 20
	buildGCCeiling uint64 = 900 << 20
	buildGCPeriod         = 20 * time.Millisecond
)

// buildGCPercent is the collector's target for a build whose live heap is
// live bytes (see buildGCFloor).
func buildGCPercent(live uint64) int {
	switch {
	case live == 0:
		return 150
	case 5*live < 2*buildGCFloor:
		return int(min((buildGCFloor-live)*100/live, 2000))
	case live <= buildGCLarge:
		return 150
	case 2*buildGCCeiling > 7*live:
		return 250
	case buildGCCeiling > 2*live:
		return int((buildGCCeiling - live) * 100 / live)
	}
	return 100
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
