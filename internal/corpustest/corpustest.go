// Package corpustest finds the record corpora that curafeed's differential
// tests read: the test records, the real export next to the repository,
// and a generated corpus named by CURAFEED_GENERATED_CORPUS.
package corpustest

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A Corpus is a named folder of record files; Dir is "" when the corpus is
// not there to read.
type Corpus struct {
	Name, Dir string
}

// Corpora lists the corpora for a test whose package folder reaches the
// repository's root by root ("." at the root, "../.." two levels down).
func Corpora(root string) []Corpus {
	return []Corpus{
		{"testdata", filepath.Join(root, "testdata", "records")},
		{"medigy", filepath.Join(root, "..", "shared", "corpus", "medigy")},
		{"generated", os.Getenv("CURAFEED_GENERATED_CORPUS")},
	}
}

// Skip skips t when the corpus is not there, and otherwise returns its
// record files; it fails t when the corpus holds none.
func (c Corpus) Skip(t *testing.T) []string {
	t.Helper()
	if c.Dir == "" {
		t.Skip("CURAFEED_GENERATED_CORPUS is not set")
	}
	if _, err := os.Stat(c.Dir); err != nil {
		t.Skipf("no corpus: %v", err)
	}
	files := RecordFiles(t, c.Dir)
	if len(files) == 0 {
		t.Fatalf("no records in %s", c.Dir)
	}
	return files
}

// RecordFiles returns the .md files under dir, sorted.
func RecordFiles(t testing.TB, dir string) []string {
	t.Helper()
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
