package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/curafeed/curafeed/websub"
)

// defaultAddr is where curafeed serve listens when -addr is not given.
const defaultAddr = "127.0.0.1:8080"

const serveUsage = `usage:
  curafeed serve [-records DIR] [-addr HOST:PORT] [-site URL] [-limit N] [-title T] [-lang L] [-interval D]
                 [-archive-size N] [-no-archives] [-max-bytes N] [-tombstone-period D] [-hub URL]...
                 [-future] [-community-alias ALIAS=CANONICAL]... [-community-aliases FILE]

Serves the feeds of the records over HTTP at the root of ADDR (/index.opml, /all/rss.xml, ...),
reloading them when a record changes, until SIGINT or SIGTERM. Feed self links use -site,
which defaults to http://ADDR. Each reload is logged on stderr, with every rejected record
(path:line: field: reason) and every file not published (path: skipped: reason). A record
dated in the future is published when its date comes, unless -future publishes it at once.
Each -hub is announced in the feeds and in Link headers, and told of every feed a reload changes.
Exit status: 0 after a clean shutdown, 2 on usage errors or when the records cannot be loaded.
`

// serveMain is the serve command: it parses its flags, listens and serves
// until the process is interrupted or terminated.
func serveMain(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("curafeed serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	records := fl.String("records", defaultRecords, "folder of record files (*.md, searched recursively)")
	addr := fl.String("addr", defaultAddr, "address to listen on, host:port")
	site := fl.String("site", "", "absolute URL the feeds are served at, for their self links (default http://ADDR)")
	title := fl.String("title", "", "site name used in feed titles (default: the site's host)")
	lang := fl.String("lang", "en", "language of the feeds")
	limit := fl.Int("limit", curafeed.DefaultLimit, "items per feed")
	interval := fl.Duration("interval", 2*time.Second, "how often to look for changed records; 0 turns watching off")
	syn := syndicationFlags(fl)
	ro := recordFlags(fl)
	fl.Usage = func() { fmt.Fprint(stderr, serveUsage); fl.PrintDefaults() }
	if code, done := parseFlags(fl, args, stderr); done {
		return code
	}
	if code, bad := checkCommon(*records, *limit, syn, stderr); bad {
		return code
	}
	if code, bad := ro.load(stderr); bad {
		return code
	}
	if *interval < 0 {
		fmt.Fprintln(stderr, "curafeed: -interval must not be negative")
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "curafeed:", err)
		return 2
	}
	if *site == "" {
		*site = "http://" + siteHost(ln.Addr())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Reloads parse records on half the CPUs, leaving the others to requests.
	workers := max(1, runtime.GOMAXPROCS(0)/2)
	cfg := curafeed.Config{SiteURL: *site, Title: *title, Language: *lang, Limit: *limit, Workers: workers}
	syn.apply(&cfg)
	ro.apply(&cfg)
	var pub *websub.Publisher
	if len(syn.hubs) > 0 {
		pub = syn.publisher()
	}
	return serve(ctx, ln, *records, cfg, *interval, pub, stderr)
}

// siteHost is the host:port of a listener's address as a URL can name it:
// an unspecified host (all interfaces) becomes the loopback address.
func siteHost(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// serve loads the records of dir, serves their feeds on ln, watches dir every
// interval (never when interval is 0) and logs every reload on logw, until
// ctx is done; then it shuts the server down gracefully. It closes ln. It
// returns the command's exit status.
func serve(ctx context.Context, ln net.Listener, dir string, cfg curafeed.Config, interval time.Duration, pub *websub.Publisher, logw io.Writer) int {
	logger := log.New(logw, "", log.LstdFlags)
	started := false // a failed first load is reported below, once
	r, err := curafeed.NewReloader(curafeed.DirFS(dir), cfg, curafeed.ReloadOptions{
		OnReload: func(rep curafeed.ReloadReport) {
			if started || rep.Err == nil {
				logReload(logger, dir, rep)
			}
		},
		Publisher: pub,
		OnPublish: func(rep websub.PublishReport) {
			logger.Print(rep)
			for _, n := range rep.Failed {
				logger.Print(n.Err) // names the hub and the feed
			}
		},
	})
	if err != nil {
		logger.Print(err)
		ln.Close()
		return 2
	}
	started = true
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          logger,
	}
	site := r.Catalog().Config().SiteURL
	logger.Printf("serving the feeds of %s at http://%s/ (index: http://%s/index.opml; feed URLs name %s)",
		dir, ln.Addr(), ln.Addr(), site)

	watchCtx, stopWatch := context.WithCancel(ctx)
	var watching sync.WaitGroup
	if interval > 0 {
		watching.Go(func() { r.Watch(watchCtx, interval) })
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	code := 0
	select {
	case err := <-served:
		logger.Printf("curafeed: %v", err)
		code = 2
	case <-ctx.Done():
		logger.Print("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := srv.Shutdown(shutdownCtx); err != nil {
			logger.Printf("curafeed: shutdown: %v", err)
			srv.Close()
			code = 2
		}
		cancel()
	}
	stopWatch()
	watching.Wait()
	r.Close() // hub notifications still in progress end, reported
	logger.Print("stopped")
	return code
}

// logReload logs one reload: every rejected record on a line of its own, as
// path:line: field: reason with the path on disk, then a summary.
func logReload(logger *log.Logger, dir string, rep curafeed.ReloadReport) {
	if rep.Err != nil {
		logger.Printf("reload failed, the feeds stay as they were: %v", rep.Err)
		return
	}
	kept := make(map[string]bool, len(rep.Kept))
	for _, p := range rep.Kept {
		kept[p] = true
	}
	for _, e := range rep.Errors {
		line := prefixed(dir, e)
		if kept[e.Path] {
			line += " (its last good version is still served)"
		}
		logger.Print(line)
	}
	for _, s := range rep.Skips {
		logger.Print(skippedLine(dir, s))
	}
	if !rep.NextScheduled.IsZero() {
		logger.Printf("the next scheduled record is due at %s; it is published then", rep.NextScheduled.Format(time.RFC3339))
	}
	logger.Printf("loaded %s in %v: records read %d, published %d, skipped %d, rejected %d, kept %d; feeds %d, files %d (%d changed, %d removed)",
		dir, rep.Duration.Round(time.Millisecond), rep.Read, rep.Published, rep.Skipped, len(rep.Errors), len(rep.Kept),
		rep.Feeds, rep.Files, len(rep.Changed), len(rep.Removed))
}
