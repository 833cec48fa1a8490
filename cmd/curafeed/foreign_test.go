package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildLeavesForeignFiles requires `build` into a folder it shares with
// other tools to name each file it left alone, one line each, as a
// warning, and to exit 1 when a feed could not be written for a file
// curafeed did not write in its place.
func TestBuildLeavesForeignFiles(t *testing.T) {
	out := t.TempDir()
	index := filepath.Join(out, "index.html")
	require.NoError(t, os.WriteFile(index, []byte("<p>the site's own home page</p>\n"), 0o644))
	args := []string{"build", "-site", "https://community.example.org", "-records", "../../testdata/records", "-out", out}
	code, _, stderr := runCmd(t, args...)
	assert.Equal(t, 0, code, "a file left alone is a warning: %s", stderr)
	assert.Contains(t, stderr, "curafeed: left alone: "+index+" (not written by curafeed)\n")
	assert.NotContains(t, stderr, "could not be written")

	feed := filepath.Join(out, "all", "rss.xml")
	require.NoError(t, os.WriteFile(feed, []byte("edited by hand\n"), 0o644))
	code, stdout, stderr := runCmd(t, args...)
	assert.Equal(t, 1, code, "a feed not written is a failure: %s", stderr)
	assert.Contains(t, stderr, "curafeed: left alone: "+index+" (not written by curafeed)\n")
	assert.Contains(t, stderr, "curafeed: left alone: "+feed+" (not written by curafeed): its feed could not be written\n")
	assert.Contains(t, stderr, "curafeed: 1 feed file not written: move away the file in its place\n")
	assert.Equal(t, 4, strings.Count(stderr, "curafeed: "), "three lines and the timing line: %s", stderr)
	assert.Contains(t, stdout, "records read ")
	data, err := os.ReadFile(feed)
	require.NoError(t, err)
	assert.Equal(t, "edited by hand\n", string(data))
}
