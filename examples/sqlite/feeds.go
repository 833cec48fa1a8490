package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/curafeed/curafeed"
)

// feeds is an http.Handler serving the feeds of the articles table, which
// builds them again when the table changes.
//
// A change is seen with PRAGMA data_version, read on a connection of its
// own (watch): its value changes whenever another connection commits a
// change to the database file, whether that connection belongs to this
// process (the pool of db) or to another (an editor, the sqlite3 shell,
// this command's -set-title). It does not change for the commits of watch
// itself, which only reads. The check is one cheap query, however large
// the table.
type feeds struct {
	cfg   curafeed.Config
	watch *sql.Conn // the articles are read and data_version polled here

	mu      sync.Mutex // serializes checks
	version int64      // data_version when the served feeds were read
	built   bool

	current atomic.Pointer[http.Handler] // the handler of the last good build
}

// newFeeds builds the feeds of db's articles. It fails when they cannot be
// read or built; a row that is not a publishable article is only logged.
func newFeeds(ctx context.Context, db *sql.DB, cfg curafeed.Config) (*feeds, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	f := &feeds{cfg: cfg, watch: conn}
	if _, err := f.Check(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return f, nil
}

// ServeHTTP serves the feeds of the last good build.
func (f *feeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*f.current.Load()).ServeHTTP(w, r)
}

// Check builds the feeds again when the database changed since they were
// read, swaps them in and reports whether it did. When the rebuild fails,
// the feeds already served stay and the error is returned; the next Check
// tries again.
//
// data_version is read before the articles: a change committed while they
// are read changes it again, so the next Check reads once more rather than
// missing that change.
func (f *feeds) Check(ctx context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var v int64
	if err := f.watch.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return false, fmt.Errorf("data_version: %w", err)
	}
	if f.built && v == f.version {
		return false, nil
	}
	if err := f.rebuild(ctx); err != nil {
		return false, err
	}
	f.version, f.built = v, true
	return true, nil
}

// rebuild reads every article, builds the catalog and serves it.
func (f *feeds) rebuild(ctx context.Context) error {
	recs, err := curafeed.LoadRecords(articles(ctx, f.watch), f.cfg)
	if err != nil {
		return err
	}
	for _, e := range recs.Errors {
		log.Print(e)
	}
	for _, w := range recs.Warnings {
		log.Print("warning: ", w)
	}
	cat, err := curafeed.Build(recs.All(), f.cfg)
	if cat == nil {
		return err
	}
	if err != nil {
		log.Print(err) // items Build left out; the others are published
	}
	h := curafeed.NewHandler(cat, curafeed.HandlerOptions{})
	f.current.Store(&h)
	log.Printf("feeds built: %d articles published, %d not published, %d rejected",
		len(recs.Items), len(recs.Skipped), len(recs.Errors))
	return nil
}

// Poll calls Check every interval until ctx is done, logging a failed
// rebuild once until it fails differently or succeeds.
func (f *feeds) Poll(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var failed string
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := f.Check(ctx)
		switch {
		case err == nil:
			failed = ""
		case ctx.Err() != nil:
			return
		case err.Error() != failed:
			failed = err.Error()
			log.Printf("rebuild failed, still serving the last good feeds: %v", err)
		}
	}
}

// Close releases the connection the feeds are read on.
func (f *feeds) Close() error { return f.watch.Close() }
