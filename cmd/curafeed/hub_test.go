package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/curafeed/curafeed/internal/hubtest"
	"github.com/curafeed/curafeed/websub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hubSite is the -site of the builds these tests run.
const hubSite = "https://community.example.org"

// feedFile matches the path of a feed document in the output tree.
var feedFile = regexp.MustCompile(`(^|/)(rss\.xml|atom\.xml|feed\.json)$`)

// outTree reads every file under dir, by slash path.
func outTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	}))
	return out
}

// currentFeeds returns the URL of every current feed document (no archive)
// of the tree, sorted; with changedFrom, only those whose bytes differ from
// that earlier tree.
func currentFeeds(tree, changedFrom map[string][]byte) []string {
	var urls []string
	for p, data := range tree {
		if !feedFile.MatchString(p) || strings.Contains("/"+p, "/archive/") {
			continue
		}
		if changedFrom != nil {
			if old, ok := changedFrom[p]; ok && bytes.Equal(old, data) {
				continue
			}
		}
		urls = append(urls, hubSite+"/"+p)
	}
	sort.Strings(urls)
	return urls
}

// summaryFeeds reads the number of feeds from a build's summary line.
func summaryFeeds(t *testing.T, stdout string) int {
	t.Helper()
	m := regexp.MustCompile(`; feeds (\d+),`).FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// websubLine is the report line of a build that told n pairs to the hubs,
// failed of them failing.
func websubLine(n, failed int) string {
	return "websub: notified " + strconv.Itoa(n-failed) + " of " + strconv.Itoa(n) + " (hub, feed) pairs, " + strconv.Itoa(failed) + " failed\n"
}

// hubFailures returns the lines of stderr that report a failed
// notification: a websub line naming hub. It requires one for each URL of
// urls, naming it, and no other.
func hubFailures(t *testing.T, stderr, hub string, urls []string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "websub") && strings.Contains(l, hub) {
			lines = append(lines, l)
		}
	}
	require.Len(t, lines, len(urls), stderr)
	for _, u := range urls {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, u+":") {
				n++
			}
		}
		assert.Equal(t, 1, n, "%s: not reported once on stderr:\n%s", u, stderr)
	}
	return lines
}

func TestBuildNotifiesHub(t *testing.T) {
	dir := copyRecords(t)
	out := t.TempDir()
	hub := hubtest.Start(t, hubSite, nil)
	args := []string{"build", "-records", dir, "-out", out, "-site", hubSite, "-hub", hub.URL}

	code, stdout, stderr := runCmd(t, args...)
	assert.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "websub")
	first := outTree(t, out)
	all := currentFeeds(first, nil)
	require.NotEmpty(t, all)
	assert.Len(t, all, 3*summaryFeeds(t, stdout), "every feed in every format")
	assert.Equal(t, all, hub.Got(), "the first build tells the hub of every current feed, once")
	assert.Contains(t, stdout, websubLine(len(all), 0))

	// Edit one record: the hub hears of the feeds whose files changed.
	seed := filepath.Join(dir, "communities/chronic-care-management/curated-content/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb.md")
	data, err := os.ReadFile(seed)
	require.NoError(t, err)
	edited := bytes.Replace(data, []byte("\ntitle: Improving Cybersecurity"), []byte("\ntitle: Improving Cyber Security"), 1)
	require.NotEqual(t, data, edited)
	require.NoError(t, os.WriteFile(seed, edited, 0o644))
	hub.Reset()
	code, stdout, stderr = runCmd(t, args...)
	assert.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "websub")
	changed := currentFeeds(outTree(t, out), first)
	assert.NotEmpty(t, changed)
	assert.Less(t, len(changed), len(all))
	assert.Equal(t, changed, hub.Got(), "the second build tells the hub of the changed feeds, once each")
	assert.Contains(t, stdout, websubLine(len(changed), 0))
	t.Logf("first build: %d feed URLs notified; after one edit: %d", len(all), len(changed))

	// Nothing changed: the hub hears nothing.
	hub.Reset()
	code, stdout, _ = runCmd(t, args...)
	assert.Equal(t, 0, code)
	assert.Empty(t, hub.Got())
	assert.Contains(t, stdout, websubLine(0, 0))
}

func TestBuildHubFailures(t *testing.T) {
	t.Run("500", func(t *testing.T) {
		// One good record and one rejected: a single feed, so that every
		// pair can use all its tries within a short run.
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "news"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "news", "good.md"), []byte("---\ntitle: Good\ndate: 2024-01-01\nbasePath: /news/\n---\nbody\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "news", "bad.md"), []byte("---\ndate: 2024-01-01\n---\nno title\n"), 0o644))
		out := t.TempDir()
		hub := hubtest.Start(t, hubSite, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		})

		start := time.Now()
		code, stdout, stderr := runCmd(t, "build", "-records", dir, "-out", out, "-site", hubSite, "-hub", hub.URL, "-hub-timeout", "5s")
		took := time.Since(start)
		assert.Equal(t, 1, code, "the exit status is the records': %s", stderr)
		urls := currentFeeds(outTree(t, out), nil)
		require.Len(t, urls, 3, "one feed in three formats is written")
		counts := hub.PerURL()
		assert.Len(t, counts, len(urls))
		for _, u := range urls {
			assert.Equal(t, websub.DefaultAttempts, counts[u], "%s: a 500 is tried again, up to the default attempts", u)
		}
		assert.Contains(t, stdout, websubLine(len(urls), len(urls)))
		failures := hubFailures(t, stderr, hub.URL, urls)
		for _, l := range failures {
			assert.Contains(t, l, "500 Internal Server Error")
			assert.Contains(t, l, "after 3 tries")
		}
		assert.Contains(t, stderr, filepath.Join(dir, "news", "bad.md")+": title: missing")
		assert.Less(t, took, 5*time.Second)
		t.Logf("500: %d requests for %d URLs in %v", len(hub.Got()), len(urls), took)
	})

	t.Run("hang", func(t *testing.T) {
		release := make(chan struct{})
		hub := hubtest.Start(t, hubSite, func(http.ResponseWriter, *http.Request) { <-release })
		t.Cleanup(func() { close(release) }) // runs before the hub closes
		out := t.TempDir()

		start := time.Now()
		code, stdout, stderr := runCmd(t, "build", "-records", "../../testdata/records", "-out", out, "-site", hubSite, "-hub", hub.URL, "-hub-timeout", "300ms")
		took := time.Since(start)
		assert.Equal(t, 0, code, "a failing hub does not fail the build: %s", stderr)
		assert.Less(t, took, 5*time.Second, "the hub timeout does not bound the run")
		assert.GreaterOrEqual(t, took, 300*time.Millisecond)

		urls := currentFeeds(outTree(t, out), nil)
		require.NotEmpty(t, urls, "the feeds are written")
		assert.Len(t, urls, 3*summaryFeeds(t, stdout))
		assert.FileExists(t, filepath.Join(out, "all", "rss.xml"))
		assert.Contains(t, stdout, websubLine(len(urls), len(urls)))
		failures := hubFailures(t, stderr, hub.URL, urls)
		for _, l := range failures {
			assert.Contains(t, l, "the publish timeout of 300ms ran out")
		}
		got := len(hub.Got())
		assert.Positive(t, got)
		assert.LessOrEqual(t, got, websub.DefaultConcurrency, "no more requests than may be in flight")
		t.Logf("hang: run took %v; %d pairs failed; the hub got %d requests", took, len(failures), got)
	})
}
