package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The commands a benchmark runs, as named in the tables.
const (
	cmdNaive    = "naive -cross"
	cmdCurafeed = "curafeed -no-archives"
	cmdArchives = "curafeed (archives)"
	cmdCacheAll = "curafeed -cache, full build"
	cmdRebuild  = "curafeed -cache, rebuild"
	cmdClean    = "curafeed, clean build of the edited corpus"
)

// sample is one timed run.
type sample struct {
	size    int
	round   int
	cmd     string
	wall    float64 // seconds
	cpu     float64 // user + system seconds
	rss     int64   // peak resident bytes
	load    float64 // 1-minute load average just before the run; NaN if unknown
	files   int     // regular files in the output folder after the run
	bytes   int64   // their total size
	exit    int
	summary string // curafeed's first line of output
}

// runner runs commands as whole processes and records them.
type runner struct {
	ctx     context.Context
	timeout time.Duration
	tmp     string
	raw     io.Writer
}

// job is one process to time.
type job struct {
	size, round int
	cmd         string
	out         string // output folder: cleared first unless keep, counted after
	keep        bool
	okExit      func(int) bool
	args        []string
}

// curafeedOK accepts curafeed's exit statuses for a build that wrote every
// feed: 0, or 1 when some records were rejected.
func curafeedOK(code int) bool { return code == 0 || code == 1 }

// zeroOK accepts only success.
func zeroOK(code int) bool { return code == 0 }

// run runs one job and returns its figures.
func (r *runner) run(j job) (sample, error) {
	s := sample{size: j.size, round: j.round, cmd: j.cmd}
	if !j.keep {
		if err := os.RemoveAll(j.out); err != nil {
			return s, err
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, j.args[0], j.args[1:]...)
	var stdout bytes.Buffer
	stderr, err := os.Create(filepath.Join(r.tmp, "stderr"))
	if err != nil {
		return s, err
	}
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	s.load = loadAverage()
	start := time.Now()
	err = cmd.Run()
	s.wall = time.Since(start).Seconds()
	if cmd.ProcessState == nil {
		return s, fmt.Errorf("%s: %w", j.cmd, err)
	}
	if ctx.Err() != nil {
		return s, fmt.Errorf("%s on %d records: %w", j.cmd, j.size, ctx.Err())
	}
	s.exit = cmd.ProcessState.ExitCode()
	s.cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	s.rss = peakRSS(cmd.ProcessState)
	s.summary, _, _ = strings.Cut(strings.TrimSpace(stdout.String()), "\n")
	if !j.okExit(s.exit) {
		return s, fmt.Errorf("%s on %d records exited with status %d: %s", j.cmd, j.size, s.exit, tail(stderr.Name(), 5))
	}
	if s.files, s.bytes, err = countTree(j.out); err != nil {
		return s, err
	}
	r.record(s)
	logf("%7d records, round %d: %-42s %8.3f s wall %8.2f s CPU %7.0f MB peak, load before %s, %d files %.0f MB",
		s.size, s.round, s.cmd, s.wall, s.cpu, mb(s.rss), fmtLoad(s.load), s.files, mb(s.bytes))
	return s, nil
}

// record appends a sample to the TSV file.
func (r *runner) record(s sample) {
	fmt.Fprintf(r.raw, "%d\t%d\t%s\t%.4f\t%.3f\t%d\t%s\t%d\t%d\t%d\n",
		s.size, s.round, s.cmd, s.wall, s.cpu, s.rss/1024, fmtLoad(s.load), s.files, s.bytes, s.exit)
}

// createRaw creates the TSV file of every run, with its header.
func createRaw(path string) (*os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	_, err = fmt.Fprintln(f, "size\tround\tcommand\twall_s\tcpu_s\tpeak_rss_kb\tload1_before\tfiles\tbytes\texit")
	return f, err
}

// loadAverage returns the 1-minute load average, or NaN where there is no
// /proc/loadavg.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return math.NaN()
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// countTree returns the number and total size of the regular files below dir.
func countTree(dir string) (int, int64, error) {
	var files int
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		total += info.Size()
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	return files, total, err
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sameTree compares two folders with diff -r -q. It returns "" when they
// hold the same files with the same bytes, else the first lines of the
// difference.
func sameTree(ctx context.Context, a, b string) (string, error) {
	cmd := exec.CommandContext(ctx, "diff", "-r", "-q", a, b)
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		lines := strings.SplitN(strings.TrimSpace(string(out)), "\n", 6)
		if len(lines) > 5 {
			lines[5] = "…"
		}
		return strings.Join(lines, "\n"), nil
	}
	return "", fmt.Errorf("diff -r -q %s %s: %w", a, b, err)
}

// filesContaining counts the regular files below dir that contain s.
func filesContaining(dir, s string) (int, error) {
	n := 0
	needle := []byte(s)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && bytes.Contains(data, needle) {
			n++
		}
		return err
	})
	return n, err
}

// logf prints a progress line on stderr.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}
