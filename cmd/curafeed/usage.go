package main

import (
	"flag"
	"fmt"
	"io"
)

// usage is what "curafeed help" prints.
const usage = `curafeed turns a folder of curation records into RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds.

usage:
  curafeed build -site URL [-records DIR] [-out DIR] [flags]   write the feeds into a folder
  curafeed check [-records DIR] [-site URL] [flags]            report the records' problems, write nothing
  curafeed serve -site URL [-records DIR] [-addr HOST:PORT] [flags]
                                                               serve the feeds over HTTP, reloading them
  curafeed version                                             print the version and VCS revision
  curafeed help [COMMAND]                                      print this, or a command's flags

With no arguments at all, curafeed builds the sample records in testdata/records into ./public
for ` + defaultSite + `. Any other build, and serve, needs -site: the absolute http(s)
URL of the site the feeds belong to.
Every file not published is named on stderr: "path: skipped: reason" for a file that is not
a record, filtered out, a duplicate or scheduled (dated in the future), and
"path:line: field: reason" for a rejected record.
Exit status: 0 all records good, 1 some records rejected, 2 usage or I/O error.
Run 'curafeed help COMMAND' for the flags of a command.
`

// commandUsage is the usage of each command, before its flags.
var commandUsage = map[string]string{
	"build": `usage: curafeed build -site URL [-records DIR] [-out DIR] [flags]

Reads the records of -records and writes the feeds of -site into -out: index.opml, index.html,
feed.xsl and for every feed its folder with rss.xml, atom.xml and feed.json. Files whose bytes
do not change are left alone; feed files the records no longer make are removed. Only files
curafeed wrote (listed in -out/curafeed-manifest.txt) are ever overwritten or removed: any other
file is left alone and named on stderr, "curafeed: left alone: path (not written by curafeed)".
Each -hub is announced in the feeds and told which of them changed.
Without -site, build only builds the sample: ` + defaultRecords + ` into ./` + defaultOut + ` for
` + defaultSite + `; -records, -out and -hub need -site.
Every file not published is named on stderr ("path:line: field: reason" for a rejected record,
"path: skipped: reason" for a file not published); -v adds the warnings. A summary goes to
stdout, and a last line on stderr says how many records and files took how long. On a terminal,
a progress line shows the records parsed and the feed files written while the build runs.
Exit status: 0 all records good, 1 some records rejected (the feeds are still written for the
good ones) or a feed not written because a file curafeed did not write is in its place, 2 usage
or I/O error.

flags:
`,
	"check": `usage: curafeed check [-records DIR] [-site URL] [flags]

Reads the records of -records and builds their feeds as build would, but writes nothing: every
file not published is named on stderr ("path:line: field: reason" for a rejected record,
"path: skipped: reason" for a file not published); -v adds the warnings. A summary goes to
stdout, and a last line on stderr says how many records took how long.
Exit status: 0 all records good, 1 some records rejected, 2 usage or I/O error.

flags:
`,
	"serve": `usage: curafeed serve -site URL [-records DIR] [-addr HOST:PORT] [flags]

Serves the feeds of the records over HTTP at the root of -addr (/index.opml, /all/rss.xml, ...),
reloading them when a record changes, until SIGINT or SIGTERM. The feeds' self links name -site,
the URL they are reached at: http://127.0.0.1:8080 to try them on this machine, or the public
URL of a proxy in front of curafeed. Each reload is logged on stderr, with every rejected
record (path:line: field: reason) and every file not published (path: skipped: reason). A
record dated in the future is published when its date comes, unless -future publishes it at
once. Each -hub is announced in the feeds and in Link headers, and told of every feed a reload
changes.
With -cache, the served feeds and what each record parsed to are saved in that folder after the
first load and when the server stops, and the next start reads only the records and renders only
the feeds that changed meanwhile.
Exit status: 0 after a clean shutdown, 2 on usage errors, when the records cannot be loaded, or
when -cache is given and the feeds cannot be saved there.

flags:
`,
}

// printUsage prints the usage of cmd and its flags (those of fl) to w.
func printUsage(w io.Writer, cmd string, fl *flag.FlagSet) {
	fmt.Fprint(w, commandUsage[cmd])
	out := fl.Output()
	fl.SetOutput(w)
	fl.PrintDefaults()
	fl.SetOutput(out)
}

// help is the help command: the usage of curafeed, or of the command args
// names, to stdout.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd := args[0]
	if cmd == "version" && len(args) == 1 {
		fmt.Fprint(stdout, versionUsage)
		return 0
	}
	if len(args) > 1 || commandUsage[cmd] == "" {
		fmt.Fprintf(stderr, "curafeed help: no such command %q\n%s", cmd, usage)
		return 2
	}
	printUsage(stdout, cmd, newFlagSet(cmd, &options{}))
	return 0
}
