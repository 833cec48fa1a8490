package curafeed

import (
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
