package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/curafeed/curafeed/websub"
)

// defaultAddr is where curafeed serve listens when -addr is not given.
const defaultAddr = "127.0.0.1:8080"

// serveMain is the serve command: it parses its flags, listens and serves
// until the process is interrupted or terminated.
func serveMain(args []string, stdout, stderr io.Writer) int {
	o := &options{}
	fl := newFlagSet("serve", o)
	if code, done := parseFlags(fl, "serve", o, args, stdout, stderr); done {
		return code
	}
	if !o.set["site"] {
		fmt.Fprintf(stderr, "curafeed: -site is required: the absolute http(s) URL the feeds are served at, as in -site http://%s\n", o.addr)
		return 2
	}
	if code, bad := o.check(stderr); bad {
		return code
	}
	if p, ok := serverGCPercent(os.Getenv); ok {
		debug.SetGCPercent(p)
	}
	if o.interval < 0 {
		fmt.Fprintln(stderr, "curafeed: -interval must not be negative")
		return 2
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintln(stderr, "curafeed:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := o.config()
	var pub *websub.Publisher
	if len(o.syn.hubs) > 0 {
		pub = o.syn.publisher()
	}
	return serve(ctx, ln, o.records, cfg, o.interval, pub, stderr)
}

// reloadWorkers is how many records a server's reloads parse and render at
// once: half the CPUs, leaving the others to requests. The first load, made
// before the server takes requests, uses them all.
func reloadWorkers() int { return max(1, runtime.GOMAXPROCS(0)/2) }

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
		ReloadWorkers: reloadWorkers(),
		OnWatchError:  func(err error) { logger.Print("curafeed: watching the records: ", err) },
		Publisher:     pub,
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
	var saving sync.WaitGroup
	if cfg.CacheDir != "" {
		// Saved once now, so that a server that dies without stopping
		// still restarts from these feeds; again when it stops.
		saving.Go(func() {
			if err := r.Save(); err != nil {
				logger.Printf("curafeed: %v", err)
			}
		})
	}
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
	saving.Wait()
	if err := r.Save(); err != nil { // with -cache
		logger.Printf("curafeed: %v", err)
		code = 2
	}
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
	logger.Printf("loaded %s in %v: records read %d, published %d, skipped %d, rejected %d, kept %d; feeds %d, files %d (%d rendered, %d changed, %d removed)",
		dir, rep.Duration.Round(time.Millisecond), rep.Read, rep.Published, rep.Skipped, len(rep.Errors), len(rep.Kept),
		rep.Feeds, rep.Files, rep.Rendered, len(rep.Changed), len(rep.Removed))
}

// serverGCPercent is the garbage collector's target for curafeed serve,
// unless GOGC sets one: a server holds its catalog for as long as it runs,
// so it trades some CPU during loads for a third less peak memory (at
// 100,000 records, 2.3 GB instead of 2.8 GB).
func serverGCPercent(getenv func(string) string) (int, bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return 50, true
}
