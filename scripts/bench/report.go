package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// report turns the measurements into Markdown.
type report struct {
	cfg   config
	env   environment
	sizes []sizeResult
}

// metric picks one figure of a sample.
type metric struct {
	name string
	get  func(sample) float64
	fmt  func(float64) string
}

var (
	wallMetric = metric{"wall", func(s sample) float64 { return s.wall }, fmtSec}
	cpuMetric  = metric{"CPU (user+sys)", func(s sample) float64 { return s.cpu }, fmtSec}
	rssMetric  = metric{"peak memory", func(s sample) float64 { return float64(s.rss) }, fmtBytes}
	loadMetric = metric{"load", func(s sample) float64 { return s.load }, fmtLoad}
)

// failed reports whether a cached rebuild differed from its clean build.
func (rep report) failed() bool {
	for _, sr := range rep.sizes {
		if sr.rebuild != nil && sr.rebuild.diff != "" {
			return true
		}
	}
	return false
}

// write prints the whole report.
func (rep report) write(w io.Writer) {
	rep.header(w)
	rep.equalWork(w)
	rep.outputs(w)
	rep.archives(w)
	rep.rebuilds(w)
	rep.runs(w)
}

func (rep report) header(w io.Writer) {
	e := rep.env
	dirty := ""
	if e.dirty {
		dirty = ", plus uncommitted changes in the working tree (measured)"
	}
	fmt.Fprintf(w, "## Latest run: commit `%s`, %s\n\n", e.commit, e.started.Format("2006-01-02"))
	fmt.Fprintf(w, "`go run ./scripts/bench %s`, started %s UTC, %s in all.\n",
		strings.Join(os.Args[1:], " "), e.started.Format("2006-01-02 15:04"), fmtDuration(e.elapsed.Seconds()))
	code := ""
	if e.codeCommit != e.commit {
		code = fmt.Sprintf(", whose code outside scripts/bench and BENCHMARKS.md is that of `%s`", e.codeCommit)
	}
	fmt.Fprintf(w, "curafeed at `%s` (%s)%s%s; %s; %d CPUs, %s RAM.\n",
		e.commit, e.subject, code, dirty, e.goVersion, e.cpus, e.memory)
	fmt.Fprintf(w, "Corpora: %s generator, seed %d, in `%s`. Builds write to `%s`. Raw figures: `%s`.\n\n",
		rep.cfg.gen, rep.cfg.seed, rep.cfg.corpora, rep.cfg.outRoot, rep.cfg.raw)
}

// equalWork prints naive -cross against curafeed -no-archives.
func (rep report) equalWork(w io.Writer) {
	fmt.Fprintf(w, "Equal work: `naive -cross` and `curafeed build -no-archives` (site, community, topic and\n"+
		"community×topic feeds), run in alternation. Medians, with the range in brackets; the ratios are\n"+
		"curafeed ÷ naive (below 1: curafeed is faster or smaller), as the ratio of the medians and the\n"+
		"median of the ratios within each pair.\n\n")
	fmt.Fprintln(w, "| records | pairs | | naive `-cross` | curafeed `-no-archives` | ratio of medians | median of pair ratios |")
	fmt.Fprintln(w, "|---:|---:|---|---:|---:|---:|---:|")
	for _, sr := range rep.sizes {
		a, b := sr.of(cmdNaive), sr.of(cmdCurafeed)
		for i, m := range []metric{wallMetric, cpuMetric, rssMetric} {
			size, pairs := fmtInt(sr.size), strconv.Itoa(len(a))
			if i > 0 {
				size, pairs = "", ""
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", size, pairs, m.name,
				spread(a, m), spread(b, m), fmtRatio(median(values(b, m))/median(values(a, m))),
				fmtRatio(median(pairRatios(a, b, m))))
		}
	}
	fmt.Fprintln(w)
}

// outputs prints what the two commands wrote, and the load before their runs.
func (rep report) outputs(w io.Writer) {
	fmt.Fprintln(w, "What each wrote (last run), and the 1-minute load average just before each run, median (range):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| records | corpus | naive files | naive output | curafeed files | curafeed output | load before naive | load before curafeed |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, sr := range rep.sizes {
		a, b := sr.of(cmdNaive), sr.of(cmdCurafeed)
		la, lb := a[len(a)-1], b[len(b)-1]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", fmtInt(sr.size), fmtBytes(float64(sr.corpusBytes)),
			fmtInt(la.files), fmtBytes(float64(la.bytes)), fmtInt(lb.files), fmtBytes(float64(lb.bytes)),
			spread(a, loadMetric), spread(b, loadMetric))
	}
	fmt.Fprintln(w)
}

// archives prints curafeed's default build, with archive documents.
func (rep report) archives(w io.Writer) {
	if rep.cfg.archiveRuns == 0 {
		return
	}
	fmt.Fprintln(w, "curafeed's own extra: the default build, with archive documents (RFC 5005), run in the first")
	fmt.Fprintln(w, "rounds after the pair. Ratios to `-no-archives`: of the medians, and the median within each round.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| records | runs | wall | CPU | peak memory | files | output | wall ÷ `-no-archives` | peak ÷ `-no-archives` | output ÷ `-no-archives` | load before |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, sr := range rep.sizes {
		a, b := sr.of(cmdArchives), sr.of(cmdCurafeed)
		last, lastB := a[len(a)-1], b[len(b)-1]
		ratio := func(m metric) string {
			return fmtRatio(median(values(a, m))/median(values(b, m))) + " / " + fmtRatio(median(pairRatios(b, a, m)))
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", fmtInt(sr.size), len(a),
			spread(a, wallMetric), spread(a, cpuMetric), spread(a, rssMetric),
			fmtInt(last.files), fmtBytes(float64(last.bytes)), ratio(wallMetric), ratio(rssMetric),
			fmtRatio(float64(last.bytes)/float64(lastB.bytes)), spread(a, loadMetric))
	}
	fmt.Fprintln(w)
}

var writtenRE = regexp.MustCompile(`(\d+) written`)

// rebuilds prints the cached rebuilds against naive's full build.
func (rep report) rebuilds(w io.Writer) {
	if rep.cfg.rebuilds == 0 {
		return
	}
	fmt.Fprintf(w, "Cached rebuild (`-no-archives`): a full build with `-cache DIR`, then %d round(s) of changing the\n"+
		"title of the same %d records (spread evenly over the sorted file list; \"Edited in round K \" put in\n"+
		"front of the title) and rebuilding with the cache, then a clean build of the edited corpus without\n"+
		"the cache, compared with the rebuilt folder by `diff -r -q`. The rebuild's median is compared with\n"+
		"the median of naive's full `-cross` builds above, in wall and in CPU time.\n\n", rep.cfg.rebuilds, rep.cfg.edits)
	fmt.Fprintln(w, "| records | full build with `-cache` | rebuild, median (range) | rebuild CPU | rebuild peak | files rewritten | naive `-cross` wall, CPU | rebuild ÷ naive, wall | rebuild ÷ naive, CPU | clean build of the edited corpus | rebuilt = clean |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, sr := range rep.sizes {
		rb := sr.rebuild
		if rb == nil {
			continue
		}
		written := []string{}
		for _, s := range rb.rounds {
			if m := writtenRE.FindStringSubmatch(s.summary); m != nil {
				written = append(written, m[1])
			}
		}
		nw := median(values(sr.of(cmdNaive), wallMetric))
		nc := median(values(sr.of(cmdNaive), cpuMetric))
		rc := median(values(rb.rounds, cpuMetric))
		verdict := "**PASS** (byte-identical)"
		if rb.diff != "" {
			verdict = "**FAIL**: " + strings.ReplaceAll(rb.diff, "\n", "; ")
		}
		fmt.Fprintf(w, "| %s | %s, %s | %s | %s | %s | %s | %s, %s | %s | %s | %s | %s |\n", fmtInt(sr.size),
			fmtSec(rb.full.wall), fmtBytes(float64(rb.full.rss)), spread(rb.rounds, wallMetric),
			fmtSec(rc), fmtBytes(median(values(rb.rounds, rssMetric))), strings.Join(written, ", "),
			fmtSec(nw), fmtSec(nc), fmtRatio(median(values(rb.rounds, wallMetric))/nw), fmtRatio(rc/nc),
			fmtSec(rb.clean.wall), verdict)
	}
	fmt.Fprintln(w)
	for _, sr := range rep.sizes {
		if rb := sr.rebuild; rb != nil {
			fmt.Fprintf(w, "- %s records: the last round's titles (%q) are in %d files of the clean build; edited: %s.\n",
				fmtInt(sr.size), strings.TrimSpace(rb.lastTag), rb.marked, abbreviate(rb.edits, 2))
		}
	}
	fmt.Fprintln(w)
}

// runs prints every run, folded.
func (rep report) runs(w io.Writer) {
	fmt.Fprintln(w, "<details><summary>Every run, in order</summary>")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| records | round | command | wall | CPU | peak memory | load before | files | output | exit |")
	fmt.Fprintln(w, "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, sr := range rep.sizes {
		all := append([]sample(nil), sr.samples...)
		if rb := sr.rebuild; rb != nil {
			all = append(append(append(all, rb.full), rb.rounds...), rb.clean)
		}
		for _, s := range all {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d |\n", fmtInt(s.size), s.round, s.cmd,
				fmtSec(s.wall), fmtSec(s.cpu), fmtBytes(float64(s.rss)), fmtLoad(s.load),
				fmtInt(s.files), fmtBytes(float64(s.bytes)), s.exit)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "</details>")
	fmt.Fprintln(w)
}

// abbreviate lists the first n items and how many more there are.
func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return "`" + strings.Join(items, "`, `") + "`"
	}
	return fmt.Sprintf("`%s` and %d more", strings.Join(items[:n], "`, `"), len(items)-n)
}

// of returns the samples of one command, in round order.
func (sr sizeResult) of(cmd string) []sample {
	var out []sample
	for _, s := range sr.samples {
		if s.cmd == cmd {
			out = append(out, s)
		}
	}
	return out
}

// values returns one metric of each sample.
func values(ss []sample, m metric) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = m.get(s)
	}
	return out
}

// pairRatios returns b ÷ a for each round in which both ran.
func pairRatios(a, b []sample, m metric) []float64 {
	byRound := map[int]sample{}
	for _, s := range a {
		byRound[s.round] = s
	}
	var out []float64
	for _, s := range b {
		if t, ok := byRound[s.round]; ok {
			out = append(out, m.get(s)/m.get(t))
		}
	}
	return out
}

// median returns the median of the numbers that are not NaN, or NaN when
// there are none.
func median(xs []float64) float64 {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// spread formats the median of a metric with its range.
func spread(ss []sample, m metric) string {
	xs := values(ss, m)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	med := median(xs)
	if math.IsNaN(med) {
		return "n/a"
	}
	if len(xs) == 1 || lo == hi {
		return m.fmt(med)
	}
	return fmt.Sprintf("%s (%s–%s)", m.fmt(med), strings.Fields(m.fmt(lo))[0], m.fmt(hi))
}

// fmtSec formats seconds.
func fmtSec(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case s < 10:
		return fmt.Sprintf("%.3f s", s)
	case s < 100:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f s", s)
}

// fmtDuration formats a long time span.
func fmtDuration(s float64) string {
	if s < 120 {
		return fmt.Sprintf("%.0f s", s)
	}
	return fmt.Sprintf("%.1f min", s/60)
}

// fmtBytes formats a size in decimal megabytes or gigabytes.
func fmtBytes(b float64) string {
	switch {
	case math.IsNaN(b):
		return "n/a"
	case b >= 1e9:
		return fmt.Sprintf("%.2f GB", b/1e9)
	case b >= 100e6:
		return fmt.Sprintf("%.0f MB", b/1e6)
	}
	return fmt.Sprintf("%.1f MB", b/1e6)
}

// mb returns bytes in decimal megabytes.
func mb(b int64) float64 { return float64(b) / 1e6 }

// fmtRatio formats a ratio.
func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", r)
}

// fmtLoad formats a load average.
func fmtLoad(l float64) string {
	if math.IsNaN(l) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", l)
}

// fmtInt formats an integer with thousands separators.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + fmtInt(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
