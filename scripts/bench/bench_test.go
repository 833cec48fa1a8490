package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// frontTitle parses a record's front matter and returns its title.
func frontTitle(t *testing.T, data []byte) string {
	t.Helper()
	rest, ok := bytes.CutPrefix(data, []byte("---\n"))
	if !ok {
		t.Fatalf("no front matter in %q", data)
	}
	fm, _, ok := bytes.Cut(rest, []byte("\n---\n"))
	if !ok {
		t.Fatalf("front matter not closed in %q", data)
	}
	var v struct {
		Title string `yaml:"title"`
	}
	if err := yaml.Unmarshal(fm, &v); err != nil {
		t.Fatalf("front matter of %q: %v", data, err)
	}
	return v.Title
}

func TestTitleEditKeepsValidYAML(t *testing.T) {
	cases := map[string]string{
		"plain":         "---\nid: 1\ntitle: 8 Ways Analytics Can Help\ntype: communities/x\n---\n<p>body</p>\n",
		"single quoted": "---\ntitle: 'Report: 30% of Hospitals'\n---\nbody\n",
		"wrapped":       "---\ntitle: 'Report: 30% of Hospitals Plan to Invest in Interoperability Standards This\n  Year'\ntype: x\n---\n",
		"double quoted": "---\ntitle: \"Why \\\"AI\\\" Helps: a Look\"\n---\n",
		"wrapped plain": "---\ntitle: A long plain title that PyYAML wraps over\n  two lines\n---\n",
		"leading dash":  "---\ntitle: -5 reasons to care\n---\n",
		"typographic":   "---\ntitle: “What Comes Next” — on Care\n---\n",
		"spaces":        "---\ntitle:    Spaced\n---\n",
	}
	for name, rec := range cases {
		t.Run(name, func(t *testing.T) {
			at, ok := titleOffset([]byte(rec))
			if !ok {
				t.Fatalf("titleOffset refused %q", rec)
			}
			e := titleEdit{orig: []byte(rec), at: at}
			before := frontTitle(t, e.orig)
			for round := 1; round <= 2; round++ {
				got := frontTitle(t, e.edited(round))
				if want := editMarker(round) + before; got != want {
					t.Errorf("round %d: title %q, want %q", round, got, want)
				}
			}
			if !bytes.Equal(e.orig, []byte(rec)) {
				t.Errorf("edited changed the original")
			}
		})
	}
}

func TestTitleOffsetRefuses(t *testing.T) {
	for _, rec := range []string{
		"",
		"title: no front matter\n",
		"---\nid: 1\n---\ntitle: in the body\n",
		"---\ntitle: >-\n  folded\n---\n",
		"---\ntitle: |\n  literal\n---\n",
		"---\ntitle:\n  on the next line\n---\n",
		"---\ntitle: &a anchored\n---\n",
		"---\ntitle: *a\n---\n",
		"---\ntitle: !!str tagged\n---\n",
		"---\ntitle:x\n---\n",
		"---\nnested:\n  title: inner\n---\n",
		"---\ntitle: unterminated front matter",
	} {
		if at, ok := titleOffset([]byte(rec)); ok {
			t.Errorf("titleOffset(%q) = %d, true; want false", rec, at)
		}
	}
}

func TestPickEditsIsFixedAndSpread(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i := range 40 {
		rec := fmt.Sprintf("---\ntitle: Record %d\n---\n", i)
		if i%3 == 0 {
			rec = fmt.Sprintf("---\ntitle: >-\n  Record %d\n---\n", i) // not editable
		}
		p := filepath.Join(dir, fmt.Sprintf("r%02d.md", i))
		if err := os.WriteFile(p, []byte(rec), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	names := func(es []titleEdit) []string {
		var out []string
		for _, e := range es {
			out = append(out, filepath.Base(e.path))
		}
		return out
	}
	a, err := pickEdits(files, 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pickEdits(files, 10)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names(a)) != fmt.Sprint(names(b)) {
		t.Errorf("two picks differ: %v and %v", names(a), names(b))
	}
	seen := map[string]bool{}
	for _, n := range names(a) {
		if seen[n] {
			t.Errorf("%s picked twice in %v", n, names(a))
		}
		seen[n] = true
	}
	if first, last := names(a)[0], names(a)[9]; first > "r03.md" || last < "r36.md" {
		t.Errorf("picks not spread over the list: %v", names(a))
	}
	if _, err := pickEdits(files[:3], 3); err == nil {
		t.Error("pickEdits found 3 editable records among r00 (folded), r01, r02")
	}
}

func TestEditsLeaveTheLinkedCorpusAlone(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "copy")
	orig := []byte("---\ntitle: Original\n---\n")
	if err := os.MkdirAll(filepath.Join(src, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "c", "a.md"), orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := linkTree(src, dst); err != nil {
		t.Fatal(err)
	}
	if err := writeReplacing(filepath.Join(dst, "c", "a.md"), []byte("changed")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(src, "c", "a.md")); !bytes.Equal(got, orig) {
		t.Errorf("editing the copy changed the corpus: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "c", "a.md")); string(got) != "changed" {
		t.Errorf("copy holds %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dst, "c", "*.bench-edit")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestMedianAndPairRatios(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{nan, 5, nan}, 5},
		{[]float64{7}, 7},
	} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
	if got := median([]float64{nan}); !math.IsNaN(got) {
		t.Errorf("median of no numbers = %v, want NaN", got)
	}
	naive := []sample{{round: 1, wall: 2}, {round: 2, wall: 4}, {round: 3, wall: 10}}
	cura := []sample{{round: 2, wall: 1}, {round: 1, wall: 3}}
	got := pairRatios(naive, cura, wallMetric)
	if fmt.Sprint(got) != "[0.25 1.5]" {
		t.Errorf("pairRatios = %v, want [0.25 1.5] (matched by round, round 3 unpaired)", got)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-sizes", "10000, 1000", "-pairs", "5"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cfg.sizes) != "[10000 1000]" || cfg.pairs != 5 || cfg.archiveRuns != 3 || cfg.edits != 10 {
		t.Errorf("parsed %+v", cfg)
	}
	for _, args := range [][]string{
		{"-sizes", "0"},
		{"-sizes", "10k"},
		{"-sizes", ""},
		{"-pairs", "0"},
		{"-pairs", "2", "-archive-runs", "3"},
		{"-rebuilds", "-1"},
		{"-edits", "0"},
		{"-gen", "other"},
		{"-timeout", "0s"},
		{"extra"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", strings.Join(args, " "))
		}
	}
}

func TestFormatting(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := fmtInt(n); got != want {
			t.Errorf("fmtInt(%d) = %q, want %q", n, got, want)
		}
	}
	if got := abbreviate([]string{"a", "b", "c"}, 2); got != "`a`, `b` and 1 more" {
		t.Errorf("abbreviate = %q", got)
	}
	if got := abbreviate([]string{"a"}, 2); got != "`a`" {
		t.Errorf("abbreviate = %q", got)
	}
	ss := []sample{{wall: 2}, {wall: 1}, {wall: 3}}
	if got := spread(ss, wallMetric); got != "2.000 s (1.000–3.000 s)" {
		t.Errorf("spread = %q", got)
	}
	if got := spread([]sample{{load: math.NaN()}}, loadMetric); got != "n/a" {
		t.Errorf("spread of unknown loads = %q", got)
	}
}
