package curafeed

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curafeed/curafeed/internal/corpustest"
	"github.com/curafeed/curafeed/internal/frontmatter"
)

// TestFieldsDifferentialCorpora resolves the fields of every record of
// every corpus and requires what yaml.v3 decodes into a typed struct, or
// that both reject the record. (internal/frontmatter checks the node trees
// its reader gives against yaml.v3 on the same corpora.)
func TestFieldsDifferentialCorpora(t *testing.T) {
	for _, c := range corpustest.Corpora(".") {
		t.Run(c.Name, func(t *testing.T) {
			files := c.Skip(t)
			total := 0
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if d, _ := frontmatter.Parse(data); d.Line == 0 {
					continue // no front matter
				}
				total++
				checkRecordFields(t, f, data)
			}
			t.Logf("%s: fields of %d front matters checked", c.Dir, total)
		})
	}
}

// FuzzFields requires that the record's fields read from any front matter
// are what yaml.v3 decodes into a typed struct, or that both reject them.
// (internal/frontmatter's FuzzFrontMatter checks the node trees.)
func FuzzFields(f *testing.F) {
	for _, c := range fieldCases {
		f.Add([]byte(c.src))
	}
	_ = filepath.WalkDir("testdata/records", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			if data, err := os.ReadFile(p); err == nil {
				if d, _ := frontmatter.Parse(data); d.Line > 0 {
					f.Add(d.Front)
				}
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, front []byte) {
		checkFields(t, "fuzz input", front)
	})
}
