package main

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// buildGCLive is the live heap up to which a build lets the heap grow to
// three times what is live (GOGC=200), and buildGCPeriod how often it
// looks. A build allocates many times what it keeps (every document is
// put together, written and dropped), so a larger target halves the
// collections: at 10,000 records, 17% less wall time for 132 MB of peak
// memory instead of 93 MB. Past buildGCLive the collector goes back to its
// default, where the memory matters more than its time: at 100,000
// records, where the live heap passes it, the build peaks at about 510 MB
// (720 MB with 256 MiB, for 4% less wall time).
var (
	buildGCLive   uint64 = 160 << 20
	buildGCPeriod        = 20 * time.Millisecond
)

// buildGC sets the collector's target for a build, unless GOGC sets one,
// and returns the function that puts the default back.
func buildGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	debug.SetGCPercent(200)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(buildGCPeriod)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > buildGCLive {
				debug.SetGCPercent(100)
				<-done
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		debug.SetGCPercent(100)
	}
}
