package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// timingLine matches the line that ends every build and check on stderr.
var timingLine = regexp.MustCompile(`^curafeed: \d+ records, \d+ (files|feeds checked) in \d+(\.\d+)?(µs|ms|s)$`)

// withoutTiming returns stderr without its last line, which it requires to
// be the timing line.
func withoutTiming(t *testing.T, stderr string) string {
	t.Helper()
	rest, last := "", strings.TrimSuffix(stderr, "\n")
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		rest, last = last[:i+1], last[i+1:]
	}
	assert.Regexp(t, timingLine, last, "the last line of stderr")
	return rest
}

func TestBuildSample(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "build", "-records", "../../testdata/records", "-out", out, "-site", defaultSite)
	assert.Equal(t, 0, code, "every sample record publishes or is skipped by name: %s", stderr)
	assert.Contains(t, stdout, "records read ")
	assert.Contains(t, stdout, "written to "+out)
	lines := strings.Split(strings.TrimSpace(withoutTiming(t, stderr)), "\n")
	require.NotEmpty(t, lines)
	for _, l := range lines {
		// path:line: field: reason, with the path on disk.
		assert.Regexp(t, `^\.\./\.\./testdata/records/\S+\.md(:\d+)?: \S`, l)
	}
	for _, p := range []string{"index.opml", "all/rss.xml", "all/atom.xml", "all/feed.json", "communities/security/rss.xml", "topics/gartner-cybersecurity/feed.json", "communities/security/topics/gartner-cybersecurity/atom.xml"} {
		assert.FileExists(t, filepath.Join(out, p))
	}

	// A second build rewrites nothing.
	code, stdout, _ = runCmd(t, "build", "-records", "../../testdata/records", "-out", out, "-site", defaultSite)
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, " 0 written,")
}

func TestCheckWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	recs := filepath.Join(dir, "recs")
	require.NoError(t, os.MkdirAll(recs, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(recs, "a.md"), []byte("---\ntitle: A\ndate: 2021-01-01\n---\nbody\n"), 0o644))
	code, stdout, stderr := runCmd(t, "check", "-records", recs)
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "records read 1, published 1, skipped 0, rejected 0")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "check writes no files")

	require.NoError(t, os.WriteFile(filepath.Join(recs, "b.md"), []byte("---\ndate: 2021-01-01\n---\n"), 0o644))
	code, _, stderr = runCmd(t, "check", "-records", recs)
	assert.Equal(t, 1, code)
	assert.Equal(t, filepath.Join(recs, "b.md")+": title: missing: every record needs a title\n", withoutTiming(t, stderr))
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"build", "-nope"},
		{"build", "-records", "/does/not/exist", "-site", defaultSite},
		{"build", "-site", "not a url", "-records", "../../testdata/records", "-out", "/tmp/x"},
		{"build", "-site", "", "-records", "../../testdata/records", "-out", "/tmp/x"},
		{"build", "-site", defaultSite, "-limit", "0"},
		{"check", "extra"},
		{"check", "-out", "x"},
		{"version", "extra"},
		{"help", "frobnicate"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr)
		assert.Empty(t, stdout, "%v: usage errors go to stderr", args)
	}
	code, stdout, _ := runCmd(t, "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "usage:")
}

func TestOutUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	code, _, stderr := runCmd(t, "build", "-records", "../../testdata/records", "-out", filepath.Join(file, "sub"), "-site", defaultSite)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "curafeed: writing")
	assert.Contains(t, stderr, "not a directory", "the system's reason")
}

func TestNoFlagsBuildsSample(t *testing.T) {
	// With no flags the command builds testdata/records into ./public,
	// relative to where it runs: the repository root.
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	work := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(root, "testdata"), filepath.Join(work, "testdata")))
	t.Chdir(work)
	code, stdout, stderr := runCmd(t)
	assert.Equal(t, 0, code, "the README's first command exits 0")
	assert.Contains(t, stdout, "written to public")
	withoutTiming(t, stderr)
	assert.FileExists(t, filepath.Join(work, "public", "index.opml"))
}

// TestBuildBroken builds testdata/broken, records broken on purpose: the
// command exits 1, names each file as path:line: field: reason, and still
// writes the feeds (here empty of items).
func TestBuildBroken(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "build", "-records", "../../testdata/broken", "-out", out, "-site", "https://broken.example")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "rejected 4")
	for _, want := range []string{
		`72cc42d6-d51e-58c4-9013-a75b4ecf6df7.md:24: date: not a date: "last tuesday"`,
		`24531abf-8d82-5e91-8844-65d957578ef2.md: title: missing`,
		`7b8e44da-05d2-533c-a9cd-71df00ea4676.md:58: title: empty after cleaning`,
		`bc68e200-ae82-5373-b17f-2b1d4bba37c1.md:41: front matter: invalid YAML`,
	} {
		assert.Contains(t, stderr, want)
	}
	assert.FileExists(t, filepath.Join(out, "all", "rss.xml"))
}

// TestBuildCacheKeepsDamaged requires `build -cache` to name a record
// damaged since the last build as an error and as kept, and to keep its
// feeds as they were.
func TestBuildCacheKeepsDamaged(t *testing.T) {
	dir, out, cache := t.TempDir(), t.TempDir(), t.TempDir()
	rec := filepath.Join(dir, "news", "a.md")
	require.NoError(t, os.MkdirAll(filepath.Dir(rec), 0o755))
	require.NoError(t, os.WriteFile(rec, []byte("---\ntitle: Kept title\ndate: 2024-01-01\nbasePath: /news/\nslug: a\n---\nbody\n"), 0o644))
	args := []string{"build", "-records", dir, "-out", out, "-cache", cache, "-site", "https://kept.example"}
	code, _, stderr := runCmd(t, args...)
	require.Equal(t, 0, code, stderr)
	require.NoError(t, os.WriteFile(rec, []byte("---\ntitle: Kept title\ndate: 2024-01-01\n"), 0o644)) // cut before its closing ---
	code, stdout, stderr := runCmd(t, args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, rec+":1: front matter:")
	assert.Contains(t, stderr, rec+": kept: its last good version stays published")
	assert.Contains(t, stdout, "rejected 1, kept 1,")
	assert.Contains(t, stdout, " 0 written,")
	data, err := os.ReadFile(filepath.Join(out, "all", "rss.xml"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "Kept title")
}

// TestArchiveFeedsFlag: -archive-feeds chooses the kinds of feed that keep
// archive documents; an unknown kind is a usage error.
func TestArchiveFeedsFlag(t *testing.T) {
	archives := regexp.MustCompile(`archive documents (\d+)`)
	count := func(kinds ...string) int {
		t.Helper()
		args := []string{"build", "-site", "https://community.example.org", "-records", "../../testdata/records", "-out", t.TempDir(), "-limit", "1"}
		if len(kinds) > 0 {
			args = append(args, "-archive-feeds", kinds[0])
		}
		code, stdout, stderr := runCmd(t, args...)
		require.Equal(t, 0, code, stderr)
		m := archives.FindStringSubmatch(stdout)
		require.NotNil(t, m, stdout)
		n, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		return n
	}
	none, def, all := count(""), count(), count("all,community,topic,community-topic")
	assert.Zero(t, none)
	assert.Positive(t, def)
	assert.Greater(t, all, def, "topic and community×topic feeds add archives")
	assert.Equal(t, def, count("community,all"))
	code, _, stderr := runCmd(t, "build", "-site", "https://community.example.org", "-records", "../../testdata/records", "-out", t.TempDir(), "-archive-feeds", "topics")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `ArchiveFeeds names "topics"`)
}
