//go:build !race

package curafeed

// raceEnabled is true when the tests run under the race detector, which
// adds allocations of its own.
const raceEnabled = false
