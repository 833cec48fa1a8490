// Command nethttp serves curafeed's feeds with net/http alone, under /feeds/,
// reloading them when the records change.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/curafeed/curafeed"
)

// defaultRecords is curafeed's sample records, seen from this directory.
const defaultRecords = "../../testdata/records"

func main() {
	records := flag.String("records", defaultRecords, "folder of curation records")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	site := flag.String("site", "http://127.0.0.1:8080", "URL of the site; the feeds are served under its /feeds/")
	flag.Parse()
	if *records == defaultRecords {
		if _, err := os.Stat(*records); err != nil {
			*records = "../testdata/records" // run from examples/, as in go run ./nethttp
		}
	}

	h, rl, err := newRouter(*records, *site)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go rl.Watch(ctx, 2*time.Second)

	log.Printf("serving http://%s/feeds/all/rss.xml", *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newRouter loads the records and returns the server's routes, with the
// feeds under /feeds/, and the Reloader that serves them.
func newRouter(records, siteURL string) (http.Handler, *curafeed.Reloader, error) {
	cfg := curafeed.Config{SiteURL: siteURL, FeedsURL: strings.TrimRight(siteURL, "/") + "/feeds", Title: "Example Health"}
	rl, err := curafeed.NewReloader(curafeed.DirFS(records), cfg, curafeed.ReloadOptions{
		OnReload: func(rep curafeed.ReloadReport) {
			for _, e := range rep.Errors {
				log.Print(e)
			}
		},
	})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/feeds/", http.StripPrefix("/feeds", rl))
	return mux, rl, nil
}
