package curafeed

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// refList is a field that holds a list of strings or one string, as a
// yaml.v3 user would write it: a sequence decodes into []string, anything
// else into a string.
type refList []string

func (l *refList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var v []string
		err := n.Decode(&v)
		*l = v
		return err
	}
	var s string
	err := n.Decode(&s)
	if err == nil && s != "" {
		*l = refList{s}
	}
	return err
}

// refImage is featuredImage: a mapping of fields, or a string.
type refImage struct {
	isMap bool
	refImageFields
}

type refImageFields struct {
	Href     string  `yaml:"href"`
	Valid    *bool   `yaml:"valid"`
	MimeType string  `yaml:"mime_type"`
	Format   string  `yaml:"format"`
	Alt      string  `yaml:"alt"`
	Size     refList `yaml:"size"`
}

func (v *refImage) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		v.isMap = true
		return n.Decode(&v.refImageFields)
	}
	var s string
	return n.Decode(&s)
}

// refFields is every field curafeed reads, typed, for yaml.Unmarshal.
type refFields struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Date        string `yaml:"date"`
	LastMod     string `yaml:"lastMod"`
	ID          string `yaml:"id"`
	MDName      string `yaml:"mdName"`
	Slug        string `yaml:"slug"`
	BasePath    string `yaml:"basePath"`
	Type        string `yaml:"type"`
	OGURL       string `yaml:"ogUrl"`
	Link        struct {
		Href     refList `yaml:"href"`
		Original refList `yaml:"original"`
		Brand    string  `yaml:"brand"`
	} `yaml:"link"`
	OpenProject struct {
		CleanURL     refList `yaml:"cleanUrl"`
		SourceURL    refList `yaml:"sourceUrl"`
		MedigyTopics refList `yaml:"medigyTopics"`
	} `yaml:"openProjectCustomFields"`
	Herf                   refList  `yaml:"herf"`
	Href                   refList  `yaml:"href"`
	Original               refList  `yaml:"original"`
	CleanURL               refList  `yaml:"cleanUrl"`
	SourceURL              refList  `yaml:"sourceUrl"`
	Brand                  string   `yaml:"brand"`
	Identifier             string   `yaml:"identifier"`
	MastHead               string   `yaml:"mastHead"`
	Topics                 refList  `yaml:"communityTopics"`
	Tags                   refList  `yaml:"tags"`
	Categories             refList  `yaml:"categories"`
	CategoriesCap          refList  `yaml:"Categories"`
	Author                 refList  `yaml:"author"`
	Authors                refList  `yaml:"authors"`
	FeaturedImage          refImage `yaml:"featuredImage"`
	Status                 string   `yaml:"status"`
	Draft                  bool     `yaml:"draft"`
	Archetype              string   `yaml:"archetype"`
	ArcheType              string   `yaml:"archeType"`
	Aliases                refList  `yaml:"aliases"`
	Breadcrumbs            refList  `yaml:"breadcrumbs"`
	BreadcrumbLinks        refList  `yaml:"breadcrumbLinks"`
	ContentCategories      refList  `yaml:"contentCategories"`
	ContentCategoriesLower refList  `yaml:"contentcategories"`
	WorkPackageType        string   `yaml:"openProjectWorkPackageType"`
	OwlType                string   `yaml:"owlType"`
	SearchCategory         string   `yaml:"searchCategory"`
	Source                 string   `yaml:"source"`
	Sub                    string   `yaml:"sub"`
}

// fieldValues lists the values of every field by name, lists as []string
// (never nil), featuredImage.valid as "", "true" or "false".
type fieldValues map[string]any

func lst(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func (r *refFields) values() fieldValues {
	valid := ""
	if r.FeaturedImage.Valid != nil {
		valid = fmt.Sprint(*r.FeaturedImage.Valid)
	}
	return fieldValues{
		"title": r.Title, "description": r.Description, "date": r.Date, "lastMod": r.LastMod,
		"id": r.ID, "mdName": r.MDName, "slug": r.Slug, "basePath": r.BasePath, "type": r.Type, "ogUrl": r.OGURL,
		"link.href": lst(r.Link.Href), "link.original": lst(r.Link.Original), "link.brand": r.Link.Brand,
		"openProjectCustomFields.cleanUrl": lst(r.OpenProject.CleanURL), "openProjectCustomFields.sourceUrl": lst(r.OpenProject.SourceURL),
		"openProjectCustomFields.medigyTopics": lst(r.OpenProject.MedigyTopics),
		"herf":                                 lst(r.Herf), "href": lst(r.Href), "original": lst(r.Original), "cleanUrl": lst(r.CleanURL), "sourceUrl": lst(r.SourceURL),
		"brand": r.Brand, "identifier": r.Identifier, "mastHead": r.MastHead,
		"communityTopics": lst(r.Topics), "tags": lst(r.Tags), "categories": lst(r.Categories), "Categories": lst(r.CategoriesCap),
		"author": lst(r.Author), "authors": lst(r.Authors),
		"featuredImage": r.FeaturedImage.isMap, "featuredImage.href": r.FeaturedImage.Href, "featuredImage.valid": valid,
		"featuredImage.mime_type": r.FeaturedImage.MimeType, "featuredImage.format": r.FeaturedImage.Format,
		"featuredImage.alt": r.FeaturedImage.Alt, "featuredImage.size": lst(r.FeaturedImage.Size),
		"status": r.Status, "draft": r.Draft, "archetype": r.Archetype, "archeType": r.ArcheType,
		"aliases": lst(r.Aliases), "breadcrumbs": lst(r.Breadcrumbs), "breadcrumbLinks": lst(r.BreadcrumbLinks),
		"contentCategories": lst(r.ContentCategories), "contentcategories": lst(r.ContentCategoriesLower),
		"openProjectWorkPackageType": r.WorkPackageType, "owlType": r.OwlType, "searchCategory": r.SearchCategory,
		"source": r.Source, "sub": r.Sub,
	}
}

func (f *recordFields) values() fieldValues {
	valid := ""
	if f.FeaturedImage.f.Valid.node != nil {
		valid = fmt.Sprint(f.FeaturedImage.f.Valid.b)
	}
	img := &f.FeaturedImage.f
	return fieldValues{
		"title": f.Title.s, "description": f.Description.s, "date": f.Date.s, "lastMod": f.LastMod.s,
		"id": f.ID.s, "mdName": f.MDName.s, "slug": f.Slug.s, "basePath": f.BasePath.s, "type": f.Type.s, "ogUrl": f.OGURL.s,
		"link.href": lst(f.Link.f.Href.list), "link.original": lst(f.Link.f.Original.list), "link.brand": f.Link.f.Brand.s,
		"openProjectCustomFields.cleanUrl": lst(f.OpenProject.f.CleanURL.list), "openProjectCustomFields.sourceUrl": lst(f.OpenProject.f.SourceURL.list),
		"openProjectCustomFields.medigyTopics": lst(f.OpenProject.f.MedigyTopics.list),
		"herf":                                 lst(f.Herf.list), "href": lst(f.Href.list), "original": lst(f.Original.list), "cleanUrl": lst(f.CleanURL.list), "sourceUrl": lst(f.SourceURL.list),
		"brand": f.Brand.s, "identifier": f.Identifier.s, "mastHead": f.MastHead.s,
		"communityTopics": lst(f.Topics.list), "tags": lst(f.Tags.list), "categories": lst(f.Categories.list), "Categories": lst(f.CategoriesCap.list),
		"author": lst(f.Author.list), "authors": lst(f.Authors.list),
		"featuredImage": f.FeaturedImage.isMap, "featuredImage.href": img.Href.s, "featuredImage.valid": valid,
		"featuredImage.mime_type": img.MimeType.s, "featuredImage.format": img.Format.s,
		"featuredImage.alt": img.Alt.s, "featuredImage.size": lst(img.Size.list),
		"status": f.Status.s, "draft": f.Draft.b, "archetype": f.Archetype.s, "archeType": f.ArcheType.s,
		"aliases": lst(f.Aliases.list), "breadcrumbs": lst(f.Breadcrumbs.list), "breadcrumbLinks": lst(f.BreadcrumbLinks.list),
		"contentCategories": lst(f.ContentCategories.list), "contentcategories": lst(f.ContentCategoriesLower.list),
		"openProjectWorkPackageType": f.WorkPackageType.s, "owlType": f.OwlType.s, "searchCategory": f.SearchCategory.s,
		"source": f.Source.s, "sub": f.Sub.s,
	}
}

// refDecode is what yaml.v3 makes of front: the typed fields, or why the
// record must be rejected.
func refDecode(front []byte) (r *refFields, why string) {
	defer func() {
		if e := recover(); e != nil {
			r, why = nil, fmt.Sprint("yaml.v3 panicked: ", e)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, err.Error()
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, "not a mapping" // curafeed's own rule: a record is a mapping of fields
	}
	r = new(refFields)
	if err := yaml.Unmarshal(front, r); err != nil {
		return nil, err.Error()
	}
	var generic any
	if err := yaml.Unmarshal(front, &generic); err != nil && strings.Contains(err.Error(), "excessive aliasing") {
		return nil, err.Error()
	}
	for name, v := range r.values() {
		switch v := v.(type) {
		case string:
			if !utf8.ValidString(v) {
				return nil, name + " is not UTF-8" // curafeed's own rule: text is text
			}
		case []string:
			for _, s := range v {
				if !utf8.ValidString(s) {
					return nil, name + " is not UTF-8"
				}
			}
		}
	}
	return r, ""
}

// checkFields requires that the fields curafeed resolves from front are
// those yaml.v3 decodes into a typed struct, field by field, or that both
// reject it; curafeed's rejection must name the file. front is read as the
// front matter of a record file, up to a --- or ... line it may hold.
func checkFields(t testing.TB, name string, front []byte) {
	t.Helper()
	checkRecordFields(t, name, slices.Concat([]byte("---\n"), front, []byte("\n---\n")))
}

// checkRecordFields is checkFields for the front matter of the record file
// data, which must have one.
func checkRecordFields(t testing.TB, name string, data []byte) {
	t.Helper()
	p := &parser{name: "f.md"}
	doc, err := p.read(data)
	if doc.Line == 0 {
		t.Fatalf("%s: no front matter (%v)", name, err)
	}
	var got *recordFields
	if err == nil {
		got, err = p.fields(doc)
	}
	front := doc.Front // what curafeed reads: cleaned, with a warning, of what YAML refuses
	want, why := refDecode(front)
	switch {
	case want == nil && got != nil:
		t.Fatalf("%s: curafeed accepted what yaml.v3 rejects (%s):\n%s", name, why, front)
	case want != nil && got == nil:
		t.Fatalf("%s: curafeed rejected (%v) what yaml.v3 accepts:\n%s", name, err, front)
	case want == nil:
		var re *RecordError
		if !errors.As(err, &re) || re.Path != "f.md" || re.Field == "" {
			t.Fatalf("%s: the error does not name the file and the field: %#v", name, err)
		}
		return
	}
	w, g := want.values(), got.values()
	for k, wv := range w {
		if !assert.ObjectsAreEqual(wv, g[k]) {
			t.Fatalf("%s: %s: yaml.v3 %#v, curafeed %#v\n%s", name, k, wv, g[k], front)
		}
	}
}

// fieldCases are front matters whose fields resolve in ways yaml.v3 has
// rules for.
var fieldCases = []struct{ name, src string }{
	{"plain", "title: T\ndate: 2021-01-01\nstatus: ''\ndraft: false\n"},
	{"merge alias", "base: &b {status: draft, description: merged}\n<<: *b\ntitle: T\n"},
	{"merge mapping", "<<: {status: withdrawn}\ntitle: T\n"},
	{"merge list", "a: &a {status: a}\nb: &b {status: b, sub: s}\n<<: [*a, *b]\ntitle: T\n"},
	{"merge explicit wins before", "status: ok\n<<: {status: draft}\ntitle: T\n"},
	{"merge explicit wins after", "<<: {status: draft}\nstatus: ok\ntitle: T\n"},
	{"merge nested", "l: &l {href: 'https://a.example/'}\nlink:\n  <<: *l\n  brand: b\ntitle: T\n"},
	{"merge into nested from top", "<<: {link: {brand: merged}}\nlink: {href: x}\n"},
	{"merge of a scalar", "<<: draft\ntitle: T\n"},
	{"merge of a list of scalars", "<<: [a, b]\ntitle: T\n"},
	{"two merges", "<<: {a: 1}\n<<: {status: draft}\ntitle: T\n"},
	{"merge of itself", "m: &m\n  status: draft\n  <<: *m\n<<: *m\n"},
	{"duplicate key", "title: a\ntitle: b\n"},
	{"duplicate quoted key", "status: ''\n'status': draft\n"},
	{"duplicate nested key", "link:\n  href: a\n  href: b\ntitle: T\n"},
	{"duplicate unread key", "x: 1\nx: 2\ntitle: T\n"},
	{"duplicate unread nested key", "x: {a: 1, a: 2}\ntitle: T\n"},
	{"duplicate key in an unread field of featuredImage", "featuredImage: {wpAttachment: {a: 1, a: 2}, href: x.png}\n"},
	{"case variants", "Status: draft\nSTATUS: draft\nTitle: Wrong\ntitle: T\nDraft: true\n"},
	{"nested case variants", "link: {Href: 'https://a.example/', HREF: x}\nfeaturedImage: {HREF: a.png, Valid: false}\n"},
	{"draft True", "draft: True\n"},
	{"draft TRUE", "draft: TRUE\n"},
	{"draft yes", "draft: yes\n"},
	{"draft on", "draft: on\n"},
	{"draft y", "draft: y\n"},
	{"draft No", "draft: No\n"},
	{"draft quoted yes", "draft: 'yes'\n"},
	{"draft quoted true", "draft: 'true'\n"},
	{"draft tRue", "draft: tRue\n"},
	{"draft 1", "draft: 1\n"},
	{"draft null", "draft: ~\n"},
	{"draft empty", "draft:\n"},
	{"draft list", "draft: [true]\n"},
	{"draft !!bool", "draft: !!bool true\n"},
	{"draft !!bool yes", "draft: !!bool yes\n"},
	{"draft !!str true", "draft: !!str true\n"},
	{"binary title", "title: !!binary SGVsbG8sIHdvcmxk\n"},
	{"binary not UTF-8", "title: !!binary /w==\n"},
	{"binary bad base64", "title: !!binary 'not base64!'\n"},
	{"binary in a list", "tags: [!!binary SGk=, b]\n"},
	{"null tag on text", "draft: !!null draft\n"},
	{"null tag on null", "title: !!null\nstatus: !!null ~\n"},
	{"int tag on text", "title: !!int abc\n"},
	{"int tag on int", "title: !!int 12\n"},
	{"str tag on a mapping", "title: !!str {a: b}\n"},
	{"map tag on a scalar", "title: !!map x\n"},
	{"local tag", "title: !local x\n"},
	{"float tag", "id: !!float 1e3\n"},
	{"timestamp tag on text", "date: !!timestamp soon\n"},
	{"bool tag on text", "status: !!bool maybe\n"},
	{"seq tag on a mapping", "tags: !!seq {a: b}\n"},
	{"alias as key", "a: &a title\n*a : T\n"},
	{"alias as key and the key", "a: &a title\n*a : T\ntitle: U\n"},
	{"alias of a list as key", "a: &a [x]\n*a : T\ntitle: U\n"},
	{"complex key", "? [a, b]\n: x\ntitle: T\n"},
	{"complex mapping key", "? {a: b}\n: x\ntitle: T\n"},
	{"null key", "~: x\ntitle: T\n"},
	{"int key", "1: x\n'1': y\n"},
	{"alias values", "a: &a T\ntitle: *a\ntags: &t [x, y]\ncategories: *t\n"},
	{"alias to a mapping for text", "a: &a {b: c}\ntitle: *a\n"},
	{"billion laughs unread", "a: &a [l, l, l, l, l, l, l, l, l]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\ntitle: T\n"},
	{"billion laughs in tags", "a: &a [l, l, l, l, l, l, l, l, l]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ntags: *f\n"},
	{"self-referencing anchor", "a: &a [*a]\ntags: *a\n"},
	{"list fields as one string", "tags: news\nauthor: Opsfolio Community\naliases: /a/b\n"},
	{"list with nulls", "tags: [a, ~, '', b]\n"},
	{"list with a list", "tags: [a, [b]]\n"},
	{"list with a mapping", "author: [{name: x}]\n"},
	{"text as a list", "title: [a]\n"},
	{"text as a mapping", "status: {a: b}\n"},
	{"numbers and dates as text", "title: 1.50\nid: 0x1F\ndate: 2021-01-01\nlastMod: 2021-01-01T05:06:07Z\nmdName: 1e3\n"},
	{"link as a string", "link: https://a.example/\n"},
	{"link as a list", "link: [a]\n"},
	{"image as a string", "featuredImage: /offering/1.png\n"},
	{"image as a list", "featuredImage: [a]\n"},
	{"image valid string", "featuredImage: {href: a.png, valid: 'false'}\n"},
	{"image valid no", "featuredImage: {href: a.png, valid: no}\n"},
	{"image size", "featuredImage: {href: a.png, size: [1000, 688]}\n"},
	{"medigyTopics as JSON and as a list", "openProjectCustomFields: {medigyTopics: '[\"a: b\"]'}\ncommunityTopics: ['x: y']\n"},
	{"spellings of old exports", "Categories: [a]\narcheType: k\ncontentcategories: c\ncategories: [b]\n"},
	// Block forms, which the fast reader reads itself.
	{"block list with nulls", "tags:\n- a\n-\n- ~\n- ''\n- b\ntitle: T\n"},
	{"block nested case variants", "link:\n  Href: x\n  href: 'https://a.example/'\nfeaturedImage:\n  HREF: a.png\n  valid: no\n"},
	{"block image valid quoted", "featuredImage:\n  href: a.png\n  valid: 'false'\n"},
	{"block image valid null", "featuredImage:\n  href: a.png\n  valid:\n"},
	{"block text as a list", "status:\n  - draft\n"},
	{"block list with a mapping", "author:\n  - name: x\n"},
	{"block list with an empty list", "author:\n  - []\n"},
	{"block nested nulls", "link:\nopenProjectCustomFields: ~\nfeaturedImage:\n"},
	{"block empty collections", "tags: []\nlink: {}\nfeaturedImage: {}\n"},
	{"block empty list for text", "title: []\n"},
	{"block empty mapping for a list", "tags: {}\n"},
	{"block scalar keys", "null: x\ntrue: y\n1: z\ntitle: T\n"},
	{"block quoted keys", "'title': T\n\"status\": draft\n"},
	{"block draft words", "draft: Off\n"},
	{"block draft quoted", "draft: \"on\"\n"},
	{"block draft number", "draft: 0\n"},
	{"block dates and numbers", "date: 2021-01-01\nid: 12\ntitle: 1.5e3\nmdName: .inf\nsub: 0o17\n"},
	{"block literal", "description: |\n  a\n  b\ntags:\n  - >\n    folded\n"},
	{"block nested unknown", "featuredImage:\n  wpAttachment:\n    a: 1\n  href: a.png\n  size:\n    - 1000\n    - 688\n"},
	{"empty document", "# nothing\n"},
	{"null document", "~\n"},
	{"scalar document", "just text\n"},
	{"list document", "- a\n- b\n"},
}

// TestFieldsAsYAMLv3 decodes each case both ways: curafeed's fields and
// yaml.v3 into a typed struct must agree field by field, or both reject.
func TestFieldsAsYAMLv3(t *testing.T) {
	for _, c := range fieldCases {
		t.Run(c.name, func(t *testing.T) {
			checkFields(t, c.name, []byte(c.src))
		})
	}
}

// TestFieldsErrors checks that a rejected record's error names the field
// and the line (of the file) yaml.v3 points at.
func TestFieldsErrors(t *testing.T) {
	head := "---\ntitle: T\ndate: 2021-01-01\n"
	for _, tc := range []struct {
		name, src   string
		line        int
		field, text string
	}{
		{"duplicate key", "status: ''\nstatus: draft\n", 5, "status", `mapping key "status" already defined at line 4`},
		{"duplicate nested key", "link:\n  href: a\n  href: b\n", 6, "link", `mapping key "href" already defined at line 5`},
		{"string into bool", "draft: 'true'\n", 4, "draft", "cannot unmarshal !!str `true` into bool"},
		{"int into bool", "x: 1\ndraft: 1\n", 5, "draft", "cannot unmarshal !!int `1` into bool"},
		{"list into text", "status: [draft]\n", 4, "status", "cannot unmarshal !!seq into string"},
		{"list in a list", "tags:\n  - a\n  - [b]\n", 6, "tags", "cannot unmarshal !!seq into string"},
		{"mapping into text", "link:\n  brand: {a: b}\n", 5, "link.brand", "cannot unmarshal !!map into string"},
		{"text into a mapping", "link: x\n", 4, "link", "cannot unmarshal !!str `x` into a mapping"},
		{"null tag", "draft: !!null draft\n", 4, "draft", "cannot decode !!str `draft` as a !!null"},
		{"int tag", "x: 1\nstatus: !!int draft\n", 5, "status", "cannot decode !!str `draft` as a !!int"},
		{"merged bad value", "b: &b {draft: 'x'}\n<<: *b\n", 4, "draft", "into bool"},
		{"bad base64", "description: !!binary '***'\n", 4, "description", "invalid base64"},
		{"binary not text", "description: !!binary /w==\n", 4, "description", "not UTF-8"},
		{"alias key and key", "a: &k status\n*k : x\nstatus: y\n", 6, "status", "already set"},
		{"merge of a scalar", "<<: x\n", 0, "front matter", "map merge requires map"},
		{"excessive aliasing", "a: &a [l, l, l, l, l, l, l, l, l]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n", 5, "front matter", "excessive aliasing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, _, err := parseTest(t, "r.md", head+tc.src+"---\nbody\n")
			require.Error(t, err)
			assert.Nil(t, it)
			var re *RecordError
			require.True(t, errors.As(err, &re))
			assert.Equal(t, tc.line, re.Line, err.Error())
			assert.Equal(t, tc.field, re.Field, err.Error())
			assert.Contains(t, err.Error(), tc.text)
			assert.NotContains(t, err.Error(), "curafeed.", "no Go type names in errors")
		})
	}
}

// TestFieldsExactSpelling checks that fields are read by their exact names
// only, and that draft hides a record as yaml.v3 decodes it.
func TestFieldsExactSpelling(t *testing.T) {
	it, _, err := parseTest(t, "r.md", "---\ntitle: T\nTitle: Wrong\ndate: 2021-01-01\nSTATUS: draft\nStatus: draft\nDraft: true\nLink: {href: 'https://wrong.example/'}\nlink: {HREF: 'https://wrong.example/', href: 'https://right.example/'}\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "T", it.Title)
	assert.Equal(t, "", it.Status)
	assert.Equal(t, "https://right.example/", it.ExternalURL)
	it, warns, err := parseTest(t, "r.md", "---\ntitle: T\ndate: 2021-01-01\nSTATUS: draft\nmdname: x\nlayOut: x\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "", it.Status)
	var warned []string
	for _, w := range warns {
		warned = append(warned, w.Error())
	}
	assert.Equal(t, []string{
		"r.md:4: STATUS: ignored: field names are case-sensitive (the field is status)",
		"r.md:5: mdname: ignored: field names are case-sensitive (the field is mdName)",
	}, warned, "keys that differ from a field only in case are pointed out")
	for _, tc := range []struct{ draft, status string }{{"true", "draft"}, {"True", "draft"}, {"yes", "draft"}, {"on", "draft"}, {"'yes'", "draft"}, {"false", ""}, {"no", ""}, {"~", ""}} {
		it, _, err := parseTest(t, "r.md", "---\ntitle: T\ndate: 2021-01-01\ndraft: "+tc.draft+"\n---\n")
		require.NoError(t, err, tc.draft)
		assert.Equal(t, tc.status, it.Status, "draft: %s", tc.draft)
	}
	it, _, err = parseTest(t, "r.md", "---\ntitle: T\ndate: 2021-01-01\nstatus: Approved\ndraft: true\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "draft", it.Status, "a draft stays out whatever its status")
	it, _, err = parseTest(t, "r.md", "---\ntitle: T\ndate: 2021-01-01\nstatus: Approved\ndraft: false\n---\n")
	require.NoError(t, err)
	assert.Equal(t, "Approved", it.Status)
	it, warns, err = parseTest(t, "r.md", "---\ntitle: T\ndate: 2021-01-01\narcheType: profile\nCategories: [Cybersecurity]\ncontentcategories: c\n---\n")
	require.NoError(t, err)
	assert.Empty(t, warns, "the spellings of older exports are known fields")
	assert.Equal(t, "profile", it.Archetype, "the spelling of offering exports")
	assert.Equal(t, []string{"Cybersecurity"}, it.Tags, "the spelling of older exports")
}

// TestFastFieldMaps checks that the fast path knows every field of the
// structs yaml.v3 decodes, by the same names.
func TestFastFieldMaps(t *testing.T) {
	f := new(recordFields)
	for _, c := range []struct {
		m map[string]func(*recordFields) any
		v any
	}{
		{fastTopFields, f}, {fastLinkFields, &f.Link.f}, {fastOPFFields, &f.OpenProject.f}, {fastImageFields, &f.FeaturedImage.f},
	} {
		rv := reflect.ValueOf(c.v).Elem()
		names := map[string]bool{}
		for i := 0; i < rv.NumField(); i++ {
			name := rv.Type().Field(i).Tag.Get("yaml")
			if name == "" {
				continue
			}
			names[name] = true
			at, ok := c.m[name]
			require.True(t, ok, "no fast path for %s", name)
			assert.Equal(t, rv.Field(i).Addr().UnsafePointer(), reflect.ValueOf(at(f)).UnsafePointer(), "the fast path of %s is another field", name)
		}
		assert.Len(t, c.m, len(names))
	}
}
