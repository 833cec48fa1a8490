// Command curafeed turns a folder of curation records into RSS 2.0, Atom 1.0
// and JSON Feed 1.1 feeds: one for the whole site, one per community, one per
// topic and one per community×topic, plus an OPML list of them all.
//
// Usage:
//
//	curafeed build -site URL [-records DIR] [-out DIR] [flags]
//	curafeed check [-records DIR] [-site URL] [flags]
//	curafeed serve -site URL [-records DIR] [-addr HOST:PORT] [flags]
//	curafeed version
//	curafeed help [COMMAND]
//
// Each command lists its own flags with "curafeed help COMMAND" (or
// "curafeed COMMAND -h"); help goes to stdout. -site, the absolute http(s)
// URL of the site the feeds belong to, is required by build and serve, with
// one exception: with no arguments at all, curafeed builds the sample records
// in testdata/records into ./public for https://community.example.org.
// "curafeed version" (or -version) prints the module version and the VCS
// revision it was built from.
//
// Every file not published is named on stderr, one line each:
// "path:line: field: reason" for a rejected record, "path: skipped: reason"
// for a file that is not a record, a record filtered out, a duplicate or a
// record scheduled for a later date (-future publishes those). Errors give
// the operating system's reason ("open records: no such file or
// directory"). A summary goes to stdout, and build and check end with a
// line on stderr saying how many records and files took how long. On a
// terminal, a progress line, rewritten in place, shows the records parsed
// and the feed files written while a long build runs.
//
// Exit status: 0 when every record was good, 1 when some were rejected (the
// feeds are still written for the good ones), 2 on usage or I/O errors.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
