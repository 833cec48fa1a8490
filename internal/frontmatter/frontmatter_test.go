package frontmatter

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/curafeed/curafeed/internal/corpustest"
	"go.yaml.in/yaml/v3"
)

// requireSameNode fails the test unless got is the same node tree as want in
// every field, naming the path of the first difference.
func requireSameNode(t testing.TB, want, got *yaml.Node) {
	t.Helper()
	if d := fmNodeDiff("$", want, got); d != "" {
		t.Fatal(d)
	}
}

// fmNodeDiff describes the first difference between two node trees, or returns
// "" when they are the same. Paths name mapping values by their keys.
func fmNodeDiff(path string, want, got *yaml.Node) string {
	if want == nil || got == nil {
		if want != got {
			return fmt.Sprintf("%s: want %v, got %v", path, want, got)
		}
		return ""
	}
	type field struct {
		name      string
		want, got any
	}
	for _, f := range []field{
		{"Kind", want.Kind, got.Kind},
		{"Style", want.Style, got.Style},
		{"Tag", want.Tag, got.Tag},
		{"Value", want.Value, got.Value},
		{"Anchor", want.Anchor, got.Anchor},
		{"HeadComment", want.HeadComment, got.HeadComment},
		{"LineComment", want.LineComment, got.LineComment},
		{"FootComment", want.FootComment, got.FootComment},
		{"Line", want.Line, got.Line},
		{"Column", want.Column, got.Column},
		{"Alias != nil", want.Alias != nil, got.Alias != nil},
		{"Content == nil", want.Content == nil, got.Content == nil},
		{"len(Content)", len(want.Content), len(got.Content)},
	} {
		if f.want != f.got {
			return fmt.Sprintf("%s: %s: want %#v, got %#v", path, f.name, f.want, f.got)
		}
	}
	if want.Alias != nil {
		if d := fmNodeDiff(path+"(alias)", &yaml.Node{Line: want.Alias.Line, Column: want.Alias.Column},
			&yaml.Node{Line: got.Alias.Line, Column: got.Alias.Column}); d != "" {
			return d
		}
	}
	for i := range want.Content {
		var p string
		switch {
		case want.Kind == yaml.MappingNode && i%2 == 0:
			p = path + "/" + strconv.Quote(want.Content[i].Value) + "(key)"
		case want.Kind == yaml.MappingNode:
			p = path + "/" + strconv.Quote(want.Content[i-1].Value)
		case want.Kind == yaml.DocumentNode:
			p = path
		default:
			p = path + "[" + strconv.Itoa(i) + "]"
		}
		if d := fmNodeDiff(p, want.Content[i], got.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// fmYAMLNode is what yaml.Unmarshal gives for front.
func fmYAMLNode(front []byte) (*yaml.Node, error) {
	var n yaml.Node
	err := yaml.Unmarshal(front, &n)
	return &n, err
}

// checkFrontMatter requires that when the fast reader accepts front,
// yaml.v3 accepts it too and gives the same tree, and that parseFrontMatter
// always gives what yaml.v3 gives. It returns the fast reader's reason for
// refusing front, or "".
func checkFrontMatter(t testing.TB, name string, front []byte) string {
	t.Helper()
	fast, why, line := fastFrontMatterAt(front)
	if why != "" && line > 0 {
		why += " @" + strconv.Itoa(line)
	}
	want, err := fmYAMLNode(front)
	if why == "" {
		if err != nil {
			t.Fatalf("%s: fast reader accepted what yaml.v3 rejects (%v):\n%s", name, err, front)
		}
		if d := fmNodeDiff("$", want, fast); d != "" {
			t.Fatalf("%s: fast reader differs from yaml.v3: %s\n%s", name, d, front)
		}
	} else if fast != nil {
		t.Fatalf("%s: fast reader refused (%s) but returned a node", name, why)
	}
	got, slab, fastOK, gotErr := parseFrontMatter(front)
	defer slab.release() // the next check's tree is carved from it: stale nodes would show there
	if fastOK != (why == "") {
		t.Fatalf("%s: parseFrontMatter says fast = %v, the fast reader %q", name, fastOK, why)
	}
	switch {
	case err != nil && gotErr == nil:
		t.Fatalf("%s: parseFrontMatter accepted what yaml.v3 rejects (%v)", name, err)
	case err == nil && gotErr != nil:
		t.Fatalf("%s: parseFrontMatter rejected what yaml.v3 accepts: %v", name, gotErr)
	case err != nil && gotErr.Error() != err.Error():
		t.Fatalf("%s: parseFrontMatter error %q, yaml.v3 %q", name, gotErr, err)
	case err == nil:
		if d := fmNodeDiff("$", want, got); d != "" {
			t.Fatalf("%s: parseFrontMatter differs from yaml.v3: %s", name, d)
		}
	}
	return why
}

// frontMatterCases are hand-written front matters: ok says whether the fast
// reader handles them itself.
var frontMatterCases = []struct {
	name string
	src  string
	ok   bool
}{
	// Scalars and how yaml.v3 resolves their tags.
	{"plain string", "title: Improving Cybersecurity in the Medical Industry\n", true},
	{"plain non-ASCII", "title: Beckerâ€™s “quoted” — SÃO PAULO ÎNVĂȚĂMÂNT 😀\n", true},
	{"plain inner indicators", "a: C# and F#, [x] {y} a:b 'c' \"d\" -e ?f %g @h `i` ! & *\n", true},
	{"plain URL", "href: https://tbtech.co/improving?utm_source=x&utm_medium=y#frag\n", true},
	{"plain dash start", "a: -5\nb: -x\nc: --\n", true},
	{"ints", "a: 3502\nb: -17\nc: +4\nd: 0x1F\ne: 0o17\nf: 017\ng: 0b101\nh: 1_000\ni: -0b11\nj: -0o7\nk: 0x_1f\nl: 99999999999999999999\nm: 18446744073709551615\nn: 0\n", true},
	{"floats", "a: 1.5\nb: .5\nc: 1e3\nd: -1.5e-3\ne: 09\nf: 1.\ng: .inf\nh: -.Inf\ni: +.INF\nj: .nan\nk: .NaN\nl: 1e400\nm: 1_0.5\nn: .x\no: 0x1p-2\n", true},
	{"bools and nulls", "a: true\nb: False\nc: TRUE\nd: yes\ne: on\nf: ~\ng: null\nh: Null\ni: NULL\nj: tRUE\nk: no\n", true},
	{"timestamps", "a: 2016-12-06\nb: 2020-10-01T05:27:33.551628Z\nc: 2020-10-01 05:27:33\nd: 2020-10-01t05:27:33Z\ne: 2021-02-30\nf: 2020-1-2\ng: 20201-01-01\nh: 2020-10-01 05:27:33 +02:00\ni: 2020-10-01T05:27:33+02:00\n", true},
	{"merge value", "a: <<\n", true},
	{"numeric keys", "1: one\ntrue: yes\nnull: x\n2020-01-01: d\n0x10: h\n", true},
	{"key characters", "og:title: a\na.b: c\na-b_c/d: e\nA1: f\n", true},
	{"unsorted keys", "b: 1\na: 2\nc: 3\n", true},

	// Quoted scalars.
	{"single quoted", "date: '2020-10-01T05:27:33.551628Z'\nstatus: ''\nb: '#'\nc: 'Youngstown, Ohio''s #1'\nd: ''''\n", true},
	{"single quoted spaces", "a: '  x  '\nb: ' '\n", true},
	{"single quoted multi-line", "title: 'Health System Leaders Need to Proactively Strategize for Growth During COVID-19:\n  McKinsey Report'\n", true},
	{"single quoted blank lines", "a: 'one\n\n\n  two  \n   three'\n", true},
	{"single quoted unindented continuation", "a: 'one\ntwo'\nb: x\n", true},
	{"double quoted", "title: \"Events\"\nb: \"a 'b' #c\"\nc: \"\"\n", true},
	{"double quoted escapes", `a: "\u201CMyths\u201D \u2014 \x41\U0001F600 \n\t\\\"\' \0\a\b\v\f\r\e\N\_\L\P\ x"` + "\n", true},
	{"double quoted folded", "description: \"The pandemic accelerated adoption by\\\n  \\ at least three years, \\u201CClinicians\\\n  \\ reported\\u201D\"\n", true},
	{"double quoted spaces before break", "a: \"one   \n   two\"\nb: \"x \\\n  y\"\n", true},
	{"double quoted blank lines", "a: \"one\n\n  two\\\n\n  three\"\n", true},
	{"double quoted trailing spaces", "metaDesc: \"It is crucial.\" \nb: \"x\"   \n", true},
	{"double quoted escaped break at end", "a: \"x\\\n\"\n", true},

	// Multi-line plain scalars.
	{"plain folded", "description: Cybersecurity, so far, remains the most daunting challenge facing the\n  healthcare industry, amplifying every passing day. Data breaches occurring every\n  year cost the healthcare industry as much as $5.6\nfeaturedImage:\n  alt: x\n", true},
	{"plain folded blank lines", "a: one\n\n  two\n\n\n  three   \nb: x\n", true},
	{"plain folded uneven indent", "a: one\n      two\n three\nb: x\n", true},
	{"plain folded in sequence", "a:\n- one\n  two\n-  three\n   four\n", true},
	{"plain folded nested", "a:\n  b: one\n    two\n  c: three\n", true},
	{"plain continuation looks like entry", "a: one\n  - two\n", true},
	{"plain continuation with inner colon", "a: one\n  two:three\n", true},
	{"plain trailing spaces", "a: one   \nb: two  \n", true},

	// Collections.
	{"empty flow", "categories: []\nopenProjectCustomFields: {}\nc: []   \n", true},
	{"nested mappings", "featuredImage:\n  alt: x\n  size:\n  - 1000\n  - 688\n  wpAttachment:\n    fileName: y\n    link: /api\nid: 3502\n", true},
	{"indented sequence", "breadcrumbLinks:\n - \"/\"\n - \"/communities/\"\nCategories:\n    - Cybersecurity\n", true},
	{"indentless sequence", "author:\n- Vinit @maxinovip.com\ntags:\n- news\n", true},
	{"sequence of mappings", "tabs:\n - name: Latest\n   icon: \"fa fa-history\"\n - name: Popular\n   icon: \"fa fa-chart-line\"\nx: y\n", true},
	{"compact mapping with sequence", "a:\n- k:\n  - x\n  - y\n  j: z\n-   l: m\n", true},
	{"compact mapping with nested mapping", "a:\n- k:\n    x: 1\n  j: 2\n", true},
	{"empty values", "a:\nb:   \nc:\n  d:\n  e:\nf:\n", true},
	{"empty sequence entries", "breadcrumbLinks:\n - \"/\"\n - \n -\n", true},
	{"empty entry then mapping key", "a:\n-\nb: c\n", true},
	{"value on next line", "a:\n  plain value\n  continued\nb:\n  'quoted'\nc:\n    \"double\"\n", true},
	{"deep nesting", "a:\n  b:\n    c:\n      d:\n      - e: f\n        g:\n        - h\n", true},

	// Layout.
	{"blank lines", "\n\n   \na: b\n\n  \nc: d\n\n\n", true},
	{"no final newline", "a: b", true},
	{"no final newline after empty value", "a:", true},
	{"no final newline in sequence", "a:\n- ", true},
	{"trailing spaces at end", "a: b\n   ", true},
	{"indented root", "  a: b\n  c:\n  - d\n", true},
	{"CRLF", "a: b\r\nc: 'x\r\n  y'\r\nd: \"p\\\r\n  q\"\r\ne:\r\n- f\r\n\r\ng: h\r\n  i\r\n", true},
	{"colon at end of continuation is refused", "a: b\n  c:\n", false},

	// Refused: comments.
	{"comment line", "# c\na: b\n", false},
	{"comment after value", "a: b # c\n", false},
	{"comment after quoted", "a: 'b' # c\n", false},
	{"comment as value", "a: #c\n", false},
	{"comment in continuation", "a: b\n  # c\n", false},
	{"comment in nested", "a:\n  # c\n  b: d\n", false},

	// Refused: other constructs.
	{"anchor and alias", "a: &x 1\nb: *x\n", false},
	{"tag", "a: !!str 1\n", false},
	{"local tag", "a: !x 1\n", false},
	{"folded block scalar", "shortDescription: >-\n  YouScript is the leading\n  platform.\nwebsiteUrl: x\n", true},
	{"literal block scalar", "a: |\n  x\n   y\n  z\n\nb: c\n", true},
	{"block scalar chomping", "a: |+\n  x\n\n\nb: >+\n  y\n\nc: |-\n  z\n\nd: >\n  w\n", true},
	{"folded more indented", "a: >\n  one\n  two\n    more\n  three\n\n  four\n\n\n   five\n  six\n", true},
	{"block leading blank lines", "a: >\n\n \n  x\nb: |\n  \n  y\n", true},
	{"block leading blank line past content", "a: >\n\n   \n  x\n", false},
	{"block spaces beyond indent", "a: |\n  x\n     \n  y\n", true},
	{"block in sequence", "a:\n- |\n  x\n  y\n- >-\n    z\n- w\n", true},
	{"block on next line", "a:\n  >\n   x\n   y\nb: c\n", true},
	{"block empty", "a: |\nb: >-\n\nc: |+\n\n\nd: x\n", true},
	{"block at end without newline", "a: >\n  x", true},
	{"block header at end", "a: |", true},
	{"block with hash and colon lines", "a: |\n  # not a comment\n  k: v\n", true},
	{"block CRLF", "a: >\r\n  x\r\n  y\r\n\r\n  z\r\nb: c\r\n", true},
	{"block indentation indicator", "a: |2\n   x\n", false},
	{"block chomping and indicator", "a: >-1\n x\n", false},
	{"block header comment", "a: | # c\n  x\n", false},
	{"block header text", "a: |x\n  x\n", false},
	{"block then over-indented key", "a: >\n    x\n  b: c\n", false},
	{"flow sequence", "a: [x, y]\n", false},
	{"flow mapping", "a: {b: c}\n", false},
	{"spaced empty flow", "a: [ ]\n", false},
	{"text after flow", "a: [] x\n", false},
	{"quoted keys", "'42': true\n\"a b\": c\n'#: x': d\nl:\n- 'ogarticleauthor ': e\n  f: g\n'': h\n", true},
	{"non-ASCII quoted key", "'é': x\n'ݩ':\n", false},
	{"quoted key with escape", "'a''b': c\n", false},
	{"double-quoted key with escape", "\"a\\tb\": c\n", false},
	{"quoted key with space before colon", "'a' : b\n", false},
	{"quoted key over two lines", "'a\n  b': c\n", false},
	{"complex key", "? a\n: b\n", false},
	{"key with space", "a b: c\n", false},
	{"key with space before colon", "a : b\n", false},
	{"key without space after colon", "a:b\n", false},
	{"key starting with dot", ".a: b\n", false},
	{"merge key", "<<: b\n", false},
	{"long key", strings.Repeat("k", 600) + ": v\n", false},
	{"duplicate key", "a: 1\nb: 2\na: 3\n", false},
	{"duplicate nested key", "x:\n  a: 1\n  a: 2\n", false},
	{"many unsorted keys", fmManyKeys(200, false), true},
	{"many keys, one duplicate", fmManyKeys(200, true), false},
	{"nested 64 deep", fmNested(63), true},
	{"nested 65 deep", fmNested(64), false},
	{"document start", "a: b\n---\nc: d\n", false},
	{"document end", "a: b\n...\n", false},
	{"document start in quoted", "a: 'b\n---\n'\n", false},
	{"directive", "%YAML 1.2\n---\na: b\n", false},
	{"tab indent", "a:\n\t- b\n", false},
	{"tab in value", "a: b\tc\n", false},
	{"control character", "a: b\x01c\n", false},
	{"DEL", "a: b\x7fc\n", false},
	{"C1 control", "a: b\u0086c\n", false},
	{"NEL", "a: b\u0085c\n", false},
	{"line separator", "a: b\u2028c\n", false},
	{"BOM", "\ufeffa: b\n", false},
	{"non-character", "a: b\uffffc\n", false},
	{"invalid UTF-8", "a: b\xffc\n", false},
	{"lone CR", "a: b\rc: d\n", false},
	{"colon in plain", "a: b: c\n", false},
	{"colon at end of plain", "a: b:\n", false},
	{"colon in quoted is fine", "a: 'b: c'\n", true},
	{"nested sequence", "a:\n- - b\n", false},
	{"sequence as inline value", "a: - b\n", false},
	{"entry content on next line", "a:\n-\n  b\n", false},
	{"unknown escape", `a: "\/"` + "\n", false},
	{"bad escape", `a: "\q"` + "\n", false},
	{"surrogate escape", `a: "\ud800"` + "\n", false},
	{"short escape", `a: "\u12"` + "\n", false},
	{"unterminated single", "a: 'b\n", false},
	{"unterminated double", "a: \"b\n", false},
	{"text after quoted", "a: 'b' c\n", false},
	{"reserved indicator", "a: @b\n", false},
	{"question mark value", "a: ?b\n", false},
	{"colon value", "a: :b\n", false},
	{"empty", "", false},
	{"blank", "\n  \n", false},
	{"root sequence", "- a\n- b\n", false},
	{"root scalar", "just text\n", false},
	{"over-indented key", "a: b\n  c: d\n", false},
	{"under-indented key", "a:\n    b: c\n  d: e\n", false},
	{"dedent below indented root", "  a: b\nc: d\n", false},
	{"sequence then key in its column", "a:\n  - b\n  c: d\n", false},
	{"entry-like continuation", "a:\n- b\n  - c\n", true},
	{"mapping after flow", "a: []\n  - b\n", false},
}

// fmManyKeys is a mapping of n keys in no order, the last one a duplicate
// when dup is set.
func fmManyKeys(n int, dup bool) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "k%d: %d\n", (i*7919)%n, i)
	}
	if dup {
		b.WriteString("k3: x\n")
	}
	return b.String()
}

// fmNested is n mappings nested in the root mapping.
func fmNested(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "a: b\n")
	return b.String()
}

// TestFrontMatterCases checks each supported construct against yaml.v3 and
// that the fast reader refuses each unsupported one.
func TestFrontMatterCases(t *testing.T) {
	for _, c := range frontMatterCases {
		t.Run(c.name, func(t *testing.T) {
			why := checkFrontMatter(t, c.name, []byte(c.src))
			if ok := why == ""; ok != c.ok {
				t.Fatalf("fast reader ok = %v (%s), want %v", ok, why, c.ok)
			}
			if c.ok {
				fast, _ := fastFrontMatter([]byte(c.src))
				want, _ := fmYAMLNode([]byte(c.src))
				requireSameNode(t, want, fast)
			}
		})
	}
}

// TestFrontMatterSeed checks the seed record line by line against yaml.v3.
func TestFrontMatterSeed(t *testing.T) {
	data, err := os.ReadFile(fmSeedRecordPath)
	if err != nil {
		t.Fatal(err)
	}
	front, _, _, ok := splitFrontMatter(data)
	if !ok {
		t.Fatal("no front matter")
	}
	fast, ok := fastFrontMatter(front)
	if !ok {
		_, why := fastFrontMatterWhy(front)
		t.Fatalf("fast reader refused the seed record: %s", why)
	}
	want, err := fmYAMLNode(front)
	if err != nil {
		t.Fatal(err)
	}
	requireSameNode(t, want, fast)
}

// TestFrontMatterAllocs keeps the fast reader's allocations per record flat:
// the source string and one string for all values that needed unescaping
// or folding, the slab of nodes and Content slices handed back by each
// record's release; without the release, the slab too (three more).
func TestFrontMatterAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	data, err := os.ReadFile(fmSeedRecordPath)
	if err != nil {
		t.Fatal(err)
	}
	front, _, _, _ := splitFrontMatter(data)
	parse := func() {
		_, slab, fast, err := parseFrontMatter(front)
		if err != nil || !fast {
			t.Fatal(fast, err)
		}
		slab.release()
	}
	parse()
	if n := testing.AllocsPerRun(100, parse); n > 2 {
		t.Errorf("%v allocations per record, want at most 2", n)
	}
	if n := testing.AllocsPerRun(100, func() { fastFrontMatter(front) }); n > 5 {
		t.Errorf("%v allocations per record without the release, want at most 5", n)
	}
}

const fmSeedRecordPath = "../../testdata/records/communities/chronic-care-management/curated-content/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb.md"

// TestFrontMatterDifferentialCorpora parses the front matter of every record
// of every corpus both ways and requires the same tree wherever the fast
// reader accepts it; it reports how much the fast reader handled, and what
// made it hand the rest to yaml.v3.
func TestFrontMatterDifferentialCorpora(t *testing.T) {
	for _, c := range corpustest.Corpora("../..") {
		t.Run(c.Name, func(t *testing.T) {
			files := c.Skip(t)
			fast, total := 0, 0
			reasons := map[string][]string{}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				front, _, _, ok := splitFrontMatter(data)
				if !ok {
					continue
				}
				total++
				why := checkFrontMatter(t, f, front)
				if why == "" {
					fast++
				} else {
					why, line, _ := strings.Cut(why, " @")
					reasons[why] = append(reasons[why], f+":"+line)
				}
				if !yamlSafe(front) {
					// What ParseRecord reads once it has cleaned the front matter.
					checkFrontMatter(t, f+" (cleaned)", cleanFrontMatter(front))
				}
			}
			t.Logf("%s: fast reader handled %d of %d front matters (%.1f%%)", c.Dir, fast, total, 100*float64(fast)/float64(max(total, 1)))
			whys := make([]string, 0, len(reasons))
			for why := range reasons {
				whys = append(whys, why)
			}
			sort.Slice(whys, func(i, j int) bool { return len(reasons[whys[i]]) > len(reasons[whys[j]]) })
			for _, why := range whys {
				rel, _ := filepath.Rel(c.Dir, reasons[why][0])
				t.Logf("  handed to yaml.v3: %4d × %s (e.g. %s)", len(reasons[why]), why, rel)
			}
		})
	}
}

// FuzzFrontMatter requires that whatever the fast reader accepts, yaml.v3
// accepts too and reads into the same tree, and that parseFrontMatter never
// panics and always gives what yaml.v3 gives. (The root package's FuzzFields
// checks the record's fields read from it.)
func FuzzFrontMatter(f *testing.F) {
	for _, c := range frontMatterCases {
		f.Add([]byte(c.src))
	}
	_ = filepath.WalkDir("../../testdata/records", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			if data, err := os.ReadFile(p); err == nil {
				if front, _, _, ok := splitFrontMatter(data); ok {
					f.Add(front)
				}
			}
		}
		return nil
	})
	g := &frontMatterGen{state: 11}
	for range 40 {
		f.Add([]byte(g.doc()))
	}
	f.Fuzz(func(t *testing.T, front []byte) {
		checkFrontMatter(t, "fuzz input", front)
		if got, want := yamlSafe(front), yamlSafeReference(front); got != want {
			t.Fatalf("yamlSafe(%q) = %v, the reference says %v", front, got, want)
		}
	})
}

// BenchmarkFrontMatter compares yaml.v3 and the fast reader on the seed
// record and on 200 records of the generated corpus named by
// CURAFEED_GENERATED_CORPUS.
func BenchmarkFrontMatter(b *testing.B) {
	inputs := []struct {
		name   string
		fronts [][]byte
	}{}
	if data, err := os.ReadFile(fmSeedRecordPath); err == nil {
		front, _, _, _ := splitFrontMatter(data)
		inputs = append(inputs, struct {
			name   string
			fronts [][]byte
		}{"seed", [][]byte{front}})
	}
	if dir := os.Getenv("CURAFEED_GENERATED_CORPUS"); dir != "" {
		var fronts [][]byte
		for _, f := range corpustest.RecordFiles(b, dir) {
			if len(fronts) == 200 {
				break
			}
			if data, err := os.ReadFile(f); err == nil {
				if front, _, _, ok := splitFrontMatter(data); ok {
					fronts = append(fronts, front)
				}
			}
		}
		inputs = append(inputs, struct {
			name   string
			fronts [][]byte
		}{"generated200", fronts})
	}
	for _, in := range inputs {
		size := 0
		for _, f := range in.fronts {
			size += len(f)
		}
		b.Run(in.name+"/yaml.v3", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, f := range in.fronts {
					var n yaml.Node
					if err := yaml.Unmarshal(f, &n); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(in.name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, f := range in.fronts {
					_, slab, _, err := parseFrontMatter(f)
					if err != nil {
						b.Fatal(err)
					}
					slab.release() // as a record's parse does

				}
			}
		})
	}
}

// TestFrontMatterResolve checks the fast reader's tags against yaml.v3 on
// many plain scalars built from the characters of numbers, dates and the
// words yaml.v3 gives meaning to.
func TestFrontMatterResolve(t *testing.T) {
	parts := []string{"0", "1", "7", "9", "2020", "-", "+", ".", "_", "e", "E", "x", "X", "o", "O", "b", "B",
		"f", "a", "inf", "nan", "true", "null", "~", ":", "T", "t", " ", "Z", "12", "0x", "0o", "0b", "<<", "y", "n"}
	seen := map[string]bool{}
	state := uint64(1)
	rnd := func(n int) int {
		state = state*6364136223846793005 + 1442695040888963407
		return int(state>>33) % n
	}
	for range 40000 {
		var b strings.Builder
		for k := 1 + rnd(5); k > 0; k-- {
			b.WriteString(parts[rnd(len(parts))])
		}
		s := b.String()
		if seen[s] {
			continue
		}
		seen[s] = true
		checkFrontMatter(t, strconv.Quote(s), []byte("a: "+s+"\n"))
	}
	for _, s := range []string{"2001-12-14 21:59:43.10 -5", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "1_2", "0b1_0", "-0b-1", "0b-1", "0o-7", "+0x1", "-0x_1", "1e", "1e+", "._1", ".1_0", "0.", "+.5", "-.", "9223372036854775808", "-9223372036854775809", "0x8000000000000000", "0b" + strings.Repeat("1", 64), "0o1777777777777777777777"} {
		checkFrontMatter(t, strconv.Quote(s), []byte("a: "+s+"\n"))
	}
}

// frontMatterGen writes random front matters: mostly well-formed documents
// of the supported subset (every value style, nesting, indentless and
// indented sequences, compact mappings, continuation and blank lines, block
// scalars, CRLF), some of them then damaged by one inserted or deleted byte.
type frontMatterGen struct {
	state uint64
	b     strings.Builder
	eol   string
}

func (g *frontMatterGen) intn(n int) int {
	g.state = g.state*6364136223846793005 + 1442695040888963407
	return int(g.state>>33) % n
}

func (g *frontMatterGen) pick(xs []string) string { return xs[g.intn(len(xs))] }

var (
	fmGenKeys  = []string{"a", "b", "c", "title", "id", "og:x", "a.b", "k-2", "x_y", "1", "true", "null", "'q'", "\"d\"", "'a b'", "''"}
	fmGenPlain = []string{"x", "word", "two words", "3502", "-7", "+1", "0x1F", "0o17", "017", "09", "1_000", "1.5", ".5", "1e3", ".inf", "-.Inf", ".nan",
		"true", "False", "yes", "No", "~", "null", "2020-01-02", "2020-01-02 03:04:05", "2020-01-02T03:04:05Z", "2021-02-30", "-x", "a:b", "C#", "x#y",
		"é—“”", "https://x.org/a?b=c#d", "<<", "---", "a  b", "x'y", "x\"y", "[x", "x]", "{x}", "a,b", "%", "x @y", "x `y`"}
	fmGenQuoted = []string{"''", "'x'", "'it''s'", "' sp '", "'a: #b'", "'2020-01-02'", "'1'", "'é'", "\"\"", "\"x\"", "\"\\u00e9\\x41\\\\\"",
		"\"\\\"q\\\"\"", "\"a\\tb\\n\"", "\"\\U0001F600\\_\\N\\L\"", "\"\\ x\"", "\"#\"", "\"a: b\""}
)

func (g *frontMatterGen) line(indent int, text string) {
	g.b.WriteString(strings.Repeat(" ", indent))
	g.b.WriteString(text)
	if g.intn(10) == 0 {
		g.b.WriteString(g.pick([]string{" ", "  "}))
	}
	g.b.WriteString(g.eol)
	if g.intn(12) == 0 {
		g.b.WriteString(g.pick([]string{"", " ", "   "}) + g.eol)
	}
}

// scalar writes a scalar value after head (a key and ':' or a '-'): one line
// or several; col is the column of the entries of the enclosing collection.
func (g *frontMatterGen) scalar(indent, col int, head string) {
	switch g.intn(8) {
	case 0, 1, 2:
		g.line(indent, head+" "+g.pick(fmGenPlain))
	case 3:
		g.line(indent, head+" "+g.pick(fmGenQuoted))
	case 4: // folded plain
		g.line(indent, head+" "+g.pick(fmGenPlain))
		for k := g.intn(3); k >= 0; k-- {
			if g.intn(4) == 0 {
				g.b.WriteString(g.eol)
			}
			g.line(col+1+g.intn(4), g.pick(fmGenPlain))
		}
	case 5: // quoted over several lines
		q := g.pick([]string{"'", "\""})
		g.line(indent, head+" "+q+g.pick(fmGenPlain))
		for k := g.intn(3); k > 0; k-- {
			w := g.pick(fmGenPlain)
			if q == "\"" && g.intn(2) == 0 {
				w = g.pick([]string{"\\", "\\ x", "\\u201C"}) + w
			}
			g.line(g.intn(col+4), w)
		}
		g.line(g.intn(col+4), g.pick(fmGenPlain)+q)
	case 6: // block scalar
		g.line(indent, head+" "+g.pick([]string{"|", ">", "|-", ">-", "|+", ">+"}))
		in := col + 1 + g.intn(3)
		for k := 1 + g.intn(4); k > 0; k-- {
			switch g.intn(5) {
			case 0:
				g.b.WriteString(g.pick([]string{"", " ", strings.Repeat(" ", in)}) + g.eol)
			case 1:
				g.line(in+1+g.intn(2), g.pick(fmGenPlain))
			default:
				g.line(in, g.pick(fmGenPlain))
			}
		}
	case 7:
		g.line(indent, head+g.pick([]string{"", " []", " {}"}))
	}
}

// mapping writes a block mapping in column col; the first key goes after
// head on the current line when head is not "".
func (g *frontMatterGen) mapping(col, depth int, head string) {
	keys := map[string]bool{}
	for k := 1 + g.intn(4); k > 0; k-- {
		key := g.pick(fmGenKeys)
		if keys[key] && g.intn(8) != 0 {
			continue
		}
		keys[key] = true
		indent, prefix := col, key+":"
		if head != "" {
			indent, prefix, head = col-len(head), head+key+":", ""
		}
		g.value(indent, col, depth, prefix, true)
	}
}

// value writes the value of a mapping key or a sequence entry.
func (g *frontMatterGen) value(indent, col, depth int, head string, inMap bool) {
	switch n := g.intn(10); {
	case n < 6 || depth > 3:
		g.scalar(indent, col, head)
	case n == 6 && inMap:
		g.line(indent, head)
		g.mapping(col+1+g.intn(3), depth+1, "")
	case n == 7 && inMap:
		g.line(indent, head)
		g.sequence(col+g.intn(3), depth+1)
	case n == 8 && !inMap:
		g.mapping(indent+len(head)+1, depth+1, head+" ")
	default:
		g.line(indent, head)
	}
}

// sequence writes a block sequence whose '-' are in column col.
func (g *frontMatterGen) sequence(col, depth int) {
	for k := 1 + g.intn(4); k > 0; k-- {
		g.value(col, col, depth, "-", false)
	}
}

// doc returns a random front matter.
func (g *frontMatterGen) doc() string {
	g.b.Reset()
	g.eol = "\n"
	if g.intn(8) == 0 {
		g.eol = "\r\n"
	}
	if g.intn(6) == 0 {
		g.b.WriteString(g.eol)
	}
	g.mapping(g.intn(4)/3, 0, "")
	s := g.b.String()
	switch g.intn(6) {
	case 0: // damage: insert a byte
		i := g.intn(len(s) + 1)
		s = s[:i] + g.pick([]string{" ", "#", ":", "\n", "-", "'", "\"", "\\", "\t", "x", "[", "&", "|", "\r"}) + s[i:]
	case 1: // damage: delete a byte
		if i := g.intn(len(s)); len(s) > 0 {
			s = s[:i] + s[i+1:]
		}
	case 2:
		s = strings.TrimRight(s, "\r\n")
	}
	return s
}

// TestFrontMatterGenerated checks many random front matters against yaml.v3
// (CURAFEED_FRONTMATTER_DOCS sets how many).
func TestFrontMatterGenerated(t *testing.T) {
	n := 20000
	if s := os.Getenv("CURAFEED_FRONTMATTER_DOCS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	g := &frontMatterGen{state: 7}
	fast := 0
	for range n {
		if checkFrontMatter(t, "generated", []byte(g.doc())) == "" {
			fast++
		}
	}
	t.Logf("fast reader handled %d of %d generated front matters", fast, n)
}

// yamlSafeReference is yamlSafe a byte at a time, as it was written first.
func yamlSafeReference(front []byte) bool {
	for i := 0; i < len(front); {
		c := front[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(front[i:])
		if r == utf8.RuneError && n == 1 || r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}

// TestYAMLSafe requires yamlSafe, which reads eight bytes at a time where it
// can, to answer as the byte-at-a-time reference does for every edge at
// every offset of a word.
func TestYAMLSafe(t *testing.T) {
	edges := []string{
		"", "a", "title: x", "\t", "\n", "\r", "\x00", "\x1f", " ", "~", "\x7f", "\u0080", "\u0085", "\u009f",
		"\u00a0", "é", "\u2028", "\u2029", "\ufffe", "\uffff", "\ufffd", "\xff", "\xc3", "\U0001F600",
	}
	n := 0
	for _, e := range edges {
		for pad := range 17 {
			lead := strings.Repeat("k", pad)
			for _, s := range []string{lead + e, lead + e + "title: plain words here\n", "key: " + lead + "\n" + e + lead} {
				if got, want := yamlSafe([]byte(s)), yamlSafeReference([]byte(s)); got != want {
					t.Fatalf("yamlSafe(%q) = %v, the reference says %v", s, got, want)
				}
				if !yamlSafeReference([]byte(s)) {
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no edge is unsafe")
	}
}
