package curafeed_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/curafeed/curafeed"
)

// NewHandler serves a catalog's feeds under /feeds/; a feed reader that
// sends back the ETag it got is answered 304 Not Modified.
func ExampleNewHandler() {
	records := fstest.MapFS{"security/a.md": {Data: []byte(`---
title: Ransomware report
date: '2024-05-06T07:08:09Z'
mdName: 0b4b5f2e-8c4e-5a3b-9b8e-2f5c1d7e6a90
basePath: /communities/security/curated-content/
slug: ransomware-report
identifier: Security
---
<p>Read it.</p>
`)}}
	cfg := curafeed.Config{SiteURL: "https://community.example.org/feeds", Title: "Example Health"}
	recs, err := curafeed.Load(records, cfg)
	if err != nil {
		panic(err)
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/feeds/", http.StripPrefix("/feeds", curafeed.NewHandler(cat, curafeed.HandlerOptions{})))

	res := httptest.NewRecorder()
	mux.ServeHTTP(res, httptest.NewRequest("GET", "/feeds/communities/security/atom.xml", nil))
	fmt.Println(res.Code)
	for _, k := range []string{"Content-Type", "Last-Modified", "Cache-Control", "Vary", "Link"} {
		fmt.Printf("%s: %s\n", k, res.Header().Get(k))
	}

	req := httptest.NewRequest("GET", "/feeds/communities/security/atom.xml", nil)
	req.Header.Set("If-None-Match", res.Header().Get("ETag"))
	res = httptest.NewRecorder()
	mux.ServeHTTP(res, req)
	fmt.Println(res.Code, res.Body.Len())
	// Output:
	// 200
	// Content-Type: application/atom+xml; charset=utf-8
	// Last-Modified: Mon, 06 May 2024 07:08:09 GMT
	// Cache-Control: public, max-age=300
	// Vary: Accept, Accept-Encoding
	// Link: <https://community.example.org/feeds/communities/security/atom.xml>; rel="self"
	// 304 0
}
