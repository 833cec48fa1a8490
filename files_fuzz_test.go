package curafeed

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzOutputPath requires every path the tree writer accepts to stay
// inside the output folder.
func FuzzOutputPath(f *testing.F) {
	for _, s := range []string{"all/rss.xml", "../x", "a/../../x", "/abs", "", ".", "a//b", `a\..\..\x`, "CON/rss.xml", "a/\x00/b"} {
		f.Add(s)
	}
	dir := filepath.Join("out", "tree")
	f.Fuzz(func(t *testing.T, rel string) {
		p, err := outputPath(dir, rel)
		if err != nil {
			return
		}
		r, err := filepath.Rel(dir, p)
		if err != nil || r == "." || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
			t.Fatalf("%q is accepted as %q, outside %q", rel, p, dir)
		}
	})
}

// FuzzRedactURL requires redactURL never to show the value of a query
// parameter named for a secret, nor a password.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"https://u:p@h/x?token=abc&a=b#frag", "https://h/?to%6Ben=abc", "http://h/?key=abc;x=y", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		shown := redactURL(s)
		u, err := url.Parse(s)
		if err != nil {
			if shown != "(not a valid URL)" {
				t.Fatalf("%q is shown as %q", s, shown)
			}
			return
		}
		if p, ok := u.User.Password(); ok && len(p) > 5 && strings.Contains(shown, p) && !strings.Contains(shown, "xxxxx") {
			t.Fatalf("%q shows its password: %q", s, shown)
		}
		su, err := url.Parse(shown)
		if err != nil {
			t.Fatalf("%q is shown as %q, which does not parse: %v", s, shown, err)
		}
		for part := range strings.SplitSeq(su.RawQuery, "&") {
			name, value, ok := strings.Cut(part, "=")
			if ok && secretParam(name) && value != "xxxxx" {
				t.Fatalf("%q is shown as %q: %s is not masked", s, shown, name)
			}
		}
	})
}
