package main

import (
	"io"
	"log"
	"testing"

	"github.com/curafeed/curafeed/examples/internal/feedcheck"
)

func TestFeeds(t *testing.T) {
	log.SetOutput(io.Discard)
	h, _, err := newRouter("../../testdata/records", "http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	feedcheck.Check(t, h, "/feeds/all/rss.xml")
}
