package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/curafeed/curafeed"
)

// Defaults used when curafeed runs with no flags: the sample records.
const (
	defaultRecords = "testdata/records"
	defaultOut     = "public"
	defaultSite    = "https://community.example.org"
)

const usage = `usage:
  curafeed build [-records DIR] [-out DIR] [-site URL] [-limit N] [-title T] [-lang L] [-cache DIR] [-v]
                 [-archive-size N] [-no-archives] [-max-bytes N] [-tombstone-period D] [-hub URL]...
                 [-future] [-community-alias ALIAS=CANONICAL]... [-community-aliases FILE]
  curafeed check [-records DIR] [-site URL] [-v] [-future] [-community-alias ALIAS=CANONICAL]...
  curafeed serve [-records DIR] [-addr HOST:PORT] [-site URL] [-limit N] [-title T] [-interval D] [-hub URL]...

With no arguments, curafeed builds the sample records in testdata/records into ./public.
Every file not published is named on stderr: "path: skipped: reason" for a file that is
not a record, filtered out, a duplicate or scheduled (dated in the future), and
"path:line: field: reason" for a rejected record; -v adds the warnings.
A file of the output folder that curafeed did not write is left alone and named on stderr:
"curafeed: left alone: path (not written by curafeed)".
Exit status: 0 all records good, 1 some records rejected or a feed not written for a file
curafeed did not write in its place, 2 usage or I/O error.
`

// run is the whole command; main only passes it the process's arguments
// and streams, so tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "build"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveMain(args, stdout, stderr)
	case "build", "check":
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "curafeed: unknown command %q\n%s", cmd, usage)
		return 2
	}
	fl := flag.NewFlagSet("curafeed "+cmd, flag.ContinueOnError)
	fl.SetOutput(stderr)
	records := fl.String("records", defaultRecords, "folder of record files (*.md, searched recursively)")
	site := fl.String("site", defaultSite, "absolute URL of the community site the feeds belong to")
	title := fl.String("title", "", "site name used in feed titles (default: the site's host)")
	lang := fl.String("lang", "en", "language of the feeds")
	limit := fl.Int("limit", curafeed.DefaultLimit, "items per feed")
	verbose := fl.Bool("v", false, "also list warnings (records that lost a field)")
	cpuprofile := fl.String("cpuprofile", "", "write a CPU profile of the run to this file")
	syn := syndicationFlags(fl)
	ro := recordFlags(fl)
	var out, cache *string
	if cmd == "build" {
		out = fl.String("out", defaultOut, "output folder")
		cache = fl.String("cache", "", "folder for the build cache: rebuilds then parse only changed records and render only changed feeds")
	}
	fl.Usage = func() { fmt.Fprint(stderr, usage); fl.PrintDefaults() }
	if code, done := parseFlags(fl, args, stderr); done {
		return code
	}
	if code, bad := checkCommon(*records, *limit, syn, stderr); bad {
		return code
	}
	if code, bad := ro.load(stderr); bad {
		return code
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "curafeed:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "curafeed:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	cfg := curafeed.Config{SiteURL: *site, Title: *title, Language: *lang, Limit: *limit}
	syn.apply(&cfg)
	ro.apply(&cfg)
	if cache != nil {
		cfg.CacheDir = *cache
	}
	var (
		recs    *curafeed.Records
		feeds   int
		wrote   string
		budget  string
		changed []string
		foreign curafeed.WriteStats // the files left alone
		err     error
	)
	if cmd == "build" {
		// The bounded-memory build: the same bytes as Load, Build and
		// WriteDir, without holding every record.
		var st curafeed.WriteStats
		recs, st, err = curafeed.BuildDir(curafeed.DirFS(*records), cfg, *out)
		if err == nil {
			feeds = st.Feeds
			wrote = fmt.Sprintf(", archive documents %d; written to %s (files %d: %d written, %d unchanged, %d removed)",
				st.Archives, *out, st.Files, st.Written, st.Unchanged, st.Removed)
			budget = budgetLine(cfg, st)
			changed = st.Changed
			foreign = curafeed.WriteStats{Foreign: st.Foreign, Blocked: st.Blocked}
		}
	} else {
		recs, err = curafeed.Load(curafeed.DirFS(*records), cfg)
		if err == nil {
			var cat *curafeed.Catalog
			if cat, err = curafeed.Build(recs.All(), cfg); err == nil {
				feeds = len(cat.Feeds)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	for _, e := range recs.Errors {
		fmt.Fprintln(stderr, prefixed(*records, e))
	}
	for _, s := range recs.Skipped {
		fmt.Fprintln(stderr, skippedLine(*records, s))
	}
	if *verbose {
		for _, w := range recs.Warnings {
			fmt.Fprintln(stderr, "warning: "+prefixed(*records, w))
		}
	}
	for _, p := range recs.Kept {
		fmt.Fprintf(stderr, "%s: kept: its last good version stays published until the file is mended or deleted\n", filepath.Join(*records, filepath.FromSlash(p)))
	}
	blocked := 0
	if out != nil {
		blocked = reportForeign(stderr, *out, foreign)
	}
	summary := fmt.Sprintf("records read %d, published %d, skipped %d, rejected %d, kept %d, warnings %d; feeds %d%s",
		recs.Files, recs.Published, len(recs.Skipped), len(recs.Errors), len(recs.Kept), len(recs.Warnings), feeds, wrote)
	fmt.Fprintln(stdout, summary)
	if budget != "" {
		fmt.Fprintln(stdout, budget)
	}
	if len(syn.hubs) > 0 && cmd == "build" {
		// The feeds are on disk: tell the hubs which of them changed.
		rep := syn.publisher().Publish(context.Background(), changed)
		fmt.Fprintln(stdout, rep)
		for _, n := range rep.Failed {
			fmt.Fprintln(stderr, "curafeed:", n.Err) // names the hub and the feed
		}
	}
	if len(recs.Errors) > 0 || blocked > 0 {
		return 1
	}
	return 0
}

// reportForeign names on stderr each file of the output folder out that the
// build left alone because curafeed did not write it, and returns how many
// of them are in the place of a feed, which could then not be written.
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

// budgetLine reports what meeting the size budget took, or "" when nothing
// was over it.
func budgetLine(cfg curafeed.Config, st curafeed.WriteStats) string {
	if st.ShortFiles == 0 && len(st.OverBudget) == 0 {
		return ""
	}
	line := fmt.Sprintf("size budget %d bytes: %d items cut to their summary in %d files", cfg.MaxFeedBytes, st.Short, st.ShortFiles)
	if n := len(st.OverBudget); n > 0 {
		line += fmt.Sprintf("; %d files still over it: %s", n, strings.Join(st.OverBudget, ", "))
	}
	return line
}

// syndication holds the flags of archives, tombstones, size budgets and
// WebSub hubs.
type syndication struct {
	archiveSize int
	noArchives  bool
	maxBytes    int
	tombstones  time.Duration
	hubs        []string
	hubTimeout  time.Duration
}

// syndicationFlags defines the syndication flags on fl.
func syndicationFlags(fl *flag.FlagSet) *syndication {
	s := &syndication{}
	fl.IntVar(&s.archiveSize, "archive-size", curafeed.DefaultArchiveSize, "items per archive document (RFC 5005)")
	fl.BoolVar(&s.noArchives, "no-archives", false, "publish only the newest -limit items of each feed, no archive documents")
	fl.IntVar(&s.maxBytes, "max-bytes", curafeed.DefaultMaxFeedBytes, "size budget of each feed document in bytes; 0 for none")
	fl.DurationVar(&s.tombstones, "tombstone-period", curafeed.DefaultTombstonePeriod, "how long withdrawn items keep their Atom tombstones (RFC 6721); 0 for none")
	fl.Func("hub", "WebSub hub URL to announce in the feeds and to notify of changed feeds (repeatable)", func(v string) error {
		s.hubs = append(s.hubs, v)
		return nil
	})
	fl.DurationVar(&s.hubTimeout, "hub-timeout", curafeed.DefaultPublishTimeout, "how long notifying the hubs may take in all")
	return s
}

// check reports unusable syndication flags.
func (s *syndication) check(stderr io.Writer) (code int, bad bool) {
	switch {
	case s.archiveSize < 1:
		fmt.Fprintln(stderr, "curafeed: -archive-size must be at least 1")
	case s.maxBytes < 0:
		fmt.Fprintln(stderr, "curafeed: -max-bytes must not be negative")
	case s.tombstones < 0:
		fmt.Fprintln(stderr, "curafeed: -tombstone-period must not be negative")
	case s.hubTimeout <= 0:
		fmt.Fprintln(stderr, "curafeed: -hub-timeout must be positive")
	default:
		return 0, false
	}
	return 2, true
}

// apply sets the syndication settings of cfg.
func (s *syndication) apply(cfg *curafeed.Config) {
	cfg.ArchiveSize, cfg.NoArchives, cfg.TombstonePeriod, cfg.Hubs = s.archiveSize, s.noArchives, s.tombstones, s.hubs
	cfg.MaxFeedBytes = s.maxBytes
	if s.maxBytes == 0 {
		cfg.MaxFeedBytes = -1
	}
	if s.tombstones == 0 {
		cfg.TombstonePeriod = -1
	}
}

// publisher notifies the hubs of the flags.
func (s *syndication) publisher() *curafeed.Publisher {
	return &curafeed.Publisher{Hubs: s.hubs, Timeout: s.hubTimeout}
}

// skippedLine names a file that was not published, by its path on disk,
// and says why: "path: skipped: reason".
func skippedLine(dir string, s curafeed.Skip) string {
	return filepath.Join(dir, filepath.FromSlash(s.Path)) + ": skipped: " + s.Reason
}

// recordOptions holds the flags that choose which records are published
// and how their communities are named.
type recordOptions struct {
	future      bool
	aliases     map[string]string
	aliasesFile string
}

// recordFlags defines the record flags on fl.
func recordFlags(fl *flag.FlagSet) *recordOptions {
	ro := &recordOptions{}
	fl.BoolVar(&ro.future, "future", false, "also publish records dated in the future (by default they are scheduled: left out until their date)")
	fl.Func("community-alias", "`ALIAS=CANONICAL`: publish the records of community ALIAS in the feeds of community CANONICAL (repeatable)", func(v string) error {
		return ro.addAlias(v)
	})
	fl.StringVar(&ro.aliasesFile, "community-aliases", "", "file of community aliases, one ALIAS=CANONICAL a line; # starts a comment")
	return ro
}

// addAlias adds one ALIAS=CANONICAL pair.
func (ro *recordOptions) addAlias(v string) error {
	alias, canonical, ok := strings.Cut(v, "=")
	alias, canonical = strings.TrimSpace(alias), strings.TrimSpace(canonical)
	if !ok || alias == "" || canonical == "" {
		return fmt.Errorf("community alias %q: want ALIAS=CANONICAL", v)
	}
	if ro.aliases == nil {
		ro.aliases = map[string]string{}
	}
	if old, ok := ro.aliases[alias]; ok && old != canonical {
		return fmt.Errorf("community alias %q is given two communities, %q and %q", alias, old, canonical)
	}
	ro.aliases[alias] = canonical
	return nil
}

// load reads the -community-aliases file; bad is true, with the exit
// status, when it cannot be read or a line is not ALIAS=CANONICAL.
func (ro *recordOptions) load(stderr io.Writer) (code int, bad bool) {
	if ro.aliasesFile == "" {
		return 0, false
	}
	data, err := os.ReadFile(ro.aliasesFile)
	if err != nil {
		fmt.Fprintln(stderr, "curafeed:", err)
		return 2, true
	}
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := ro.addAlias(line); err != nil {
			fmt.Fprintf(stderr, "curafeed: %s:%d: %v\n", ro.aliasesFile, i+1, err)
			return 2, true
		}
	}
	return 0, false
}

// apply sets the record settings of cfg.
func (ro *recordOptions) apply(cfg *curafeed.Config) {
	cfg.IncludeFuture = ro.future
	cfg.CommunityAliases = ro.aliases
}

// prefixed names the record by its path on disk, so editors can open it.
func prefixed(dir string, e *curafeed.RecordError) string {
	c := *e
	c.Path = filepath.Join(dir, filepath.FromSlash(e.Path))
	return c.Error()
}

// parseFlags parses args; done is true, with the exit status, when the
// command should stop: help was asked for, a flag was wrong, or arguments
// were left over.
func parseFlags(fl *flag.FlagSet, args []string, stderr io.Writer) (code int, done bool) {
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "curafeed: unexpected arguments: %s\n", strings.Join(fl.Args(), " "))
		return 2, true
	}
	return 0, false
}

// checkCommon checks the flags every command has; bad is true, with the
// exit status, when one is unusable.
func checkCommon(records string, limit int, syn *syndication, stderr io.Writer) (code int, bad bool) {
	if code, bad := syn.check(stderr); bad {
		return code, bad
	}
	if limit < 1 {
		fmt.Fprintln(stderr, "curafeed: -limit must be at least 1")
		return 2, true
	}
	if st, err := os.Stat(records); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "curafeed: records folder %s: not a readable folder\n", records)
		return 2, true
	}
	return 0, false
}
