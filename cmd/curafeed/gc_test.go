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
// live heap is small, to go back to the default once it passes half of
// buildGCCeiling and when the build ends, and to leave GOGC's choice
// alone.
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

	defer func(floor, large, ceiling uint64) {
		buildGCFloor, buildGCLarge, buildGCCeiling = floor, large, ceiling
	}(buildGCFloor, buildGCLarge, buildGCCeiling)
	stop = buildGC(func(string) string { return "" })
	runtime.GC()
	time.Sleep(5 * buildGCPeriod)
	assert.Greater(t, gcPercent(), uint64(150), "while the heap is far under buildGCFloor")
	stop()
	assert.Equal(t, uint64(100), gcPercent(), "after the build")

	buildGCFloor, buildGCLarge, buildGCCeiling = 0, 0, 1<<20
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
	assert.Equal(t, uint64(100), gcPercent(), "once the live heap passed half of buildGCCeiling")
	runtime.KeepAlive(keep)
}

// gcPercent is the collector's target, as the runtime reports it.
func gcPercent() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestBuildGCPercent: the target keeps the heap at buildGCFloor while that
// is more than 2.5 times the live heap, at 150 beyond up to buildGCLarge,
// at 250 past it while that keeps the heap under buildGCCeiling, at the
// ceiling while that is more than twice the live heap, and at the default
// past that.
func TestBuildGCPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 150}, {1, 2000}, {4 * mb, 2000}, {8 * mb, 1100}, {32 * mb, 200}, {38 * mb, 152},
		{39 * mb, 150}, {buildGCLarge, 150}, {buildGCLarge + 1, 250}, {190 * mb, 250},
		{257 * mb, 250}, {258 * mb, 248}, {300 * mb, 200}, {449 * mb, 100}, {buildGCCeiling / 2, 100},
		{buildGCCeiling, 100}, {2 * buildGCCeiling, 100},
	} {
		assert.Equal(t, c.want, buildGCPercent(c.live), "live %d", c.live)
		goal := c.live + c.live*uint64(c.want)/100
		switch {
		case c.live > 0 && c.want > 150 && c.want < 2000 && c.live <= buildGCLarge:
			assert.InDelta(t, float64(buildGCFloor), float64(goal), float64(mb), "the heap goal is the floor")
		case c.want > 100 && c.want < 250 && c.live > buildGCLarge:
			assert.InDelta(t, float64(buildGCCeiling), float64(goal), float64(buildGCCeiling)/100, "the heap goal is the ceiling (a whole percent)")
		case c.live > 0 && c.live <= buildGCCeiling/2:
			assert.LessOrEqual(t, goal, max(buildGCCeiling, buildGCFloor), "the heap goal is under the ceiling")
		}
	}
}
