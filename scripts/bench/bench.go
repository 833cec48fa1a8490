package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// sizeResult holds everything measured on one corpus.
type sizeResult struct {
	size        int
	corpusBytes int64
	samples     []sample // pairs and archive runs, in the order run
	rebuild     *rebuildResult
}

// rebuildResult holds the cached-rebuild measurement of one corpus.
type rebuildResult struct {
	edits   []string // edited record files, relative to the corpus
	full    sample   // the first build with -cache
	rounds  []sample // the rebuilds after each round of edits
	clean   sample   // clean build of the edited corpus
	diff    string   // "" when the rebuilt and clean folders are identical
	marked  int      // files of the clean build holding the last round's titles
	lastTag string   // the last round's marker
}

// benchSize measures one corpus size.
func benchSize(r *runner, cfg config, b binaries, n int) (sizeResult, error) {
	res := sizeResult{size: n}
	dir, err := corpus(r.ctx, cfg, b, n)
	if err != nil {
		return res, err
	}
	if res.corpusBytes, err = warm(dir); err != nil {
		return res, err
	}
	outNaive := filepath.Join(r.tmp, "out-naive")
	outCura := filepath.Join(r.tmp, "out-curafeed")
	naive := job{size: n, cmd: cmdNaive, out: outNaive, okExit: zeroOK,
		args: []string{b.naive, "-cross", "-in", dir, "-out", outNaive}}
	cura := job{size: n, cmd: cmdCurafeed, out: outCura, okExit: curafeedOK,
		args: []string{b.curafeed, "build", "-site", cfg.site, "-records", dir, "-out", outCura, "-no-archives"}}
	arch := job{size: n, cmd: cmdArchives, out: outCura, okExit: curafeedOK,
		args: []string{b.curafeed, "build", "-site", cfg.site, "-records", dir, "-out", outCura}}
	for k := 1; k <= cfg.pairs; k++ {
		// The first of the pair swaps every round, so that drift on the
		// machine hits both commands.
		order := []job{cura, naive}
		if k%2 == 0 {
			order = []job{naive, cura}
		}
		if k <= cfg.archiveRuns {
			order = append(order, arch)
		}
		for _, j := range order {
			j.round = k
			s, err := r.run(j)
			if err != nil {
				return res, err
			}
			res.samples = append(res.samples, s)
		}
	}
	for _, out := range []string{outNaive, outCura} {
		if err := os.RemoveAll(out); err != nil {
			return res, err
		}
	}
	if cfg.rebuilds > 0 {
		rb, err := benchRebuild(r, cfg, b, n, dir)
		if err != nil {
			return res, err
		}
		res.rebuild = &rb
	}
	return res, nil
}

// benchRebuild builds a copy of the corpus with -cache, then in each round
// changes the titles of the same fixed records and rebuilds with the cache,
// and finally compares the rebuilt folder with a clean build of the edited
// corpus.
func benchRebuild(r *runner, cfg config, b binaries, n int, dir string) (rebuildResult, error) {
	var rb rebuildResult
	work := filepath.Join(r.tmp, "rebuild")
	records := filepath.Join(work, "records")
	cache := filepath.Join(work, "cache")
	cached := filepath.Join(work, "out-cached")
	clean := filepath.Join(work, "out-clean")
	defer os.RemoveAll(work)
	if err := linkTree(dir, records); err != nil {
		return rb, err
	}
	files, err := recordFiles(records)
	if err != nil {
		return rb, err
	}
	edits, err := pickEdits(files, cfg.edits)
	if err != nil {
		return rb, fmt.Errorf("%d records: %w", n, err)
	}
	for _, e := range edits {
		rel, _ := filepath.Rel(records, e.path)
		rb.edits = append(rb.edits, filepath.ToSlash(rel))
	}
	logf("%7d records: the rebuild rounds edit the titles of %s", n, strings.Join(rb.edits, ", "))
	build := func(round int, cmd, out string, keep bool, extra ...string) (sample, error) {
		args := append([]string{b.curafeed, "build", "-site", cfg.site, "-records", records, "-out", out, "-no-archives"}, extra...)
		return r.run(job{size: n, round: round, cmd: cmd, out: out, keep: keep, okExit: curafeedOK, args: args})
	}
	if rb.full, err = build(0, cmdCacheAll, cached, false, "-cache", cache); err != nil {
		return rb, err
	}
	for k := 1; k <= cfg.rebuilds; k++ {
		for _, e := range edits {
			if err := writeReplacing(e.path, e.edited(k)); err != nil {
				return rb, err
			}
		}
		s, err := build(k, cmdRebuild, cached, true, "-cache", cache)
		if err != nil {
			return rb, err
		}
		rb.rounds = append(rb.rounds, s)
	}
	if rb.clean, err = build(cfg.rebuilds, cmdClean, clean, false); err != nil {
		return rb, err
	}
	if rb.diff, err = sameTree(r.ctx, cached, clean); err != nil {
		return rb, err
	}
	rb.lastTag = editMarker(cfg.rebuilds)
	if rb.marked, err = filesContaining(clean, rb.lastTag); err != nil {
		return rb, err
	}
	verdict := "PASS: byte-identical"
	if rb.diff != "" {
		verdict = "FAIL:\n" + rb.diff
	}
	logf("%7d records: cached rebuild vs clean build of the edited corpus: %s", n, verdict)
	return rb, nil
}
