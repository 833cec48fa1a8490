// Command curafeed turns a folder of curation records into RSS 2.0, Atom 1.0
// and JSON Feed 1.1 feeds: one for the whole site, one per community, one per
// topic and one per community×topic, plus an OPML list of them all.
//
// Usage:
//
//	curafeed build [-records DIR] [-out DIR] [-site URL] [-limit N]
//	curafeed check [-records DIR] [-site URL]
//
// With no arguments it builds the sample records in testdata/records into
// ./public. Every file not published is named on stderr, one line each:
// "path:line: field: reason" for a rejected record, "path: skipped: reason"
// for a file that is not a record, a record filtered out, a duplicate or a
// record scheduled for a later date (-future publishes those). Exit status:
// 0 when every record was good, 1 when some were rejected (the feeds are
// still written for the good ones), 2 on usage or I/O errors.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
