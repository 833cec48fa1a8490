package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const hostileDir = "../../testdata/hostile"

// unpublished lists the record files of dir that Load does not publish,
// as paths on disk.
func unpublished(t *testing.T, dir string, cfg curafeed.Config) []string {
	t.Helper()
	recs, err := curafeed.Load(os.DirFS(dir), cfg)
	require.NoError(t, err)
	published := map[string]bool{}
	for _, it := range recs.All() {
		published[it.Path] = true
	}
	var out []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		rel, _ := filepath.Rel(dir, p)
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".md") && !published[filepath.ToSlash(rel)] {
			out = append(out, p)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// checkNamed checks that every file of files is named at the start of a line
// of out ("path: skipped: reason" or "path:line: field: reason"), and that
// every line naming a skipped file has that form.
func checkNamed(t *testing.T, out string, files []string) {
	t.Helper()
	require.NotEmpty(t, files)
	for _, f := range files {
		assert.Regexp(t, `(?m)(^|\s)`+regexp.QuoteMeta(f)+`(:\d+)?: \S`, out, "%s is not named", f)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "skipped:") && !strings.Contains(l, "records read") {
			assert.Regexp(t, `\S+\.md: skipped: \S`, l)
		}
	}
}

// TestBuildHostile builds the hostile records: the build never fails as a
// whole, writes nothing outside its folder, and names every file it does
// not publish.
func TestBuildHostile(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	code, stdout, stderr := runCmd(t, "build", "-records", hostileDir, "-out", out, "-site", defaultSite)
	assert.Contains(t, []int{0, 1}, code, "%s\n%s", stdout, stderr)
	checkNamed(t, stderr, unpublished(t, hostileDir, curafeed.Config{SiteURL: defaultSite}))
	assert.Contains(t, stderr, filepath.Join(hostileDir, "build-future.md")+": skipped: scheduled")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the output folder")
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		assert.LessOrEqual(t, len(d.Name()), 100, p)
		return nil
	})
	require.NoError(t, err)
	all, err := os.ReadFile(filepath.Join(out, "all", "feed.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(all), "HOSTILE-BUILD-FUTURE-MARKER")
	assert.Contains(t, string(all), "HOSTILE-BUILD-LONG-TOPIC-MARKER")
	assert.DirExists(t, filepath.Join(out, "communities", "risk-compliance"), "no alias given")

	// -future publishes the scheduled record; -community-alias joins the
	// two spellings of a community.
	out2 := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr = runCmd(t, "build", "-records", hostileDir, "-out", out2, "-site", defaultSite, "-future",
		"-community-alias", "risk-compliance=risk-and-compliance")
	assert.Contains(t, []int{0, 1}, code, "%s\n%s", stdout, stderr)
	assert.NotContains(t, stderr, "build-future.md")
	all, err = os.ReadFile(filepath.Join(out2, "all", "feed.json"))
	require.NoError(t, err)
	assert.Contains(t, string(all), "HOSTILE-BUILD-FUTURE-MARKER")
	assert.NoDirExists(t, filepath.Join(out2, "communities", "risk-compliance"))
	joined, err := os.ReadFile(filepath.Join(out2, "communities", "risk-and-compliance", "feed.json"))
	require.NoError(t, err)
	assert.Contains(t, string(joined), "HOSTILE-BUILD-ALIAS-SHORT-MARKER")
	assert.Contains(t, string(joined), "HOSTILE-BUILD-ALIAS-LONG-MARKER")
}

// TestCheckNamesSkipped checks that check names every file it does not
// publish, without -v.
func TestCheckNamesSkipped(t *testing.T) {
	code, stdout, stderr := runCmd(t, "check", "-records", hostileDir)
	assert.Contains(t, []int{0, 1}, code, "%s\n%s", stdout, stderr)
	checkNamed(t, stderr, unpublished(t, hostileDir, curafeed.Config{SiteURL: defaultSite}))
}

// TestServeNamesSkipped checks that serve logs every file it does not
// publish.
func TestServeNamesSkipped(t *testing.T) {
	base, logs, stop := startServe(t, hostileDir, serveConfig, 0)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "serving the feeds") }, 10*time.Second, 10*time.Millisecond)
	checkNamed(t, logs.String(), unpublished(t, hostileDir, serveConfig(base)))
	assert.Equal(t, 0, stop())
}

func TestAliasFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"build", "-records", hostileDir, "-out", t.TempDir(), "-site", defaultSite, "-community-alias", "nocanonical"},
		{"build", "-records", hostileDir, "-out", t.TempDir(), "-site", defaultSite, "-community-alias", "a=b", "-community-alias", "b=a"},
		{"check", "-records", hostileDir, "-community-alias", "=x"},
	} {
		code, _, stderr := runCmd(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, "alias", "%v", args)
	}
}
