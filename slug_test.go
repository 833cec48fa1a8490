package curafeed

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var slugifyTests = []struct{ in, want string }{
	{"Santé", "sante"},
	{"Gartner: Cybersecurity", "gartner-cybersecurity"},
	{"gartner:  cybersecurity", "gartner-cybersecurity"},
	{"Frost & Sullivan: TeleHealth", "frost-sullivan-telehealth"},
	{"#COVID19", "covid19"},
	{"Symplur: -hash-COVID19", "symplur-hash-covid19"},
	{"Chronic Care Management (CCM)", "chronic-care-management-ccm"},
	{"Becker's Hospital Review", "beckers-hospital-review"},
	{"Becker’s", "beckers"},
	{"Straße Ærø Łódź", "strasse-aero-lodz"},
	{"ﬁnance ①", "finance-1"},
	{"--Already-slugged--", "already-slugged"},
	{"../../etc/passwd", "etc-passwd"},
	{"communities/../evil", "communities-evil"},
	{"..", ""},
	{"/", ""},
	{"a/b\\c", "a-b-c"},
	{"....//....//x", "x"},
	{"", ""},
	{"\u00a0medigy\u00a0 ", "medigy"},
}

func TestSlugify(t *testing.T) {
	for _, tt := range slugifyTests {
		t.Run(tt.in, func(t *testing.T) {
			got := Slugify(tt.in)
			assert.Equal(t, tt.want, got)
			checkSlug(t, tt.in, got)
		})
	}
}

// slugPattern is what a slug is made of: lower-case ASCII letters and
// digits in groups joined by single '-'.
var slugPattern = regexp.MustCompile(`^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$`)

// windowsReserved matches the names Windows reserves for devices, whatever
// their case and extension.
var windowsReserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$`)

// hasName reports whether s has a letter, a number or a symbol such as an
// emoji: something a slug must stand for.
func hasName(s string) bool {
	for _, r := range s {
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.So, r)) {
			return true
		}
	}
	return false
}

// checkSlug checks the properties of a slug made from in: a safe path
// segment on every file system (valid characters, at most maxSlugBytes
// bytes, not ".", "..", a device name, nor ending in a dot or space), empty
// only when in names nothing, and a fixed point of Slugify.
func checkSlug(t *testing.T, in, got string) {
	t.Helper()
	if !slugPattern.MatchString(got) {
		t.Fatalf("Slugify(%.80q) = %.120q: not letters, digits and single dashes", in, got)
	}
	if len(got) > maxSlugBytes {
		t.Fatalf("Slugify(%.80q) = %.120q: %d bytes, over %d", in, got, len(got), maxSlugBytes)
	}
	if windowsReserved.MatchString(got) || got == "." || got == ".." || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
		t.Fatalf("Slugify(%.80q) = %.120q: not a safe file name", in, got)
	}
	if got == "" && hasName(in) {
		t.Fatalf("Slugify(%.80q) is empty, but the name has letters, digits or symbols", in)
	}
	if again := Slugify(got); again != got {
		t.Fatalf("Slugify(%.80q) = %.120q is not a fixed point: %.120q", in, got, again)
	}
}

// TestSlugifyHostile checks the slug properties over names meant to break
// paths, and that distinct names keep distinct slugs while spellings of one
// name (NFC and NFD, case) share one.
func TestSlugifyHostile(t *testing.T) {
	long := strings.Repeat("Population Health ", 300) // 5400 bytes
	longCJK := strings.Repeat("健康管理", 400)
	tests := []struct {
		name, in string
		group    string // names in one group must share a slug; different groups must not
	}{
		{"long", long + "A", "long-a"},
		{"long differing at the end", long + "B", "long-b"},
		{"long differing in the middle only", strings.Repeat("x", 150) + "Q" + strings.Repeat("x", 150), "long-q"},
		{"long same middle", strings.Repeat("x", 150) + "R" + strings.Repeat("x", 150), "long-r"},
		{"long one word", strings.Repeat("a", 5000), "long-word"},
		{"long CJK", longCJK, "long-cjk"},
		{"long CJK differing at the end", longCJK + "病", "long-cjk-2"},
		{"dot", ".", ""},
		{"dot dot", "..", ""},
		{"CON", "CON", "con"},
		{"con", "con", "con"},
		{"con.txt", "con.txt", "con-txt"},
		{"Nul.md", "Nul.md", "nul-md"},
		{"NUL", "nul", "nul"},
		{"AUX", "AUX", "aux"},
		{"PRN", "prn", "prn"},
		{"COM1", "COM1", "com1"},
		{"com9", "com9", "com9"},
		{"COM superscript", "COM¹", "com1"},
		{"LPT9 dot", "LPT9.", "lpt9"},
		{"lpt3", "lpt3", "lpt3"},
		{"CONIN$", "CONIN$", "conin"},
		{"trailing dot", "report.", "report"},
		{"trailing space", "report ", "report"},
		{"empty", "", ""},
		{"spaces", "   ", ""},
		{"all emoji", "🦠💉🏥", "emoji-1"},
		{"other emoji", "🧬🩺", "emoji-2"},
		{"all CJK", "健康", "cjk-1"},
		{"other CJK", "中文", "cjk-2"},
		{"Cyrillic", "Здоровье", "cyrillic"},
		{"Arabic", "الصحة", "arabic"},
		{"NFC", "Caf\u00e9 Society", "cafe"},
		{"NFD", "Cafe\u0301 Society", "cafe"},
		{"slash", "a/b", "a-b"},
		{"backslash", `a\b`, "a-b"},
		{"climb", "../../../../tmp/x", "tmp-x"},
		{"controls", "a\x00b\x1fc\u0085", "abc"},
		{"invalid UTF-8", "a\xffb", "a-b"},
		{"bidi", "a\u202eb", "ab"},
	}
	seen := map[string]string{} // slug → group
	for _, tt := range tests {
		got := Slugify(tt.in)
		t.Run(tt.name, func(t *testing.T) { checkSlug(t, tt.in, got) })
		if got == "" {
			continue
		}
		if g, ok := seen[got]; ok && g != tt.group && tt.group != "" {
			t.Errorf("Slugify(%.40q) = %q, the slug of another name (group %s)", tt.in, got, g)
		}
		seen[got] = tt.group
	}
	groups := map[string]string{}
	for _, tt := range tests {
		if tt.group == "" {
			continue
		}
		got := Slugify(tt.in)
		if s, ok := groups[tt.group]; ok && s != got {
			t.Errorf("group %s: %q and %q", tt.group, s, got)
		}
		groups[tt.group] = got
	}
}

// FuzzSlugify checks the slug properties on any input, and that two names
// that differ only in their last word keep distinct slugs however long they
// are.
func FuzzSlugify(f *testing.F) {
	for _, tt := range slugifyTests {
		f.Add(tt.in)
	}
	for _, s := range []string{"CON", "lpt9.", "健康", "🦠", strings.Repeat("ab ", 60), "com¹", "Cafe\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSlug(t, in, Slugify(in))
		a, b := Slugify(in+" 1"), Slugify(in+" 2")
		if a == b {
			t.Fatalf("%q and %q share the slug %q", in+" 1", in+" 2", a)
		}
	})
}

// TestBuildCommunityFromCode checks that items made in code cannot name a
// path outside the output folder, whatever their community slug and topics.
func TestBuildCommunityFromCode(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "a", "b", "c", "d", "out")
	require.NoError(t, os.MkdirAll(out, 0o755))
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var items []*Item
	for i, slug := range []string{"../../../../tmp/x", "../../../../escape", "..", ".", "/abs", `..\..\win`, "CON", strings.Repeat("z", 300), ""} {
		items = append(items, &Item{
			ID: "urn:uuid:00000000-0000-4000-8000-00000000000" + string(rune('0'+i)), Path: "code.md",
			Title: "From code", Published: day.Add(time.Duration(i) * time.Hour), Updated: day.Add(time.Duration(i) * time.Hour),
			Community: Community{Slug: slug, Name: "Evil"},
			Topics:    []Topic{{Key: "x:" + slug, Term: slug}},
		})
	}
	cat, err := Build(items, Config{SiteURL: "https://example.org"})
	require.NoError(t, err)
	for _, f := range cat.Feeds {
		for _, seg := range strings.Split(f.Path, "/") {
			checkSlug(t, f.Path, seg)
			require.NotEmpty(t, seg, f.Path)
		}
	}
	_, err = cat.WriteDir(out)
	require.NoError(t, err)
	err = filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			require.False(t, strings.HasPrefix(rel, ".."), "written outside the output folder: %s", p)
		}
		return nil
	})
	require.NoError(t, err)
}

// TestHostileBuildRecords builds the hostile records of paths and names
// (testdata/hostile/build-*.md): every record with a date in the past is
// published, every feed path is made of safe slugs, and the two spellings
// (NFC and NFD) of a community share one feed.
func TestHostileBuildRecords(t *testing.T) {
	cfg := Config{SiteURL: "https://community.example.org", Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	recs, err := Load(os.DirFS("testdata/hostile"), cfg)
	require.NoError(t, err)
	markers := map[string]bool{}
	for _, it := range recs.Items {
		markers[it.Title] = true
	}
	for _, m := range []string{"LONG-TOPIC", "LONG-TOPIC-TWIN", "LONG-COMMUNITY", "RESERVED", "DOTDOT", "NFC", "NFD", "CJK", "ALIAS-SHORT", "ALIAS-LONG"} {
		assert.True(t, markers["HOSTILE-BUILD-"+m+"-MARKER"], "%s is not published", m)
	}
	assert.False(t, markers["HOSTILE-BUILD-FUTURE-MARKER"], "a scheduled record is published")
	for _, e := range recs.Errors {
		assert.NotContains(t, e.Path, "build-", "a hostile name costs no record: %v", e)
	}
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	var nfc, nfd string
	for _, f := range cat.Feeds {
		for _, d := range f.Documents() {
			for _, seg := range strings.Split(d.Path, "/") {
				checkSlug(t, d.Path, seg)
				require.NotEmpty(t, seg, d.Path)
			}
		}
		if f.kind != kindCommunity {
			continue
		}
		for _, it := range f.Items {
			switch it.Title {
			case "HOSTILE-BUILD-NFC-MARKER":
				nfc = f.Path
			case "HOSTILE-BUILD-NFD-MARKER":
				nfd = f.Path
			}
		}
	}
	assert.Equal(t, "communities/sante-publique", nfc)
	assert.Equal(t, nfc, nfd, "NFC and NFD spellings of one community")
	topics := map[string]bool{}
	for _, f := range cat.Feeds {
		if f.kind == kindTopic && strings.HasPrefix(f.Topic.Label(), "Medigy: Population Health") {
			topics[f.Path] = true
		}
	}
	assert.Len(t, topics, 2, "two long topics that differ at the end keep two feeds")

	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	_, _, err = BuildDir(os.DirFS("testdata/hostile"), cfg, out)
	require.NoError(t, err)
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing beside the output folder")
}
