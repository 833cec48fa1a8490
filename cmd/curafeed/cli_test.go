package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSiteRequired requires build and serve to refuse to run without -site,
// except for the sample build (no -records, -out nor -hub), which a record
// folder of one's own never gets by accident; check needs no -site.
func TestSiteRequired(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		{"build", "-records", "../../testdata/records"},
		{"build", "-out", "out"},
		{"build", "-hub", "https://hub.example/"},
		{"-records", "../../testdata/records", "-out", "out"},
		{"serve", "-records", "../../testdata/records"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, 2, code, "%v", args)
		assert.Contains(t, stderr, "-site is required", "%v", args)
		assert.Empty(t, stdout, "%v", args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing is written without -site")

	for _, site := range []string{"community.example.org", "/feeds", "ftp://community.example.org", "https://", ""} {
		code, _, stderr := runCmd(t, "build", "-site", site, "-records", "../../testdata/records", "-out", "out")
		assert.Equal(t, 2, code, site)
		assert.Contains(t, stderr, "is not an absolute http(s) URL", site)
	}

	// With no arguments, and no sample records here, the error says how
	// to build one's own.
	code, _, stderr := runCmd(t)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "open testdata/records: no such file or directory")
	assert.Contains(t, stderr, "give -site, -records and -out")

	recs := filepath.Join(dir, "recs")
	require.NoError(t, os.MkdirAll(recs, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(recs, "a.md"), []byte("---\ntitle: A\ndate: 2021-01-01\n---\nbody\n"), 0o644))
	code, stdout, stderr := runCmd(t, "check", "-records", recs)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "records read 1, published 1")
}

// versionShape is what curafeed -version prints.
var versionShape = regexp.MustCompile(`^curafeed (v\S+|\(devel\))( rev [0-9a-f]{7}(, modified)?)?\n$`)

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, 0, code, "%v", args)
		assert.Regexp(t, versionShape, stdout, "%v", args)
		assert.Empty(t, stderr, "%v", args)
	}
	code, stdout, _ := runCmd(t, "help", "version")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "usage: curafeed version")
}

func TestVersionLine(t *testing.T) {
	bi := func(version string, settings ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{Main: debug.Module{Path: "github.com/curafeed/curafeed", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return b
	}
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{bi("v0.3.0"), true, "curafeed v0.3.0"},
		{bi("(devel)", "vcs.revision", "abc1234def5678", "vcs.modified", "true"), true, "curafeed (devel) rev abc1234, modified"},
		{bi("(devel)", "vcs.revision", "abc1234def5678", "vcs.modified", "false"), true, "curafeed (devel) rev abc1234"},
		{bi("", "vcs.revision", "abc"), true, "curafeed (devel) rev abc"},
		{bi("v0.3.0", "vcs.modified", "true"), true, "curafeed v0.3.0"},
		{nil, false, "curafeed (unknown version)"},
	} {
		assert.Equal(t, tc.want, versionLine(tc.bi, tc.ok))
	}
}

// TestVersionBinary builds the command as users do and requires -version
// to print its version, and the revision of the checkout when the build
// recorded one (go build does in a git clone).
func TestVersionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "curafeed")
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "-version").Output()
	require.NoError(t, err)
	assert.Regexp(t, versionShape, string(out))
	if !strings.Contains(string(out), " rev ") {
		t.Logf("the build recorded no revision: %s", out)
		return
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), " rev "+string(head[:7]), "the revision of the checkout")
}

// TestHelp requires every way of asking for help to print the usage to
// stdout and exit 0, and each command's usage to list its own flags only.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"help"}, {"help", "help"}} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, 0, code, "%v", args)
		assert.Empty(t, stderr, "%v", args)
		for _, cmd := range []string{"build", "check", "serve", "version", "help"} {
			assert.Contains(t, stdout, "curafeed "+cmd, "%v", args)
		}
	}
	own := map[string][]string{
		"build": {"-out", "-cache", "-site", "-records", "-limit", "-title", "-lang", "-v", "-hub", "-hub-timeout", "-archive-size", "-future", "-community-alias"},
		"check": {"-site", "-records", "-v", "-future", "-community-alias", "-community-aliases"},
		"serve": {"-addr", "-interval", "-cache", "-site", "-records", "-limit", "-title", "-hub", "-future"},
	}
	others := map[string][]string{
		"build": {"-addr", "-interval"},
		"check": {"-out", "-cache", "-addr", "-interval", "-hub", "-limit", "-title", "-archive-size"},
		"serve": {"-out", "-v", "-cpuprofile"},
	}
	for cmd, flags := range own {
		for _, args := range [][]string{{"help", cmd}, {cmd, "-h"}, {cmd, "-help"}, {cmd, "--help"}} {
			code, stdout, stderr := runCmd(t, args...)
			assert.Equal(t, 0, code, "%v", args)
			assert.Empty(t, stderr, "%v", args)
			assert.True(t, strings.HasPrefix(stdout, "usage: curafeed "+cmd), "%v: %q", args, stdout)
			for _, f := range flags {
				assert.Regexp(t, `(?m)^\s+`+regexp.QuoteMeta(f)+`\b`, stdout, "%v lists %s", args, f)
			}
			for _, f := range others[cmd] {
				assert.NotRegexp(t, `(?m)^\s+`+regexp.QuoteMeta(f)+`\b`, stdout, "%v lists %s", args, f)
			}
		}
	}
	// A wrong flag is a usage error: the error and the usage go to stderr.
	code, stdout, stderr := runCmd(t, "build", "-nope")
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "flag provided but not defined: -nope")
	assert.Contains(t, stderr, "usage: curafeed build")
}

// TestOSErrorReasons requires errors to give the operating system's own
// reason, not a message of curafeed's that hides it.
func TestOSErrorReasons(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	missing := filepath.Join(dir, "records")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "-site", defaultSite, "-records", missing, "-out", filepath.Join(dir, "out")}, "curafeed: open " + missing + ": no such file or directory"},
		{[]string{"check", "-records", missing}, "curafeed: open " + missing + ": no such file or directory"},
		{[]string{"check", "-records", file}, "curafeed: open " + file + ": not a directory"},
		{[]string{"build", "-site", defaultSite, "-records", "../../testdata/records", "-out", file}, "mkdir " + file + ": not a directory"},
		{[]string{"build", "-site", defaultSite, "-records", "../../testdata/records", "-out", filepath.Join(dir, "out"), "-cache", file}, "mkdir " + file + ": not a directory"},
		{[]string{"build", "-site", defaultSite, "-records", "../../testdata/records", "-out", filepath.Join(dir, "out"), "-community-aliases", missing}, "curafeed: open " + missing + ": no such file or directory"},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: permissions are not enforced, the permission cases are skipped")
		return
	}
	locked := filepath.Join(dir, "locked")
	require.NoError(t, os.Mkdir(locked, 0o000))
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	code, _, stderr := runCmd(t, "check", "-records", locked)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "permission denied")
	readonly := filepath.Join(dir, "readonly")
	require.NoError(t, os.Mkdir(readonly, 0o555))
	t.Cleanup(func() { os.Chmod(readonly, 0o755) })
	code, _, stderr = runCmd(t, "build", "-site", defaultSite, "-records", "../../testdata/records", "-out", filepath.Join(readonly, "out"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "permission denied")
}

// TestTimingLine requires build and check to end with one line on stderr
// counting the records and files and saying how long they took, and the
// files written to be the same bytes whatever the time.
func TestTimingLine(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCmd(t, "build", "-site", defaultSite, "-records", "../../testdata/broken", "-out", out)
	assert.Equal(t, 1, code)
	rest := withoutTiming(t, stderr)
	assert.NotRegexp(t, `(?m)^curafeed: \d+ records`, rest, "one timing line")
	assert.Regexp(t, `\ncurafeed: \d+ records, \d+ files in \S+\n$`, stderr)

	code, _, stderr = runCmd(t, "check", "-records", "../../testdata/records")
	assert.Equal(t, 0, code)
	withoutTiming(t, stderr)
	assert.Regexp(t, `\ncurafeed: 51 records, \d+ feeds checked in \S+\n$`, stderr)

	// Usage errors have none.
	code, _, stderr = runCmd(t, "build", "-nope")
	assert.Equal(t, 2, code)
	assert.NotContains(t, stderr, " records, ")
}

// TestNoProgressOffTerminal requires no progress line when stderr is not
// a terminal: a pipe, a buffer or a file gets only whole lines.
func TestNoProgressOffTerminal(t *testing.T) {
	defer func(d time.Duration) { progressInterval = d }(progressInterval)
	progressInterval = 0 // every update would be drawn on a terminal
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f))
	assert.False(t, isTerminal(&bytes.Buffer{}))
	var o bytes.Buffer
	code := run([]string{"build", "-site", defaultSite, "-records", "../../testdata/records", "-out", t.TempDir()}, &o, f)
	assert.Equal(t, 0, code)
	data, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	assert.NotContains(t, string(data), "\r")
	assert.NotRegexp(t, `records \d+/\d+`, string(data))
	withoutTiming(t, string(data))
}

// TestProgressLine requires the progress line to wait before it first
// shows, to be redrawn in place at most every progressInterval, to clear
// what a longer line left, and to be erased at the end.
func TestProgressLine(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	var w bytes.Buffer
	p := newProgressLine(&w, start, func() time.Time { return now })
	for i := 1; i <= 100; i++ {
		now = start.Add(time.Duration(i) * 2 * time.Millisecond)
		p.update("records", i, 1000)
	}
	assert.Empty(t, w.String(), "nothing in the first quarter second")
	for i := 101; i <= 1000; i++ {
		now = start.Add(time.Duration(i) * 2 * time.Millisecond) // 2 s in all
		p.update("records", i, 1000)
	}
	draws := strings.Count(w.String(), "\r")
	assert.GreaterOrEqual(t, draws, 6)
	assert.LessOrEqual(t, draws, 8, "at most four updates a second: %q", w.String())
	assert.NotContains(t, w.String(), "\n", "the line is rewritten in place")
	assert.Contains(t, w.String(), "\rcurafeed: records 875/1000, 1.75s")

	w.Reset()
	now = now.Add(time.Second)
	p.update("feeds", 5, 12)
	assert.Equal(t, "\rcurafeed: records 1000/1000, feeds 5/12, 3s", w.String())
	w.Reset()
	now = now.Add(time.Second)
	p.counts = map[string][2]int{}
	p.update("feeds", 6, 12)
	line := "curafeed: feeds 6/12, 4s"
	assert.Equal(t, "\r"+line+strings.Repeat(" ", len("curafeed: records 1000/1000, feeds 5/12, 3s")-len(line)), w.String(), "a shorter line blanks what the longer one left")
	w.Reset()
	p.clear()
	assert.Equal(t, "\r"+strings.Repeat(" ", len(line))+"\r", w.String())
	w.Reset()
	p.clear()
	assert.Empty(t, w.String(), "nothing left to erase")
	var none *progressLine
	none.clear()
}

func TestElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0s",
		1234 * time.Microsecond:  "1ms",
		999 * time.Millisecond:   "999ms",
		1234 * time.Millisecond:  "1.23s",
		61235 * time.Millisecond: "1m1.24s",
	} {
		assert.Equal(t, want, elapsed(d), d.String())
	}
}
