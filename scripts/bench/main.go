// Command bench measures `curafeed build` against the naive pipeline of
// ../shared/tools/perf/naive doing the same work, and prints Markdown tables
// ready for BENCHMARKS.md:
//
//	go run ./scripts/bench                              # 1,000, 10,000 and 100,000 records, 5 pairs each
//	go run ./scripts/bench -sizes 10000 -pairs 5
//	go run ./scripts/bench -sizes 100000 -pairs 3 -archive-runs 1 -rebuilds 3
//
// It builds curafeed from the working tree (uncommitted changes included),
// the naive pipeline and a corpus generator, and generates each corpus once
// (cached by generator, size and seed under -corpora, on tmpfs by default).
// For each size it then runs, as whole processes with their output on tmpfs,
// cleared before each run:
//
//   - -pairs pairs of `naive -cross` and `curafeed build -no-archives`, the
//     same feed set (site, community, topic and community×topic feeds), in
//     alternation, the first of the pair swapped every round;
//   - in the first -archive-runs rounds, also curafeed's default build, with
//     archive documents, which the naive pipeline does not write;
//   - a cached rebuild: a build with -cache of a copy of the corpus, then
//     -rebuilds rounds of changing the title of -edits fixed records and
//     building again with the cache, then a clean build of the edited corpus
//     that must have the same bytes as the rebuilt folder (diff -r).
//
// Each run reports wall time (monotonic clock around the process), CPU time
// (user + system) and peak resident memory (ru_maxrss from wait4), the files
// and bytes written, and the 1-minute load average read just before it.
// The tables give medians and the median of the per-round ratios; the raw
// figures of every run go to a TSV file. Progress goes to stderr, the report
// to stdout. The exit status is 1 when a cached rebuild differs from the
// clean build.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config holds the command line.
type config struct {
	sizes       []int
	pairs       int
	archiveRuns int
	rebuilds    int
	edits       int
	seed        uint64
	gen         string
	repo        string
	perf        string
	corpora     string
	outRoot     string
	site        string
	raw         string
	timeout     time.Duration
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	failed, err := run(ctx, cfg)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// parseFlags reads the command line into a config, with the defaults filled in.
func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "1000,10000,100000", "comma-separated corpus sizes, in records")
	fs.IntVar(&cfg.pairs, "pairs", 5, "alternating naive/curafeed pairs per size")
	fs.IntVar(&cfg.archiveRuns, "archive-runs", 3, "rounds that also run curafeed's default build (archives on); at most -pairs")
	fs.IntVar(&cfg.rebuilds, "rebuilds", 3, "cached rebuild rounds per size (0: no cached rebuild)")
	fs.IntVar(&cfg.edits, "edits", 10, "records whose title each rebuild round changes")
	fs.Uint64Var(&cfg.seed, "seed", 1, "corpus seed")
	fs.StringVar(&cfg.gen, "gen", "shared", "corpus generator: shared (../shared/tools/perf/gencorpus) or project (scripts/gencorpus)")
	fs.StringVar(&cfg.repo, "repo", "", "curafeed working tree to build (default: the git top level of the current folder)")
	fs.StringVar(&cfg.perf, "perf", "", "folder holding naive/ and gencorpus/ (default: the first shared/tools/perf above -repo)")
	fs.StringVar(&cfg.corpora, "corpora", "/dev/shm/curafeed-bench-corpora", "where generated corpora are kept between runs")
	fs.StringVar(&cfg.outRoot, "out", "/dev/shm", "where binaries, builds and edited corpora go (a tmpfs; removed at the end)")
	fs.StringVar(&cfg.site, "site", "https://www.medigy.com", "-site given to curafeed")
	fs.StringVar(&cfg.raw, "raw", "", "TSV file of every run's figures (default: results-TIME.tsv in -corpora)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Minute, "time one run may take before it is killed")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return cfg, err
	}
	switch {
	case cfg.pairs < 1:
		return cfg, errors.New("-pairs must be at least 1")
	case cfg.archiveRuns < 0 || cfg.archiveRuns > cfg.pairs:
		return cfg, errors.New("-archive-runs must be between 0 and -pairs")
	case cfg.rebuilds < 0:
		return cfg, errors.New("-rebuilds must not be negative")
	case cfg.edits < 1:
		return cfg, errors.New("-edits must be at least 1")
	case cfg.gen != "shared" && cfg.gen != "project":
		return cfg, fmt.Errorf("-gen %q: want shared or project", cfg.gen)
	case cfg.timeout <= 0:
		return cfg, errors.New("-timeout must be positive")
	}
	return cfg, nil
}

// parseSizes reads a comma-separated list of positive record counts.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive number", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// run builds the binaries, measures every size and prints the report. It
// reports whether a cached rebuild failed its byte comparison.
func run(ctx context.Context, cfg config) (bool, error) {
	if err := locate(&cfg); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(cfg.outRoot, "curafeed-bench-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	bins, err := buildAll(ctx, cfg, tmp)
	if err != nil {
		return false, err
	}
	env, err := describe(ctx, cfg)
	if err != nil {
		return false, err
	}
	if cfg.raw == "" {
		cfg.raw = filepath.Join(cfg.corpora, "results-"+env.started.Format("20060102T150405Z")+".tsv")
	}
	rawFile, err := createRaw(cfg.raw)
	if err != nil {
		return false, err
	}
	defer rawFile.Close()
	r := &runner{ctx: ctx, timeout: cfg.timeout, tmp: tmp, raw: rawFile}
	var results []sizeResult
	for _, n := range cfg.sizes {
		res, err := benchSize(r, cfg, bins, n)
		if err != nil {
			return false, err
		}
		results = append(results, res)
	}
	env.elapsed = time.Since(env.started)
	rep := report{cfg: cfg, env: env, sizes: results}
	rep.write(os.Stdout)
	return rep.failed(), nil
}

// locate fills in -repo and -perf when they were not given.
func locate(cfg *config) error {
	if cfg.repo == "" {
		out, err := output(context.Background(), "", "git", "rev-parse", "--show-toplevel")
		if err != nil {
			return fmt.Errorf("finding the working tree (give -repo): %w", err)
		}
		cfg.repo = strings.TrimSpace(out)
	}
	if _, err := os.Stat(filepath.Join(cfg.repo, "cmd", "curafeed")); err != nil {
		return fmt.Errorf("-repo %s: not a curafeed working tree: %w", cfg.repo, err)
	}
	if cfg.perf == "" {
		for dir := cfg.repo; ; dir = filepath.Dir(dir) {
			p := filepath.Join(dir, "shared", "tools", "perf")
			if _, err := os.Stat(filepath.Join(p, "naive", "main.go")); err == nil {
				cfg.perf = p
				break
			}
			if filepath.Dir(dir) == dir {
				return errors.New("no shared/tools/perf above the working tree (give -perf)")
			}
		}
	}
	for _, d := range []string{cfg.corpora, cfg.outRoot} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}
