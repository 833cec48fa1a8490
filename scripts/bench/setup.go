package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// binaries are the programs a benchmark runs.
type binaries struct {
	curafeed, naive, gen string
	genHash              string // hash of the generator's sources, for the corpus cache
}

// environment describes what was measured and where.
type environment struct {
	commit, subject string
	codeCommit      string // last commit that changed more than scripts/bench and BENCHMARKS.md
	dirty           bool
	goVersion       string
	cpus            int
	memory          string
	started         time.Time
	elapsed         time.Duration
}

// output runs a command in dir and returns its stdout; on failure the error
// carries its stderr.
func output(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// buildAll builds curafeed from the working tree, the naive pipeline and
// the corpus generator into tmp.
func buildAll(ctx context.Context, cfg config, tmp string) (binaries, error) {
	b := binaries{
		curafeed: filepath.Join(tmp, "curafeed"),
		naive:    filepath.Join(tmp, "naive"),
		gen:      filepath.Join(tmp, "gencorpus"),
	}
	genDir, genPkg := filepath.Join(cfg.perf, "gencorpus"), "."
	if cfg.gen == "project" {
		genDir, genPkg = cfg.repo, "./scripts/gencorpus"
	}
	steps := []struct{ dir, out, pkg string }{
		{cfg.repo, b.curafeed, "./cmd/curafeed"},
		{filepath.Join(cfg.perf, "naive"), b.naive, "."},
		{genDir, b.gen, genPkg},
	}
	for _, s := range steps {
		logf("building %s in %s", s.pkg, s.dir)
		if _, err := output(ctx, s.dir, "go", "build", "-o", s.out, s.pkg); err != nil {
			return b, err
		}
	}
	var err error
	b.genHash, err = sourceHash(filepath.Join(genDir, strings.TrimPrefix(genPkg, "./")))
	return b, err
}

// sourceHash hashes the .go files of a folder, so that a corpus is generated
// again when its generator changes.
func sourceHash(dir string) (string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(name), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// describe records the commit, toolchain and machine.
func describe(ctx context.Context, cfg config) (environment, error) {
	env := environment{started: time.Now().UTC(), cpus: runtime.NumCPU()}
	out, err := output(ctx, cfg.repo, "git", "log", "-1", "--format=%h%n%s")
	if err != nil {
		return env, err
	}
	env.commit, env.subject, _ = strings.Cut(strings.TrimSpace(out), "\n")
	if r := []rune(env.subject); len(r) > 80 {
		env.subject = string(r[:79]) + "…"
	}
	others := []string{"--", ".", ":(exclude)scripts/bench", ":(exclude)BENCHMARKS.md"}
	if out, err = output(ctx, cfg.repo, "git", append([]string{"log", "-1", "--format=%h"}, others...)...); err != nil {
		return env, err
	}
	env.codeCommit = strings.TrimSpace(out)
	out, err = output(ctx, cfg.repo, "git", append([]string{"status", "--porcelain", "--untracked-files=no"}, others...)...)
	if err != nil {
		return env, err
	}
	env.dirty = strings.TrimSpace(out) != ""
	out, err = output(ctx, cfg.repo, "go", "env", "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return env, err
	}
	env.goVersion = strings.Join(strings.Fields(out), " ")
	env.memory = memTotal()
	return env, nil
}

// memTotal returns the machine's memory from /proc/meminfo, or "".
func memTotal() string {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseFloat(fields[1], 64)
			if err == nil {
				return fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	return ""
}

// corpus returns the folder of the n-record corpus, generating it when it is
// missing or was written by another version of the generator.
func corpus(ctx context.Context, cfg config, b binaries, n int) (string, error) {
	dir := filepath.Join(cfg.corpora, fmt.Sprintf("corpus-%s-%d-seed%d", cfg.gen, n, cfg.seed))
	stamp := dir + ".stamp"
	if got, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(got)) == b.genHash {
		logf("reusing %s", dir)
		return dir, nil
	}
	logf("generating %d records into %s", n, dir)
	tmp := dir + ".tmp"
	for _, p := range []string{dir, tmp, stamp} {
		if err := os.RemoveAll(p); err != nil {
			return "", err
		}
	}
	args := []string{"-n", strconv.Itoa(n), "-seed", strconv.FormatUint(cfg.seed, 10), "-out", tmp}
	if cfg.gen == "project" {
		args = append(args, "-q")
	} else {
		args = append(args, "-stats=false")
	}
	if _, err := output(ctx, "", b.gen, args...); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, os.WriteFile(stamp, []byte(b.genHash+"\n"), 0o644)
}

// recordFiles returns the .md files below dir, sorted.
func recordFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return err
	})
	sort.Strings(files)
	return files, err
}

// warm reads every file of dir once, so that no run pays for the first read,
// and returns their total size.
func warm(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, f)
		f.Close()
		total += n
		return err
	})
	return total, err
}

// linkTree makes dst a copy of the tree src whose files are hard links to
// src's (copies where links are refused). Edits must replace a file (see
// writeReplacing), never write into it, or they would change src too.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if os.Link(p, target) == nil {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// writeReplacing writes data to a new file and renames it over path, so a
// hard link at path is replaced rather than written through.
func writeReplacing(path string, data []byte) error {
	tmp := path + ".bench-edit"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
