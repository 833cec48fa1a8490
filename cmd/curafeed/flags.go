package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/curafeed/curafeed/websub"
)

// Defaults of the sample build, the one build that needs no -site.
const (
	defaultRecords = "testdata/records"
	defaultOut     = "public"
	defaultSite    = "https://community.example.org"
)

// options holds the flags of a command; each command defines only its own
// (see newFlagSet), and the others keep their zero values.
type options struct {
	records, site string
	title, lang   string
	limit         int
	verbose       bool
	cpuprofile    string
	out, cache    string
	addr          string
	interval      time.Duration
	syn           *syndication    // nil for check
	ro            *recordOptions  // every command
	set           map[string]bool // the flags given
}

// newFlagSet returns the flag set of a command (build, check or serve),
// which fills o. Flags shared by several commands are defined by one
// function each.
func newFlagSet(cmd string, o *options) *flag.FlagSet {
	fl := flag.NewFlagSet("curafeed "+cmd, flag.ContinueOnError)
	fl.Usage = func() {} // parseFlags prints usage, to stdout when asked for
	fl.StringVar(&o.records, "records", defaultRecords, "read the record files (*.md) in folder `DIR` and its subfolders")
	switch cmd {
	case "build":
		siteFlag(fl, o, "the absolute http(s) `URL` of the site the feeds belong to; required, except by the sample build (no -records, -out nor -hub)")
		fl.StringVar(&o.out, "out", defaultOut, "write the feeds into folder `DIR`")
		fl.StringVar(&o.cache, "cache", "", "keep the build cache in folder `DIR`: rebuilds then parse only changed records and render only changed feeds")
		feedFlags(fl, o)
		reportFlags(fl, o)
		o.syn = syndicationFlags(fl)
	case "check":
		siteFlag(fl, o, "the absolute http(s) `URL` of the site the feeds belong to (default "+defaultSite+")")
		reportFlags(fl, o)
	case "serve":
		siteFlag(fl, o, "the absolute http(s) `URL` the feeds are reached at, for their self links; required")
		fl.StringVar(&o.addr, "addr", defaultAddr, "listen on `HOST:PORT`")
		fl.DurationVar(&o.interval, "interval", 2*time.Second, "how often to look for changed records where the kernel cannot tell of them (and for a replaced records folder); 0 turns watching off")
		fl.StringVar(&o.cache, "cache", "", "keep the served feeds in folder `DIR` (saved after the first load and when the server stops): the next start renders only the feeds whose content changed")
		feedFlags(fl, o)
		o.syn = syndicationFlags(fl)
	}
	o.ro = recordFlags(fl)
	return fl
}

// siteFlag defines -site, with what it means to the command.
func siteFlag(fl *flag.FlagSet, o *options, help string) {
	fl.StringVar(&o.site, "site", "", help)
}

// feedFlags defines the flags that shape the feeds: -title, -lang, -limit.
func feedFlags(fl *flag.FlagSet, o *options) {
	fl.StringVar(&o.title, "title", "", "site `NAME` used in feed titles (default: the site's host)")
	fl.StringVar(&o.lang, "lang", "en", "language tag `LANG` of the feeds")
	fl.IntVar(&o.limit, "limit", 50, "`N` items per feed")
}

// reportFlags defines the flags of the commands that report on one run:
// -v and -cpuprofile.
func reportFlags(fl *flag.FlagSet, o *options) {
	fl.BoolVar(&o.verbose, "v", false, "also list warnings (records that lost a field)")
	fl.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to `FILE`")
}

// parseFlags parses args; done is true, with the exit status, when the
// command should stop: help was asked for (the usage goes to stdout), a
// flag was wrong or arguments were left over (an error and the usage go to
// stderr). It records in o which flags were given.
func parseFlags(fl *flag.FlagSet, cmd string, o *options, args []string, stdout, stderr io.Writer) (code int, done bool) {
	fl.SetOutput(stderr)
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, cmd, fl)
			return 0, true
		}
		printUsage(stderr, cmd, fl)
		return 2, true
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "curafeed %s: unexpected arguments: %s\n", cmd, strings.Join(fl.Args(), " "))
		fmt.Fprintf(stderr, "run 'curafeed help %s' for its flags\n", cmd)
		return 2, true
	}
	o.set = map[string]bool{}
	fl.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	return 0, false
}

// checkSite reports a -site that is not an absolute http(s) URL.
func checkSite(site string) error {
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-site %q is not an absolute http(s) URL", site)
	}
	return nil
}

// checkRecords reports a records folder that cannot be read, with the
// operating system's reason.
func checkRecords(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "open", Path: dir, Err: syscall.ENOTDIR}
	}
	if _, err := f.ReadDir(1); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// check reports unusable flags of any command; bad is true, with the exit
// status, when one is.
func (o *options) check(stderr io.Writer) (code int, bad bool) {
	if o.syn != nil {
		if code, bad := o.syn.check(stderr); bad {
			return code, bad
		}
	}
	if o.limit < 0 || (o.limit == 0 && o.set["limit"]) {
		fmt.Fprintln(stderr, "curafeed: -limit must be at least 1")
		return 2, true
	}
	if err := checkSite(o.site); err != nil {
		fmt.Fprintln(stderr, "curafeed:", err)
		return 2, true
	}
	if err := checkRecords(o.records); err != nil {
		fmt.Fprintln(stderr, "curafeed:", err)
		return 2, true
	}
	return o.ro.load(stderr)
}

// config is the library configuration the flags give.
func (o *options) config() curafeed.Config {
	cfg := curafeed.Config{SiteURL: o.site, Title: o.title, Language: o.lang, Limit: o.limit, CacheDir: o.cache}
	if o.syn != nil {
		o.syn.apply(&cfg)
	}
	o.ro.apply(&cfg)
	return cfg
}

// syndication holds the flags of archives, tombstones, size budgets and
// WebSub hubs.
type syndication struct {
	archiveSize  int
	noArchives   bool
	archiveFeeds string
	maxBytes     int
	tombstones   time.Duration
	hubs         []string
	hubTimeout   time.Duration
}

// syndicationFlags defines the syndication flags on fl.
func syndicationFlags(fl *flag.FlagSet) *syndication {
	s := &syndication{}
	fl.IntVar(&s.archiveSize, "archive-size", 50, "`N` items per archive document (RFC 5005)")
	fl.BoolVar(&s.noArchives, "no-archives", false, "publish only the newest -limit items of each feed, no archive documents")
	fl.StringVar(&s.archiveFeeds, "archive-feeds", "all,community", "comma-separated `KINDS` of feed that keep archive documents: all, community, topic, community-topic; \"\" for none")
	fl.IntVar(&s.maxBytes, "max-bytes", 250_000, "size budget of each feed document: `N` bytes; 0 for none")
	fl.DurationVar(&s.tombstones, "tombstone-period", 30*24*time.Hour, "how long withdrawn items keep their Atom tombstones (RFC 6721); 0 for none")
	fl.Func("hub", "announce the WebSub hub at `URL` in the feeds and tell it of changed feeds (repeatable)", func(v string) error {
		s.hubs = append(s.hubs, v)
		return nil
	})
	fl.DurationVar(&s.hubTimeout, "hub-timeout", websub.DefaultTimeout, "how long notifying the hubs may take in all")
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
		for _, h := range s.hubs {
			if _, err := websub.CheckHub(h); err != nil {
				fmt.Fprintln(stderr, "curafeed: -hub:", err)
				return 2, true
			}
		}
		return 0, false
	}
	return 2, true
}

// apply sets the syndication settings of cfg.
func (s *syndication) apply(cfg *curafeed.Config) {
	cfg.ArchiveSize, cfg.TombstonePeriod, cfg.Hubs = s.archiveSize, s.tombstones, s.hubs
	if s.noArchives {
		cfg.ArchiveSize = -1
	}
	cfg.ArchiveFeeds = []string{}
	for _, k := range strings.Split(s.archiveFeeds, ",") {
		if k = strings.TrimSpace(k); k != "" {
			cfg.ArchiveFeeds = append(cfg.ArchiveFeeds, k)
		}
	}
	cfg.MaxFeedBytes = s.maxBytes
	if s.maxBytes == 0 {
		cfg.MaxFeedBytes = -1
	}
	if s.tombstones == 0 {
		cfg.TombstonePeriod = -1
	}
}

// publisher notifies the hubs of the flags.
func (s *syndication) publisher() *websub.Publisher {
	return &websub.Publisher{Hubs: s.hubs, Timeout: s.hubTimeout}
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
	fl.Func("community-alias", "publish the records of community ALIAS in the feeds of community CANONICAL, given as `ALIAS=CANONICAL` (repeatable)", func(v string) error {
		return ro.addAlias(v)
	})
	fl.StringVar(&ro.aliasesFile, "community-aliases", "", "read community aliases from `FILE`, one ALIAS=CANONICAL a line; # starts a comment")
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
