// Command sqlite serves curafeed's feeds of the articles stored in a SQLite
// database, under /feeds/, and builds them again when the rows change.
//
// The database is read with modernc.org/sqlite, a SQLite in pure Go (no
// cgo). A -db file that does not exist is created with the articles table
// and a few sample rows. Every -interval, PRAGMA data_version tells whether
// another connection (another process, such as this command run with
// -set-title) committed a change; if so the articles are read again, built
// with curafeed.LoadRecords and curafeed.Build, and the new feeds replace
// the old ones at once. A rebuild that fails leaves the last good feeds
// served.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/curafeed/curafeed"
)

func main() {
	dbFile := flag.String("db", filepath.Join(os.TempDir(), "curafeed-example.db"),
		"SQLite database of articles, created with sample rows when missing")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	site := flag.String("site", "", "URL the feeds are served at (default http://ADDR/feeds)")
	interval := flag.Duration("interval", 2*time.Second, "how often to check the database for changes")
	title := flag.String("set-title", "", "`ID=TITLE`: set the title of article ID (and its updated date) in -db, and exit")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var err error
	if *title != "" {
		err = runSetTitle(ctx, *dbFile, *title)
	} else {
		err = serve(ctx, *dbFile, *addr, *site, *interval)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// serve serves the feeds of the database in file on addr until ctx is done.
func serve(ctx context.Context, file, addr, site string, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("-interval %v: must be positive", interval)
	}
	if site == "" {
		var err error
		if site, err = defaultSite(addr); err != nil {
			return err
		}
	}
	db, created, err := openDB(ctx, file, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if created {
		log.Printf("created %s with %d sample articles", file, len(samples))
	}
	h, f, err := newRouter(ctx, db, site)
	if err != nil {
		return err
	}
	defer f.Close()
	go f.Poll(ctx, interval)

	log.Printf("serving http://%s/feeds/all/rss.xml", addr)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newRouter builds the feeds of db's articles and returns the server's
// routes, with the feeds under /feeds/, and the feeds, whose Check or Poll
// rebuilds them.
func newRouter(ctx context.Context, db *sql.DB, siteURL string) (http.Handler, *feeds, error) {
	cfg := curafeed.Config{SiteURL: siteURL, Title: "Example Health"}
	f, err := newFeeds(ctx, db, cfg)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/feeds/", http.StripPrefix("/feeds", f))
	return mux, f, nil
}

// defaultSite is the feeds' URL when they are served on addr: a host left
// out or a wildcard address is written localhost.
func defaultSite(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/feeds", nil
}

// runSetTitle sets the title of an article of the existing database in
// file, from arg "ID=TITLE", as an editor would: the change is committed by
// this process, so a server polling the same file sees it.
func runSetTitle(ctx context.Context, file, arg string) error {
	id, title, ok := strings.Cut(arg, "=")
	if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(title) == "" {
		return fmt.Errorf("-set-title %q: want ID=TITLE", arg)
	}
	db, _, err := openDB(ctx, file, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := setTitle(ctx, db, id, title, time.Now()); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	log.Printf("%s: articles/%s: title set to %q", file, id, title)
	return nil
}
