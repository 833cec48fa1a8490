package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/curafeed/curafeed"
)

// run is the whole command; main only passes it the process's arguments
// and streams, so tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return buildMain("build", nil, stdout, stderr) // the sample build
	}
	switch cmd := args[0]; cmd {
	case "build", "check":
		return buildMain(cmd, args[1:], stdout, stderr)
	case "serve":
		return serveMain(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		return versionMain(args[1:], stdout, stderr)
	default:
		if strings.HasPrefix(cmd, "-") {
			return buildMain("build", args, stdout, stderr) // flags alone: build
		}
		fmt.Fprintf(stderr, "curafeed: unknown command %q\n%s", cmd, usage)
		return 2
	}
}

// buildMain is the build command, and the check command when cmd is
// "check": check reads and builds as build does, but writes nothing.
func buildMain(cmd string, args []string, stdout, stderr io.Writer) int {
	start := time.Now()
	o := &options{}
	fl := newFlagSet(cmd, o)
	if code, done := parseFlags(fl, cmd, o, args, stdout, stderr); done {
		return code
	}
	sample := cmd == "build" && !o.set["site"] && !o.set["records"] && !o.set["out"] && !o.set["hub"]
	switch {
	case cmd == "build" && !o.set["site"] && !sample:
		fmt.Fprintln(stderr, "curafeed: -site is required: the absolute http(s) URL of the site the feeds belong to, as in -site "+defaultSite)
		fmt.Fprintln(stderr, "(only the sample build, with neither -records, -out nor -hub, goes without it)")
		return 2
	case !o.set["site"]:
		o.site = defaultSite
	}
	if code, bad := o.check(stderr); bad {
		if sample && checkRecords(o.records) != nil {
			fmt.Fprintf(stderr, "curafeed: with no arguments, curafeed builds the sample records in %s; to build yours, give -site, -records and -out\n", defaultRecords)
		}
		return code
	}
	defer buildGC(os.Getenv)()
	if o.cpuprofile != "" {
		stop, err := startProfile(o.cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "curafeed:", err)
			return 2
		}
		defer stop()
	}
	cfg := o.config()
	var prog *progressLine
	if isTerminal(stderr) {
		prog = newProgressLine(stderr, start, time.Now)
		cfg.Progress = prog.update
	}
	res, err := buildOrCheck(cmd, o, cfg)
	prog.clear()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	report(o, res.recs, stderr)
	blocked := 0
	if cmd == "build" {
		blocked = reportForeign(stderr, o.out, res.foreign)
	}
	fmt.Fprintln(stdout, res.summary)
	if res.budget != "" {
		fmt.Fprintln(stdout, res.budget)
	}
	if cmd == "build" && len(o.syn.hubs) > 0 {
		// The feeds are on disk: tell the hubs which of them changed.
		rep := o.syn.publisher().Publish(context.Background(), res.changed)
		fmt.Fprintln(stdout, rep)
		for _, n := range rep.Failed {
			fmt.Fprintln(stderr, "curafeed:", n.Err) // names the hub and the feed
		}
	}
	fmt.Fprintf(stderr, "curafeed: %s in %s\n", res.counts, elapsed(time.Since(start)))
	if len(res.recs.Errors) > 0 || blocked > 0 {
		return 1
	}
	return 0
}

// reportForeign names on stderr each file of the output folder out that the
// build left alone because curafeed did not write it, and returns how many
// feed files could not be written for one of them in their place.
func reportForeign(stderr io.Writer, out string, st curafeed.WriteStats) int {
	blocked := map[string]bool{}
	for _, p := range st.Blocked {
		blocked[p] = true
	}
	for _, p := range st.Foreign {
		line := "curafeed: left alone: " + filepath.Join(out, filepath.FromSlash(p)) + " (not written by curafeed)"
		if blocked[p] {
			line += ": its feed could not be written"
		}
		fmt.Fprintln(stderr, line)
	}
	switch n := len(st.Blocked); n {
	case 0:
	case 1:
		fmt.Fprintln(stderr, "curafeed: 1 feed file not written: move away the file in its place")
	default:
		fmt.Fprintf(stderr, "curafeed: %d feed files not written: move away the files in their place\n", n)
	}
	return len(st.Blocked)
}

// result is what a build or a check did.
type result struct {
	recs    *curafeed.Records
	summary string              // the summary line, for stdout
	budget  string              // what meeting the size budget took, or ""
	changed []string            // the URLs of the current feeds whose files changed
	counts  string              // records and files, for the timing line
	foreign curafeed.WriteStats // the files of the output folder left alone
}

// buildOrCheck builds the feeds into o.out, or for check only in memory.
func buildOrCheck(cmd string, o *options, cfg curafeed.Config) (result, error) {
	var res result
	if cmd == "build" {
		// The bounded-memory build: the same bytes as Load, Build and
		// WriteDir, without holding every record.
		recs, st, err := curafeed.BuildDir(curafeed.DirFS(o.records), cfg, o.out)
		if err != nil {
			return res, err
		}
		res.recs, res.budget, res.changed = recs, budgetLine(cfg, st), st.Changed
		res.foreign = curafeed.WriteStats{Foreign: st.Foreign, Blocked: st.Blocked}
		res.summary = summaryLine(recs, st.Feeds) + fmt.Sprintf(", archive documents %d; written to %s (files %d: %d written, %d unchanged, %d removed)",
			st.Archives, o.out, st.Files, st.Written, st.Unchanged, st.Removed)
		res.counts = fmt.Sprintf("%d records, %d files", recs.Files, st.Files)
		return res, nil
	}
	recs, err := curafeed.Load(curafeed.DirFS(o.records), cfg)
	if err != nil {
		return res, err
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	if err != nil {
		return res, err
	}
	res.recs, res.summary = recs, summaryLine(recs, len(cat.Feeds))
	res.counts = fmt.Sprintf("%d records, %d feeds checked", recs.Files, len(cat.Feeds))
	return res, nil
}

// summaryLine counts the records and the feeds.
func summaryLine(recs *curafeed.Records, feeds int) string {
	return fmt.Sprintf("records read %d, published %d, skipped %d, rejected %d, kept %d, warnings %d; feeds %d",
		recs.Files, recs.Published, len(recs.Skipped), len(recs.Errors), len(recs.Kept), len(recs.Warnings), feeds)
}

// report names on stderr every record rejected, skipped or kept, and with
// -v every warning, each by its path on disk.
func report(o *options, recs *curafeed.Records, stderr io.Writer) {
	for _, e := range recs.Errors {
		fmt.Fprintln(stderr, prefixed(o.records, e))
	}
	for _, s := range recs.Skipped {
		fmt.Fprintln(stderr, skippedLine(o.records, s))
	}
	if o.verbose {
		for _, w := range recs.Warnings {
			fmt.Fprintln(stderr, "warning: "+prefixed(o.records, w))
		}
	}
	for _, p := range recs.Kept {
		fmt.Fprintf(stderr, "%s: kept: its last good version stays published until the file is mended or deleted\n", filepath.Join(o.records, filepath.FromSlash(p)))
	}
}

// startProfile starts a CPU profile written to path; stop ends it.
func startProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// budgetLine reports what meeting the size budget took, or "" when nothing
// was over it.
func budgetLine(cfg curafeed.Config, st curafeed.WriteStats) string {
	if st.TruncatedFiles == 0 && len(st.OverBudget) == 0 {
		return ""
	}
	line := fmt.Sprintf("size budget %d bytes: %d items cut to their summary in %d files", cfg.MaxFeedBytes, st.Truncated, st.TruncatedFiles)
	if n := len(st.OverBudget); n > 0 {
		line += fmt.Sprintf("; %d files still over it: %s", n, strings.Join(st.OverBudget, ", "))
	}
	return line
}

// skippedLine names a file that was not published, by its path on disk,
// and says why: "path: skipped: reason".
func skippedLine(dir string, s curafeed.Skip) string {
	return filepath.Join(dir, filepath.FromSlash(s.Path)) + ": skipped: " + s.Reason
}

// prefixed names the record by its path on disk, so editors can open it.
func prefixed(dir string, e *curafeed.RecordError) string {
	c := *e
	c.Path = filepath.Join(dir, filepath.FromSlash(e.Path))
	return c.Error()
}
