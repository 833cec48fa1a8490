package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curafeed/curafeed"
	"go.yaml.in/yaml/v3"
)

// readTree returns every file below dir by its slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministicAndLoadable(t *testing.T) {
	const n = 50
	a, b, prefix := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := generate(a, n, 1, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := generate(b, n, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := generate(prefix, 20, 1, 3); err != nil {
		t.Fatal(err)
	}
	fa, fb, fp := readTree(t, a), readTree(t, b), readTree(t, prefix)
	if len(fa) != n {
		t.Fatalf("%d files written, want %d", len(fa), n)
	}
	if len(fa) != len(fb) {
		t.Fatalf("second run wrote %d files, first %d", len(fb), len(fa))
	}
	for p, data := range fa {
		if !bytes.Equal(data, fb[p]) {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
	// File i depends only on the seed and i: a smaller corpus is a prefix.
	for p, data := range fp {
		if !bytes.Equal(data, fa[p]) {
			t.Errorf("%s of the 20-record corpus is not the same file in the 50-record corpus", p)
		}
	}

	recs, err := curafeed.Load(os.DirFS(a), curafeed.Config{SiteURL: "https://www.medigy.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range recs.Errors {
		t.Errorf("rejected: %v", e)
	}
	if recs.Files != n {
		t.Errorf("curafeed read %d files, want %d", recs.Files, n)
	}
	if len(recs.Items)+len(recs.Skipped) != n {
		t.Errorf("published %d + skipped %d, want %d files in all", len(recs.Items), len(recs.Skipped), n)
	}
	for _, s := range recs.Skipped {
		if !strings.Contains(s.Reason, "duplicate") {
			t.Errorf("skipped %s: %s", s.Path, s.Reason)
		}
	}
}

// TestFrontMatterReadsBack checks the YAML writer: what a YAML parser reads
// from each file is what the generator meant.
func TestFrontMatterReadsBack(t *testing.T) {
	g := newGenerator(7)
	for i := range 400 {
		rec := g.record(i)
		data := g.appendFile(nil, rec)
		fm, body, ok := bytes.Cut(bytes.TrimPrefix(data, []byte("---\n")), []byte("\n---\n\n"))
		if !ok {
			t.Fatalf("record %d: no front matter", i)
		}
		var m struct {
			Title           string   `yaml:"title"`
			Description     string   `yaml:"description"`
			Breadcrumbs     []string `yaml:"breadcrumbs"`
			CommunityTopics []string `yaml:"communityTopics"`
			Date            string   `yaml:"date"`
			ID              int      `yaml:"id"`
			Status          *string  `yaml:"status"`
			Custom          struct {
				MedigyTopics string `yaml:"medigyTopics"`
			} `yaml:"openProjectCustomFields"`
		}
		if err := yaml.Unmarshal(fm, &m); err != nil {
			t.Fatalf("record %d: %v\n%s", i, err, fm)
		}
		if m.Title != rec.title || m.Breadcrumbs[4] != rec.title {
			t.Errorf("record %d: title %q, breadcrumb %q, want %q", i, m.Title, m.Breadcrumbs[4], rec.title)
		}
		if m.Description != rec.description {
			t.Errorf("record %d: description %q, want %q", i, m.Description, rec.description)
		}
		if m.Date != timestamp(rec.date) || m.ID != rec.id || m.Status == nil || *m.Status != "" {
			t.Errorf("record %d: date %q id %d status %v", i, m.Date, m.ID, m.Status)
		}
		var fromJSON []string
		if err := json.Unmarshal([]byte(m.Custom.MedigyTopics), &fromJSON); err != nil {
			t.Errorf("record %d: medigyTopics %q: %v", i, m.Custom.MedigyTopics, err)
		}
		if len(fromJSON) != len(rec.topics) || len(m.CommunityTopics) != len(rec.topics) {
			t.Errorf("record %d: %d topics in communityTopics, %d in medigyTopics, want %d",
				i, len(m.CommunityTopics), len(fromJSON), len(rec.topics))
		}
		if string(body) != rec.body+"\n" {
			t.Errorf("record %d: body changed on the way out", i)
		}
		if n := len(rec.body); n < minBody || n > maxBody {
			t.Errorf("record %d: body of %d bytes", i, n)
		}
	}
}

func TestShape(t *testing.T) {
	g := newGenerator(1)
	if len(g.topics) != numTopics {
		t.Errorf("%d topics, want %d", len(g.topics), numTopics)
	}
	if len(g.communities) != 40 {
		t.Errorf("%d communities, want 40", len(g.communities))
	}
	seen := map[string]bool{}
	for _, tp := range g.topics {
		if seen[tp.json] {
			t.Errorf("topic %q twice", tp.json)
		}
		seen[tp.json] = true
	}
	slugs := map[string]bool{}
	for _, c := range g.communities {
		if slugs[c.slug] {
			t.Errorf("community slug %q twice", c.slug)
		}
		slugs[c.slug] = true
	}
}

func TestScalarStyle(t *testing.T) {
	for s, want := range map[string]int{
		"":                              styleSingle,
		"#":                             styleSingle,
		"plain words":                   stylePlain,
		"Medigy: Barriers & Guidelines": styleSingle,
		"2020-10-01T05:27:33.551628Z":   styleSingle,
		"https://tbtech.co/a/":          stylePlain,
		"Vinit @maxinovip.com":          stylePlain,
		`["a","b"]`:                     styleSingle,
		"yes":                           styleSingle,
		"3502":                          styleSingle,
		"5G":                            stylePlain,
		"Beckerâ€™s":                    stylePlain,
		"said,â€\u009d then":            styleDouble,
		"tab\there":                     styleDouble,
		"trailing ":                     styleSingle,
		"Gartner:\u00a0Cybersecurity":   stylePlain,
		"- item":                        styleSingle,
		"a #hash":                       styleSingle,
		"a#b":                           stylePlain,
	} {
		if got := scalarStyle(s); got != want {
			t.Errorf("scalarStyle(%q) = %d, want %d", s, got, want)
		}
	}
}
