// Command embed serves curafeed's feeds from records compiled into the
// binary, under /feeds/. The records never change, so the catalog is built
// once, with Load, Build and NewHandler.
package main

import (
	"embed"
	"flag"
	"io/fs"
	"log"
	"net/http"
	"time"

	"github.com/curafeed/curafeed"
)

//go:embed records
var embedded embed.FS

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	site := flag.String("site", "http://127.0.0.1:8080/feeds", "URL the feeds are served at")
	flag.Parse()

	h, err := newRouter(*site)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving http://%s/feeds/all/rss.xml", *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newRouter builds the catalog of the embedded records and returns the
// server's routes, with the feeds under /feeds/.
func newRouter(siteURL string) (http.Handler, error) {
	records, err := fs.Sub(embedded, "records")
	if err != nil {
		return nil, err
	}
	cfg := curafeed.Config{SiteURL: siteURL, Title: "Example Health"}
	recs, err := curafeed.Load(records, cfg)
	if err != nil {
		return nil, err
	}
	for _, e := range recs.Errors {
		log.Print(e)
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/feeds/", http.StripPrefix("/feeds", curafeed.NewHandler(cat, curafeed.HandlerOptions{})))
	return mux, nil
}
