package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestBuildGC requires a build to raise the collector's target while the
// live heap is small, to go back to the default once it passes
// buildGCLive and when the build ends, and to leave GOGC's choice alone.
func TestBuildGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	stop := buildGC(func(k string) string {
		if k == "GOGC" {
			return "80"
		}
		return ""
	})
	assert.Equal(t, uint64(100), gcPercent(), "GOGC decides")
	stop()

	defer func(live uint64) { buildGCLive = live }(buildGCLive)
	buildGCLive = 1 << 40
	stop = buildGC(func(string) string { return "" })
	time.Sleep(5 * buildGCPeriod)
	assert.Equal(t, uint64(200), gcPercent(), "while the heap is small")
	stop()
	assert.Equal(t, uint64(100), gcPercent(), "after the build")

	buildGCLive = 1 << 20
	keep := make([][]byte, 64)
	for i := range keep {
		keep[i] = make([]byte, 64<<10) // 4 MiB live
	}
	stop = buildGC(func(string) string { return "" })
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(2 * buildGCPeriod)
		if gcPercent() == 100 {
			break
		}
	}
	assert.Equal(t, uint64(100), gcPercent(), "once the live heap passed buildGCLive")
	runtime.KeepAlive(keep)
}

// gcPercent is the collector's target, as the runtime reports it.
func gcPercent() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
