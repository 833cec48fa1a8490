//go:build race

package frontmatter

// raceEnabled is true when the tests run under the race detector, which
// adds allocations of its own.
const raceEnabled = true
