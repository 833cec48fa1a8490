package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// versionUsage is what "curafeed help version" prints.
const versionUsage = `usage: curafeed version (or curafeed -version)

Prints the module version curafeed was built as, and the VCS revision it was built from,
with ", modified" when the work tree had changes: "curafeed v0.3.0", or
"curafeed (devel) rev abc1234, modified" for a build from a checkout.
`

// versionMain is the version command.
func versionMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "curafeed version: unexpected arguments\n%s", versionUsage)
		return 2
	}
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi, ok))
	return 0
}

// versionLine says which curafeed bi describes: "curafeed v0.3.0", or
// "curafeed (devel) rev abc1234, modified" with the first 7 characters of
// the VCS revision, when the build recorded one.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "curafeed (unknown version)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	line := "curafeed " + v
	var rev string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return line
	}
	line += " rev " + rev[:min(len(rev), 7)]
	if modified {
		line += ", modified"
	}
	return line
}
