package curafeed

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/curafeed/curafeed/internal/frontmatter"
)

// fmCorpora lists the record directories of the differential test:
// the test records, the real export next to the repository, and a generated
// corpus named by CURAFEED_GENERATED_CORPUS.
func fmCorpora() []struct{ name, dir string } {
	return []struct{ name, dir string }{
		{"testdata", "testdata/records"},
		{"medigy", "../shared/corpus/medigy"},
		{"generated", os.Getenv("CURAFEED_GENERATED_CORPUS")},
	}
}

// fmRecordFiles returns the .md files under dir, sorted.
func fmRecordFiles(t testing.TB, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestFieldsDifferentialCorpora resolves the fields of every record of
// every corpus and requires what yaml.v3 decodes into a typed struct, or
// that both reject the record. (internal/frontmatter checks the node trees
// its reader gives against yaml.v3 on the same corpora.)
func TestFieldsDifferentialCorpora(t *testing.T) {
	for _, c := range fmCorpora() {
		t.Run(c.name, func(t *testing.T) {
			if c.dir == "" {
				t.Skip("CURAFEED_GENERATED_CORPUS is not set")
			}
			if _, err := os.Stat(c.dir); err != nil {
				t.Skipf("no corpus: %v", err)
			}
			files := fmRecordFiles(t, c.dir)
			if len(files) == 0 {
				t.Fatalf("no records in %s", c.dir)
			}
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
			t.Logf("%s: fields of %d front matters checked", c.dir, total)
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
