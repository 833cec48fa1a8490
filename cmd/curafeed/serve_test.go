package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func serveConfig(site string) curafeed.Config {
	return curafeed.Config{SiteURL: site, Title: "Example Health Community"}
}

// copyRecords copies the sample records into a new folder.
func copyRecords(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	src := "../../testdata/records"
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	require.NoError(t, err)
	return dst
}

func getBody(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

// startServe runs serve on a loopback port with the configuration cfg
// makes for its URL, and returns that URL, the log, and the function that
// stops it as SIGINT would and returns its exit status.
func startServe(t *testing.T, dir string, cfg func(base string) curafeed.Config, interval time.Duration) (base string, logs *syncBuffer, stop func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs = &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- serve(ctx, ln, dir, cfg(base), interval, nil, logs) }()
	return base, logs, func() int {
		t.Helper()
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
}

// TestServe runs the server on a loopback port, edits a record and waits
// for the reload, then stops it as SIGINT would.
func TestServe(t *testing.T) {
	dir := copyRecords(t)
	base, logs, stop := startServe(t, dir, serveConfig, 50*time.Millisecond)

	// The first load is done before the server accepts connections.
	res, body := getBody(t, base+"/communities/security/rss.xml")
	require.Equal(t, 200, res.StatusCode, body)
	assert.Equal(t, "application/rss+xml; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, "<"+base+`/communities/security/rss.xml>; rel="self"`, res.Header.Get("Link"))
	assert.Contains(t, body, `<atom:link href="`+base+`/communities/security/rss.xml" rel="self"`)
	res, _ = getBody(t, base+"/communities/security/")
	assert.Equal(t, 404, res.StatusCode)

	// Rejected records are logged as path:line: field: reason, with the
	// path on disk; then the summary.
	out := logs.String()
	assert.Contains(t, out, "serving the feeds of "+dir+" at "+base+"/")
	assert.Regexp(t, `(?m) `+dir+`/\S+\.md(:\d+)?: \S`, out)
	assert.Regexp(t, `loaded .* records read \d+, published \d+, skipped \d+, rejected 0, kept 0; feeds \d+, files \d+ \(\d+ rendered, \d+ changed, 0 removed\)`, out)

	// An edited record is served after the next poll.
	matches, err := filepath.Glob(filepath.Join(dir, "communities/security/*/*.md"))
	require.NoError(t, err)
	var rec string
	for _, m := range matches {
		if data, _ := os.ReadFile(m); bytes.Contains(data, []byte("\ntitle: ")) && !strings.HasSuffix(m, "_index.md") {
			rec = m
			break
		}
	}
	require.NotEmpty(t, rec)
	data, err := os.ReadFile(rec)
	require.NoError(t, err)
	edited := strings.Replace(string(data), "\ntitle: ", "\ntitle: Edited while serving ", 1)
	require.NoError(t, os.WriteFile(rec, []byte(edited), 0o644))
	require.Eventually(t, func() bool {
		_, body := getBody(t, base+"/communities/security/rss.xml")
		return strings.Contains(body, "Edited while serving")
	}, 10*time.Second, 20*time.Millisecond)
	assert.Regexp(t, `loaded .* \(\d+ rendered, [1-9]\d* changed, 0 removed\)`, logs.String())

	// A record that breaks is logged, and its last good version stays.
	require.NoError(t, os.WriteFile(rec, []byte(strings.Replace(edited, "\ndate: ", "\ndate: 'never'\nx: ", 1)), 0o644))
	require.Eventually(t, func() bool {
		return strings.Contains(logs.String(), "(its last good version is still served)")
	}, 10*time.Second, 20*time.Millisecond)
	_, body = getBody(t, base+"/communities/security/rss.xml")
	assert.Contains(t, body, "Edited while serving")

	assert.Equal(t, 0, stop(), logs.String())
	assert.Contains(t, logs.String(), "shutting down")
	assert.True(t, strings.HasSuffix(logs.String(), "stopped\n"))
	_, err = http.Get(base + "/all/rss.xml")
	assert.Error(t, err, "the listener is closed")
}

// TestServeCacheRestart requires serve with a cache folder to save the
// served feeds after its first load and when it stops, and the next start
// to render only the index files and serve the feeds with the same bytes
// and ETags.
func TestServeCacheRestart(t *testing.T) {
	dir := copyRecords(t)
	cfg := serveConfig("https://community.example.org")
	cfg.CacheDir = t.TempDir()
	run := func() (logs string, etag, body string) {
		t.Helper()
		base, out, stop := startServe(t, dir, func(string) curafeed.Config { return cfg }, 0)
		res, body := getBody(t, base+"/communities/security/atom.xml")
		require.Equal(t, 200, res.StatusCode, body)
		// Saved once after the first load, before any stop.
		require.Eventually(t, func() bool {
			_, err := os.Stat(filepath.Join(cfg.CacheDir, "serve.state"))
			return err == nil
		}, 10*time.Second, 10*time.Millisecond)
		require.Equal(t, 0, stop(), out.String())
		return out.String(), res.Header.Get("Etag"), body
	}
	logs1, etag1, body1 := run()
	m := regexp.MustCompile(`files (\d+) \((\d+) rendered,`).FindStringSubmatch(logs1)
	require.NotNil(t, m, logs1)
	assert.Equal(t, m[1], m[2], "the first start renders every file")
	require.FileExists(t, filepath.Join(cfg.CacheDir, "serve.state"))

	logs2, etag2, body2 := run()
	assert.Contains(t, logs2, "files "+m[1]+" (3 rendered,", "the second start renders the index files only")
	assert.Equal(t, etag1, etag2)
	assert.Equal(t, body1, body2)
}

func TestServeBadRecords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var logs syncBuffer
	code := serve(context.Background(), ln, t.TempDir(), serveConfig("not a url"), 0, nil, &logs)
	assert.Equal(t, 2, code)
	assert.Contains(t, logs.String(), "site URL")
}

func TestServeUsage(t *testing.T) {
	const site = "http://127.0.0.1:8080"
	for _, args := range [][]string{
		{"serve", "-nope"},
		{"serve", "-site", site, "extra"},
		{"serve", "-site", site, "-records", "/does/not/exist"},
		{"serve", "-site", site, "-records", "../../testdata/records", "-limit", "0"},
		{"serve", "-site", site, "-records", "../../testdata/records", "-interval", "-1s"},
		{"serve", "-site", site, "-records", "../../testdata/records", "-addr", "127.0.0.1:99999"},
		{"serve", "-records", "../../testdata/records", "-addr", "127.0.0.1:0", "-site", "ftp://x"},
		{"serve", "-records", "../../testdata/records", "-addr", "127.0.0.1:0"},
		{"serve", "-site", site, "-out", "public"},
	} {
		code, stdout, stderr := runCmd(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, stderr)
		assert.NotEmpty(t, stderr, "%v", args)
		assert.Empty(t, stdout, "%v", args)
	}
	code, stdout, stderr := runCmd(t, "serve", "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, stderr)
	assert.Contains(t, stdout, "usage: curafeed serve -site URL [-records DIR]")
	code, stdout, _ = runCmd(t, "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "curafeed serve")
}

// TestServerGCPercent: serve lowers the collector's target unless GOGC
// says otherwise.
func TestServerGCPercent(t *testing.T) {
	p, ok := serverGCPercent(func(string) string { return "" })
	assert.True(t, ok)
	assert.Equal(t, 50, p)
	_, ok = serverGCPercent(func(k string) string {
		if k == "GOGC" {
			return "200"
		}
		return ""
	})
	assert.False(t, ok, "GOGC decides")
}
