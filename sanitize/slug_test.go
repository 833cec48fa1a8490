package sanitize

import (
	"strings"
	"testing"

	"github.com/curafeed/curafeed/internal/sanitizetest"
	"github.com/stretchr/testify/assert"
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
			got := Slug(tt.in)
			assert.Equal(t, tt.want, got)
			sanitizetest.CheckSlug(t, Slug, tt.in, got)
		})
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
		got := Slug(tt.in)
		t.Run(tt.name, func(t *testing.T) { sanitizetest.CheckSlug(t, Slug, tt.in, got) })
		if got == "" {
			continue
		}
		if g, ok := seen[got]; ok && g != tt.group && tt.group != "" {
			t.Errorf("Slug(%.40q) = %q, the slug of another name (group %s)", tt.in, got, g)
		}
		seen[got] = tt.group
	}
	groups := map[string]string{}
	for _, tt := range tests {
		if tt.group == "" {
			continue
		}
		got := Slug(tt.in)
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
		sanitizetest.CheckSlug(t, Slug, in, Slug(in))
		a, b := Slug(in+" 1"), Slug(in+" 2")
		if a == b {
			t.Fatalf("%q and %q share the slug %q", in+" 1", in+" 2", a)
		}
	})
}
