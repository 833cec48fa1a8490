package curafeed

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// benchCorpus makes n records in memory from the sample records, each with
// its own id, mdName and date, so that loading does real work at scale.
func benchCorpus(b testing.TB, n int) fstest.MapFS {
	b.Helper()
	var srcs [][]byte
	_ = filepath.WalkDir("testdata/records", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), "\nmdName: ") {
				srcs = append(srcs, data)
			}
		}
		return nil
	})
	if len(srcs) == 0 {
		b.Fatal("no sample records")
	}
	fsys := fstest.MapFS{}
	for i := 0; i < n; i++ {
		s := string(srcs[i%len(srcs)])
		s = strings.Replace(s, "\nmdName: ", fmt.Sprintf("\nmdName: %08x-0000-5000-8000-", i), 1)
		s = strings.Replace(s, "\nid: ", fmt.Sprintf("\nid: 9%06d", i), 1)
		fsys[fmt.Sprintf("r/%06d.md", i)] = &fstest.MapFile{Data: []byte(s)}
	}
	return fsys
}

func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{50, 2000} {
		fsys := benchCorpus(b, n)
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(fsys, sampleConfig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	recs, err := Load(benchCorpus(b, 2000), sampleConfig)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(recs.All(), sampleConfig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode writes every feed of the sample catalog in one format.
// Bodies are rendered once before the timer starts, as a catalog does.
func BenchmarkEncode(b *testing.B) {
	_, cat := buildSample(b)
	for _, f := range cat.Feeds {
		for _, it := range f.Items {
			it.ContentHTML()
		}
	}
	for _, format := range Formats() {
		b.Run(format.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range cat.Feeds {
					if err := f.Write(io.Discard, format); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkReload measures a Reloader's reload after one record's title is
// edited, when told which file changed (as Watch is, by the kernel) and
// when not (it then walks and stats every record file). 2,000 records, or
// CURAFEED_BENCH_RECORDS.
func BenchmarkReload(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("CURAFEED_BENCH_RECORDS")); err == nil && v > 0 {
		n = v
	}
	fsys := benchCorpus(b, n)
	tick := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range fsys {
		f.ModTime = tick
	}
	cfg := sampleConfig
	cfg.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := NewReloader(fsys, cfg, ReloadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	path := fmt.Sprintf("r/%06d.md", n/2)
	orig := fsys[path].Data
	for _, told := range []bool{true, false} {
		b.Run(fmt.Sprintf("records=%d/told=%v", n, told), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tick = tick.Add(time.Second)
				title := fmt.Sprintf("\ntitle: Edited %d ", tick.Unix())
				fsys[path] = &fstest.MapFile{Data: bytes.Replace(orig, []byte("\ntitle: "), []byte(title), 1), ModTime: tick}
				var rep ReloadReport
				if told {
					rep = r.reload([]string{path})
				} else {
					rep = r.Reload()
				}
				if rep.Err != nil || len(rep.Changed) == 0 {
					b.Fatalf("reload: %v, %d files changed", rep.Err, len(rep.Changed))
				}
			}
		})
	}
}

// BenchmarkReloadDir is BenchmarkReload on the records folder named by
// CURAFEED_BENCH_DIR (skipped without it), with archives and everything
// else at their defaults: each round appends a line to the body of the
// first record file, which the benchmark restores at the end.
func BenchmarkReloadDir(b *testing.B) {
	dir := os.Getenv("CURAFEED_BENCH_DIR")
	if dir == "" {
		b.Skip("CURAFEED_BENCH_DIR names no records folder")
	}
	cfg := Config{SiteURL: "https://www.medigy.com", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r, err := NewReloader(DirFS(dir), cfg, ReloadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	path, file, orig := firstRecord(b, dir)
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		round++
		if err := os.WriteFile(file, fmt.Appendf(bytes.Clone(orig), "\nEdited %d.\n", round), 0o644); err != nil {
			b.Fatal(err)
		}
		if rep := r.reload([]string{path}); rep.Err != nil || rep.Rendered == 0 {
			b.Fatalf("reload: %v, %d files rendered", rep.Err, rep.Rendered)
		}
	}
}

// BenchmarkBuildDirCorpus is `curafeed build -no-archives` on the records
// folder named by CURAFEED_BENCH_DIR (skipped without it), each round into
// a fresh output folder under CURAFEED_BENCH_OUT (the system's temporary
// folder by default): the work the benchmarks of BENCHMARKS.md compare
// with the naive pipeline, for -cpuprofile and -memprofile.
func BenchmarkBuildDirCorpus(b *testing.B) {
	dir := os.Getenv("CURAFEED_BENCH_DIR")
	if dir == "" {
		b.Skip("CURAFEED_BENCH_DIR names no records folder")
	}
	cfg := Config{SiteURL: "https://www.medigy.com", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ArchiveSize: -1}
	b.ReportAllocs()
	for b.Loop() {
		out, err := os.MkdirTemp(os.Getenv("CURAFEED_BENCH_OUT"), "curafeed-bench-out-")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := BuildDir(DirFS(dir), cfg, out); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.RemoveAll(out)
		b.StartTimer()
	}
}

// BenchmarkBuildDirCached is `curafeed build -no-archives -cache` on the
// records folder named by CURAFEED_BENCH_DIR (skipped without it) when no
// record changed: the walk, the cache, the catalog, the plan and the
// commit, everything a cached rebuild does besides rendering the documents
// that changed. The output and cache folders, under CURAFEED_BENCH_OUT (the
// system's temporary folder by default), are kept between runs; the first
// build, untimed, fills them.
func BenchmarkBuildDirCached(b *testing.B) {
	dir := os.Getenv("CURAFEED_BENCH_DIR")
	if dir == "" {
		b.Skip("CURAFEED_BENCH_DIR names no records folder")
	}
	root := os.Getenv("CURAFEED_BENCH_OUT")
	if root == "" {
		root = os.TempDir()
	}
	out, cache := filepath.Join(root, "curafeed-bench-cached-out"), filepath.Join(root, "curafeed-bench-cached-cache")
	cfg := Config{SiteURL: "https://www.medigy.com", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ArchiveSize: -1, CacheDir: cache}
	build := func() WriteStats {
		_, st, err := BuildDir(DirFS(dir), cfg, out)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	build()
	b.ReportAllocs()
	for b.Loop() {
		if st := build(); st.Written != 0 {
			b.Fatalf("a rebuild of unchanged records wrote %d files", st.Written)
		}
	}
}

// BenchmarkReloaderRestart is a server's restart from the feeds it saved
// (Reloader.Save, Config.CacheDir) on the records folder named by
// CURAFEED_BENCH_DIR (skipped without it), nothing changed since: each
// round is NewReloader's first load. The first Reloader, untimed, loads
// and saves. After each restart, untimed, a line is appended to the body
// of the first record file and the Reloader reloads it: the mean time of
// that first reload after a restart is reported as first-reload-ms. The
// file is put back before the next round.
func BenchmarkReloaderRestart(b *testing.B) {
	dir := os.Getenv("CURAFEED_BENCH_DIR")
	if dir == "" {
		b.Skip("CURAFEED_BENCH_DIR names no records folder")
	}
	cfg := Config{SiteURL: "https://www.medigy.com", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), CacheDir: b.TempDir()}
	r, err := NewReloader(DirFS(dir), cfg, ReloadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Save(); err != nil {
		b.Fatal(err)
	}
	r.Close()
	path, file, orig := firstRecord(b, dir)
	var reloads time.Duration
	b.ReportAllocs()
	for b.Loop() {
		var rep ReloadReport
		r, err := NewReloader(DirFS(dir), cfg, ReloadOptions{OnReload: func(rr ReloadReport) { rep = rr }})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Err != nil || rep.Rendered > 3 {
			b.Fatalf("restart: %v, %d files rendered", rep.Err, rep.Rendered)
		}
		b.StopTimer()
		if err := os.WriteFile(file, append(bytes.Clone(orig), "\nEdited.\n"...), 0o644); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if rep := r.reload([]string{path}); rep.Err != nil || rep.Rendered == 0 {
			b.Fatalf("reload: %v, %d files rendered", rep.Err, rep.Rendered)
		}
		reloads += time.Since(start)
		r.Close()
		if err := os.WriteFile(file, orig, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(reloads.Milliseconds())/float64(b.N), "first-reload-ms")
}

// firstRecord returns the first record file of the folder dir, by its path
// in the folder and on disk, with its bytes, which it puts back when the
// benchmark ends.
func firstRecord(b *testing.B, dir string) (path, file string, orig []byte) {
	b.Helper()
	names, _, _, err := recordNames(DirFS(dir), false)
	if err != nil || len(names) == 0 {
		b.Fatal("no records", err)
	}
	path = names[0]
	file = filepath.Join(dir, filepath.FromSlash(path))
	if orig, err = os.ReadFile(file); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.WriteFile(file, orig, 0o644) })
	return path, file, orig
}
