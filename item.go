package curafeed

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/curafeed/curafeed/internal/frontmatter"
	"github.com/curafeed/curafeed/sanitize"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Item is one normalized, sanitized curation record. Every string field is
// plain text, safe to write into any feed format. An Item is immutable once
// Load or NewItem returns it and is safe for concurrent use.
//
// Items are best made by Load, LoadRecords or NewItem, which also carry the
// record's sanitized body. An Item written as a struct literal has no body;
// Build checks it as it checks a record (see Build).
type Item struct {
	// ID is the item's permanent id: urn:uuid: of the record's mdName, or a
	// name-based UUID derived from the record's id when mdName is missing.
	// It does not change when the record is edited.
	ID string
	// RecordID is the curation system's number (the record's "id"), as text.
	RecordID string
	// Path is the record file's path within the records file system, or
	// the Record's Name.
	Path string

	Title   string // plain text
	Summary string // plain text: the description, or the start of the body's text

	// URL is the item's page on the community site (basePath + slug), or "".
	URL string
	// ExternalURL is the curated article the item is about, or "".
	ExternalURL string
	// Brand is the curated article's publisher (link.brand), plain text.
	Brand string

	Published time.Time // UTC
	Updated   time.Time // UTC, never before Published

	Community Community // zero when the record belongs to no community
	Topics    []Topic   // folded and deduplicated, in record order
	Tags      []string  // extra categories from tags and categories, plain text
	Authors   []string  // curator names, never emails
	Image     *Image    // the featured image, or nil

	Status    string // the record's status, as written; "draft" for draft: true
	Archetype string // the kind of record, e.g. curate-content or news

	extra siteFields // site plumbing fields that feeds do not need

	content *lazyHTML
	sum     uint64 // hash of the record file, kept by BuildDir with a cache
	checked bool   // made by newItem: Build need not check it again
	// form says how much of its record the item holds (see itemForm);
	// held locates the fields of a held one in BuildDir's spill file.
	form itemForm
	held spillSpan
}

// itemForm says how much of its record an Item holds. Every item a caller
// of the package is given (Load, NewItem, LoadRecords, the catalogs of
// Build and of a Reloader) is whole; held and light items live only inside
// BuildDir, which renders them through its fragmentStore, the one place
// that turns them whole again.
type itemForm uint8

const (
	// formWhole: every field, in memory. The body may wait elsewhere (in
	// a spill file, or in its record: see lazyHTML), and is read when
	// rendered.
	formWhole itemForm = iota
	// formHeld: BuildDir moved the fields only feeds show (title, summary,
	// links, brand, tags, authors, image) to its spill file, at held,
	// next to the body (see holdItem); fragmentStore.full reads them back.
	formHeld
	// formLight: only what grouping and ordering need, as the build cache
	// keeps it (see Item.light), the record unread by this build:
	// fragmentStore.resolve parses the record again before the item is
	// rendered.
	formLight
)

// ContentHTML returns the item's sanitized body as HTML: Markdown bodies are
// rendered first, then every body goes through [sanitize.HTML] with relative
// URLs resolved against the item's page. The work is done once, on first use,
// so bodies that never reach a feed are never rendered.
func (it *Item) ContentHTML() string {
	if it == nil || it.content == nil {
		return ""
	}
	return it.content.get()
}

type lazyHTML struct {
	once     sync.Once
	html     string
	body     []byte
	markdown bool
	base     *url.URL

	// A body that BuildDir spilled is in spill at span instead, as written
	// or, when clean, as sanitized HTML already; it is read and rendered
	// on every use, never kept: BuildDir encodes each item once per format.
	spill *spillFile
	span  spillSpan
	clean bool
	// When base is nil and onPage is set, base is the item's page URL
	// parsed: page, which BuildDir sets when it gives the item its fields
	// back (see Item.held).
	onPage bool
	page   string
	// keepClean: a body spilled as written is added to the spill file
	// again, sanitized, the first time it is rendered, and cleaned then
	// locates it; later renders read it. The Reloader's bodies are so:
	// they are rendered load after load, but only those of the documents
	// a load renders, which after a restart from saved feeds are few.
	keepClean bool
	cleaned   atomic.Pointer[spillSpan]

	// from, when set, is where the body is instead: its record file, read
	// again the first time the body is rendered (see bodySource).
	from *bodySource
}

// getter returns l.get, or nil for a nil l: an item without a body.
func (l *lazyHTML) getter() func() string {
	if l == nil {
		return nil
	}
	return l.get
}

func (l *lazyHTML) get() string {
	if l.spill != nil || l.from != nil {
		h, _ := l.render() // BuildDir calls render and sees the error
		return h
	}
	l.once.Do(func() {
		l.html = bodyHTML(l.body, l.markdown, l.base)
		l.body = nil
	})
	return l.html
}

// bodyHTML is a record's body as sanitized HTML.
func bodyHTML(src []byte, markdown bool, base *url.URL) string {
	var h string
	if markdown {
		h = sanitize.RenderMarkdown(src)
	} else {
		h = string(src)
	}
	return sanitize.HTML(h, base)
}

// render returns the sanitized body, reading it from the spill file where
// it was spilled.
func (l *lazyHTML) render() (string, error) {
	if l.from != nil {
		b, err := l.from.body()
		if err != nil {
			return "", err
		}
		return b.render()
	}
	if l.spill == nil {
		return l.get(), nil
	}
	if sp := l.cleaned.Load(); sp != nil {
		src, err := l.spill.read(*sp)
		return string(src), err
	}
	src, err := l.spill.read(l.span)
	if err != nil {
		return "", err
	}
	return l.renderFrom(src)
}

// renderFrom is render, given the bytes at l.span, which it may keep.
func (l *lazyHTML) renderFrom(src []byte) (string, error) {
	if sp := l.cleaned.Load(); sp != nil {
		return l.render() // src is the body as written, no longer needed
	}
	if l.clean {
		return unsafe.String(unsafe.SliceData(src), len(src)), nil
	}
	var err error
	base := l.base
	if l.onPage {
		if l.page == "" {
			return "", errors.New("curafeed: a held body rendered without its page")
		}
		if base, err = url.Parse(l.page); err != nil {
			return "", err
		}
	}
	h := bodyHTML(src, l.markdown, base)
	if l.keepClean {
		// Another render may have done the same meanwhile: either copy
		// serves.
		if sp, err := l.spill.add(unsafeBytes(h)); err == nil {
			l.cleaned.CompareAndSwap(nil, &sp)
		}
	}
	return h, nil
}

// spilled returns where the body is in its spill file, and whether it is
// sanitized there.
func (l *lazyHTML) spilled() (spillSpan, bool) {
	if sp := l.cleaned.Load(); sp != nil {
		return *sp, true
	}
	return l.span, l.clean
}

// spillTo returns the body moved into s: as sanitized HTML when it was
// rendered already (a summary taken from the body needs it), as written
// otherwise. When base is the URL page parses to, the body does not keep
// it: onPage says that withPage must give it page back before it renders.
func (l *lazyHTML) spillTo(s *spillFile, page string) (*lazyHTML, error) {
	out, src := l.toSpill(s, page)
	if src == nil {
		return out, nil
	}
	var err error
	out.span, err = s.add(src)
	return out, err
}

// toSpill is spillTo without the add: the body that goes to s, and the
// bytes to add there, whose span the caller sets; nil bytes when l is
// spilled already, or read from its record (then out is l).
func (l *lazyHTML) toSpill(s *spillFile, page string) (out *lazyHTML, src []byte) {
	if l.spill != nil || l.from != nil {
		return l, nil
	}
	out = &lazyHTML{spill: s, markdown: l.markdown, base: l.base}
	src = l.body
	if src == nil { // rendered
		src, out.clean, out.markdown, out.base = unsafeBytes(l.html), true, false, nil
	} else if page != "" && l.base != nil && l.base.String() == page {
		out.base, out.onPage = nil, true
	}
	if src == nil {
		src = []byte{}
	}
	return out, src
}

// withPage returns the spilled body l with the page its base is parsed
// from, when it needs it.
func (l *lazyHTML) withPage(page string) *lazyHTML {
	if !l.onPage {
		return l
	}
	return &lazyHTML{spill: l.spill, span: l.span, markdown: l.markdown, onPage: true, page: page}
}

// Community is the community of practice a record belongs to.
type Community struct {
	Slug string // URL slug, e.g. chronic-care-management
	Name string // display name, e.g. Chronic Care Management (CCM)
}

// Topic is one topic of a record: a term from a vocabulary, such as
// "Gartner: Cybersecurity". Spelling variants fold to the same Key.
type Topic struct {
	Key        string // folded identity: two spellings of one topic share it
	Vocabulary string // e.g. Gartner; the category scheme; may be ""
	Term       string // e.g. Cybersecurity
}

// Label returns the topic as written in records: "Vocabulary: Term".
func (t Topic) Label() string {
	if t.Vocabulary == "" {
		return t.Term
	}
	return t.Vocabulary + ": " + t.Term
}

// Image is an item's featured image.
type Image struct {
	URL    string // absolute http(s) URL
	Type   string // MIME type, e.g. image/jpeg
	Alt    string // plain text
	Width  int    // pixels, 0 when unknown
	Height int    // pixels, 0 when unknown
}

// siteFields holds what an item keeps of a record's site plumbing: where
// it lives on the site, which an edit that moves it changes (see sameShape)
// and community aliases read. The other plumbing fields (aliases,
// breadcrumbs, contentCategories, owlType, searchCategory, sub,
// openProjectWorkPackageType) are read and checked with the front matter,
// and mdName, slug, type and source give the item its id, page, community
// and body format; nothing else needs them, so items do not keep them.
type siteFields struct {
	BasePath string
	OGURL    string // ogUrl: the item's page as a site path, in older exports
}

// parseOptions control how one record is parsed.
type parseOptions struct {
	// SiteURL is the community site's absolute base URL: item pages and
	// relative image and body URLs are resolved against it.
	SiteURL *url.URL
}

// errNotRecord marks files that are not records (section pages, files without
// front matter): they are skipped and reported, not rejected.
type errNotRecord struct{ reason string }

func (e errNotRecord) Error() string { return e.reason }

// IsNotRecord reports whether err says a file is not a record at all
// (a section page or a file without front matter), rather than a bad record.
func IsNotRecord(err error) bool {
	var re *RecordError
	if errors.As(err, &re) {
		err = re.Err
	}
	var nr errNotRecord
	return errors.As(err, &nr)
}

// ParseRecord parses one record file as Load does, with cfg's site. It
// returns the item and the warnings (problems that did not cost the
// record), or a *RecordError naming the file, the line where known and the
// field. Filtering by status, archetype and date happens in Load and Build,
// not here.
//
// A file is not a record (IsNotRecord) when it is a section page
// (_index.md) or has text but no front matter. A file that is empty or
// blank, is not UTF-8 text, or starts like front matter (---, or +++ for
// TOML) but whose front matter is never closed, cannot be read or is
// empty, is a bad record:
// a record file that was emptied, cut or overwritten must be reported, not
// quietly taken for a file that never was a record.
func ParseRecord(name string, data []byte, cfg Config) (it *Item, warnings ErrorList, err error) {
	_, site, err := cfg.normalize()
	if err != nil {
		return nil, nil, err
	}
	return parseRecord(name, data, parseOptions{SiteURL: site})
}

func parseRecord(name string, data []byte, opts parseOptions) (it *Item, warnings ErrorList, err error) {
	defer func() {
		if r := recover(); r != nil {
			it, warnings = nil, nil
			err = &RecordError{Path: name, Err: fmt.Errorf("cannot parse record: %v", r)}
		}
	}()
	if path.Base(name) == "_index.md" {
		return nil, nil, &RecordError{Path: name, Err: errNotRecord{"section page, not a record"}}
	}
	p := &parser{name: name, opts: opts}
	it, err = p.parse(data)
	return it, p.warnings, err
}

type parser struct {
	name       string
	lineOffset int
	opts       parseOptions
	warnings   ErrorList
}

// errAt is a record error at node n (its line, when known) and field.
func (p *parser) errAt(n *yaml.Node, field string, err error) *RecordError {
	return &RecordError{Path: p.name, Line: p.lineOf(n), Field: field, Err: err}
}

func (p *parser) warn(n *yaml.Node, field string, err error) {
	p.warnings = append(p.warnings, p.errAt(n, field, err))
}

func (p *parser) parse(data []byte) (*Item, error) {
	doc, err := p.read(data)
	if err != nil {
		return nil, err
	}
	defer doc.Release() // the item holds strings read from the tree, never its nodes
	f, err := p.fields(doc)
	if err != nil {
		return nil, err
	}
	return p.item(f, doc.Body)
}

// read splits the record file data and reads its front matter, with a
// warning when the front matter had to be cleaned, or says why it cannot.
func (p *parser) read(data []byte) (frontmatter.Doc, error) {
	doc, err := frontmatter.Parse(data)
	p.lineOffset = doc.Line - 1
	if doc.Cleaned {
		p.warnings.add(p.name, 0, "front matter", errors.New("characters that YAML and XML forbid were removed"))
	}
	if err != nil {
		return doc, p.readError(err)
	}
	return doc, nil
}

// readError is the record's error for err, an error of frontmatter.Parse.
func (p *parser) readError(err error) *RecordError {
	var fe *frontmatter.Error
	switch {
	case !errors.As(err, &fe):
		return &RecordError{Path: p.name, Err: err}
	case fe.Err == frontmatter.ErrNoFrontMatter:
		return &RecordError{Path: p.name, Err: errNotRecord{"no front matter"}}
	case fe.Kind == frontmatter.NotRecord:
		return &RecordError{Path: p.name, Err: errNotRecord{fe.Error()}}
	case fe.Kind == frontmatter.NotText:
		return &RecordError{Path: p.name, Err: fe.Err}
	}
	return &RecordError{Path: p.name, Line: fe.Line, Field: "front matter", Err: fe.Err}
}

// fields resolves the record's fields from its front matter, as yaml.v3
// would decode them.
func (p *parser) fields(d frontmatter.Doc) (*recordFields, error) {
	doc := d.Node
	if len(doc.Content) == 0 {
		return nil, &RecordError{Path: p.name, Line: p.lineOffset, Field: "front matter", Err: errors.New("empty: a record needs at least a title and a date")}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "front matter", errors.New("not a mapping of fields"))
	}
	f := &recordFields{root: root}
	if !d.Fast || !fastFields(root, f, fastTopFields) {
		*f = recordFields{}
		if err := p.decodeFields(doc, f); err != nil {
			return nil, err
		}
	}
	p.caseVariants(root)
	return f, nil
}

func (p *parser) item(f *recordFields, body []byte) (*Item, error) {
	root := f.root
	site := p.opts.SiteURL

	if sanitize.Text(f.Title.s) == "" {
		n := f.Title.node
		if n == nil {
			n = keyNode(root, "title")
		}
		if n == nil {
			return nil, &RecordError{Path: p.name, Field: "title", Err: errors.New("missing: every record needs a title")}
		}
		return nil, p.errAt(n, "title", errors.New("empty after cleaning: every record needs a title"))
	}
	pub, err := p.date(&f.Date, "date")
	if err != nil {
		return nil, err
	}
	mod, err := p.date(&f.LastMod, "lastMod")
	if err != nil {
		return nil, err
	}

	opf, link := &f.OpenProject.f, &f.Link.f
	r := Record{
		Name: p.name, Title: f.Title.s, Summary: f.Description.s,
		Published: pub, Updated: mod,
		recordID: f.ID.s, fileID: true, body: body,
	}
	x := &r.extra
	x.BasePath = f.BasePath.s
	x.OGURL = f.OGURL.s
	r.ID = sanitize.Text(r.recordID)
	if mdName := sanitize.Text(f.MDName.s); isUUID(mdName) {
		r.ID = mdName
	}

	// Where the item lives on the site, and what it is about.
	r.URL = pageURL(site, x.BasePath, f.Slug.s)
	if r.URL == "" {
		if og := cleanBasePath(x.OGURL); og != "" && strings.HasPrefix(strings.TrimSpace(x.OGURL), "/") && og != "/" {
			r.URL = pageURL(site, path.Dir(strings.TrimSuffix(og, "/")), path.Base(og))
		}
	}
	linkNode, linkField := link.Href.node, "link.href"
	for _, c := range []struct {
		v     *yList
		field string
	}{
		{&link.Href, "link.href"}, {&link.Original, "link.original"},
		{&opf.CleanURL, "openProjectCustomFields.cleanUrl"}, {&opf.SourceURL, "openProjectCustomFields.sourceUrl"},
		{&f.Herf, "herf"}, {&f.Href, "href"}, {&f.Original, "original"},
		{&f.CleanURL, "cleanUrl"}, {&f.SourceURL, "sourceUrl"},
	} {
		raw := c.v.first()
		if raw == "" {
			continue
		}
		if _, ok := sanitize.URL(raw, nil); ok {
			r.ExternalURL, linkNode = raw, c.v.node
			break
		}
		if r.ExternalURL == "" {
			// The first bad link is reported when no good one follows.
			r.ExternalURL, linkNode, linkField = raw, c.v.node, c.field
		}
	}
	r.Brand = link.Brand.s
	if sanitize.Text(r.Brand) == "" {
		r.Brand = f.Brand.s
	}

	r.community = communityOf(x.sitePath(), sanitize.Text(f.Type.s), f.Identifier.s, f.MastHead.s)
	r.Topics = p.topics(&f.Topics, &opf.MedigyTopics)
	r.Tags = slices.Concat(f.Tags.list, f.Categories.list, f.CategoriesCap.list)
	r.Authors = f.Author.list
	if len(cleanList(r.Authors)) == 0 {
		r.Authors = f.Authors.list
	}
	r.Image = p.image(&f.FeaturedImage)

	r.Status = f.Status.s
	if f.Draft.b {
		// A draft stays out of every feed, whatever its status says, as
		// static site generators treat draft: true.
		r.Status = "draft"
	}
	r.Archetype = f.Archetype.s
	if sanitize.Text(r.Archetype) == "" {
		r.Archetype = f.ArcheType.s
	}

	// The body is Markdown unless it starts with markup; Dropmark exports
	// are always Markdown.
	b := bytes.TrimSpace(body)
	r.Markdown = strings.Contains(strings.ToLower(sanitize.Text(f.Source.s)), "dropmark") || (len(b) > 0 && b[0] != '<')

	m := &f.FeaturedImage.f
	r.at = func(key string) (string, int) {
		switch key {
		case "date":
			return "date", p.lineOf(keyNode(root, "date"))
		case "link":
			return linkField, p.lineOf(linkNode)
		case "image":
			return "featuredImage.href", p.lineOf(m.Href.node)
		case "image.type":
			return "featuredImage.format", p.lineOf(m.Format.node)
		case "url":
			return "basePath", p.lineOf(keyNode(root, "basePath"))
		}
		return key, p.lineOf(keyNode(root, key))
	}
	return newItem(&r, site, &p.warnings)
}

// keyNode returns the key node of the field named key in the mapping m, or
// nil.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

func (p *parser) lineOf(n *yaml.Node) int {
	if n == nil || n.Line == 0 {
		return 0
	}
	return n.Line + p.lineOffset
}

// dateLayouts are the accepted forms of date and lastMod, tried in order.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02",
}

// rssDateLayouts are the forms of dates in RSS, e-mail and WordPress
// exports, after rssDate has collapsed runs of spaces, dropped commas and
// replaced a named zone by its offset: RFC 1123 and RFC 822 (day of the
// week optional, one- or two-digit day, two- or four-digit year, seconds
// optional), RFC 850, ANSI C asctime and the Unix date and Ruby forms.
var rssDateLayouts = func() []string {
	var out []string
	for _, wd := range []string{"Mon ", "Monday ", ""} {
		for _, date := range []string{"_2 Jan 2006", "_2 Jan 06", "_2-Jan-06", "_2-Jan-2006"} {
			for _, clock := range []string{"15:04:05", "15:04"} {
				out = append(out, wd+date+" "+clock+" -0700", wd+date+" "+clock)
			}
		}
	}
	return append(out,
		"Mon Jan _2 15:04:05 2006",            // ANSI C
		"Mon Jan _2 15:04:05 -0700 2006",      // Unix date, Ruby
		"2006-01-02 15:04:05.999999999 -0700", // YAML 1.1 timestamps, Hugo
		"2006-01-02T15:04:05.999999999 -0700", // the same with a T
		"2006-01-02T15:04:05.999999999-0700",  // ISO 8601 basic offset
		"2006-01-02 15:04:05.999999999-0700",  // the same with a space
	)
}()

// rssZones are the zone names RFC 822 defines (section 5.1), with UTC. Any
// other name is refused: many are ambiguous (IST, BST, CST), and Go would
// read an unknown one as UTC.
var rssZones = map[string]string{
	"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

var rssWords = func() map[string]bool {
	m := map[string]bool{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		m[strings.ToUpper(d.String())] = true
		m[strings.ToUpper(d.String()[:3])] = true
	}
	for mo := time.January; mo <= time.December; mo++ {
		m[strings.ToUpper(mo.String()[:3])] = true
	}
	return m
}()

// rssDate parses the RSS and e-mail forms of a date (rssDateLayouts).
// ok is false when s is not one of them; err is set when it is one but its
// zone is not known.
func rssDate(s string) (t time.Time, ok bool, err error) {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i] // an e-mail comment: "+0000 (UTC)"
	}
	fields := strings.Fields(strings.ReplaceAll(s, ",", " "))
	for i, f := range fields {
		switch {
		case len(f) == 6 && (f[0] == '+' || f[0] == '-') && f[3] == ':':
			fields[i] = f[:3] + f[4:] // +01:00
		case isLetters(f) && !rssWords[strings.ToUpper(f)]:
			z, known := rssZones[strings.ToUpper(f)]
			if !known {
				if i == 0 || i < len(fields)-2 {
					return time.Time{}, false, nil // not a zone where one goes
				}
				return time.Time{}, true, fmt.Errorf("unknown time zone %q in %.40q: write a numeric offset such as +0100", f, s)
			}
			fields[i] = z
		}
	}
	norm := strings.Join(fields, " ")
	for _, layout := range rssDateLayouts {
		if t, err := time.Parse(layout, norm); err == nil {
			return t.UTC(), true, nil
		}
	}
	return time.Time{}, false, nil
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// parseDate parses a record date in any accepted form: RFC 3339 with or
// without fraction and zone, "2006-01-02", "2006-01-02 15:04:05", and the
// forms of RSS and WordPress exports: RFC 1123 ("Mon, 02 Jan 2006 15:04:05
// GMT" or "-0700"), RFC 822, RFC 850, ANSI C and Unix date, and the YAML 1.1
// timestamp with a spaced offset ("2006-01-02 15:04:05 -07:00"). Named zones
// are those of RFC 822 (UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST, PDT) and
// UTC; others are an error. A time without a zone is taken as UTC. The
// result is in UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok, err := rssDate(s); ok {
		return t, err
	}
	return time.Time{}, fmt.Errorf("not a date: %.40q (want RFC 3339, 2006-01-02, 2006-01-02 15:04:05 or RFC 1123 such as Mon, 02 Jan 2006 15:04:05 -0700)", s)
}

func (p *parser) date(v *yText, field string) (time.Time, error) {
	s := v.s
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, p.errAt(v.node, field, err)
	}
	return t, nil
}

// foldCase folds case the Unicode way. A cases.Caser is not safe for
// concurrent use, so each call makes its own; ASCII text, which folds to
// its lower case, needs none.
func foldCase(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return cases.Fold().String(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var hashRE = regexp.MustCompile(`(?i)-hash-`)

// ParseTopic parses a topic as records write it, "Vocabulary: Term", into a
// Topic whose Key is the same for every spelling variant: case, runs of
// spaces, non-breaking spaces, entities and the "-hash-" spelling of "#" do
// not matter, while different vocabularies stay different topics. ok is
// false when nothing is left of the term.
func ParseTopic(s string) (t Topic, ok bool) {
	if v, found := topicMemo.m.Load(s); found {
		r := v.(parsedTopic)
		return r.t, r.ok
	}
	if len(s) > topicMemoLen || topicMemo.n.Load() >= topicMemoMax {
		return parseTopic(s)
	}
	s = strings.Clone(s) // the memo must not hold on to the record it came from
	t, ok = parseTopic(s)
	if _, loaded := topicMemo.m.LoadOrStore(s, parsedTopic{t, ok}); !loaded {
		topicMemo.n.Add(1)
	}
	return t, ok
}

// topicMemo keeps what ParseTopic made of the topic strings it has seen, up
// to topicMemoMax strings of at most topicMemoLen bytes: records spell a few
// hundred topics between them, thousands of times over, and parsing one
// takes a regular expression, cleaning and case folding. Items then also
// share the topics' strings. Past the cap topics are parsed each time; the
// result is the same either way.
var topicMemo struct {
	m sync.Map // topic string → parsedTopic
	n atomic.Int32
}

const (
	topicMemoMax = 1 << 14
	topicMemoLen = 256
)

type parsedTopic struct {
	t  Topic
	ok bool
}

func parseTopic(s string) (t Topic, ok bool) {
	s = sanitize.Text(hashRE.ReplaceAllString(s, "#"))
	vocab, term, found := strings.Cut(s, ":")
	if !found {
		vocab, term = "", s
	}
	t.Vocabulary = strings.TrimSpace(vocab)
	t.Term = strings.TrimSpace(term)
	if t.Term == "" {
		return Topic{}, false
	}
	t.Key = foldCase(t.Vocabulary) + ":" + foldCase(t.Term)
	return t, true
}

// topics gathers the record's topics: the topics list and the JSON array
// in openProjectCustomFields.medigyTopics (or a YAML list there).
func (p *parser) topics(community, medigy *yList) []string {
	raw := community.list
	if s := medigy.text(); strings.TrimSpace(s) != "" {
		var arr []string
		if err := json.Unmarshal([]byte(s), &arr); err != nil {
			p.warn(medigy.node, "openProjectCustomFields.medigyTopics", fmt.Errorf("not a JSON array of strings, ignored: %v", err))
		} else {
			raw = slices.Concat(raw, arr)
		}
	} else if medigy.seq {
		raw = slices.Concat(raw, medigy.list)
	}
	return raw
}

var imageTypes = map[string]string{
	"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
	"webp": "image/webp", "svg": "image/svg+xml", "avif": "image/avif", "bmp": "image/bmp",
}

// image is the featured image as the record writes it; newImage checks it.
func (p *parser) image(v *yImage) *Image {
	if !v.isMap {
		return nil
	}
	m := &v.f
	if m.Valid.node != nil && !m.Valid.b {
		return nil
	}
	img := &Image{URL: m.Href.s, Type: m.MimeType.s, Alt: m.Alt.s}
	if t := strings.ToLower(sanitize.Text(img.Type)); !strings.HasPrefix(t, "image/") || strings.ContainsAny(t, " ;,") {
		img.Type = sanitize.Text(m.Format.s)
	}
	if sz := m.Size.list; m.Size.seq && len(sz) == 2 {
		img.Width, _ = strconv.Atoi(sz[0])
		img.Height, _ = strconv.Atoi(sz[1])
	}
	return img
}

// sitePath is where the item lives on the site: basePath, or ogUrl in older
// exports that have no basePath.
func (x *siteFields) sitePath() string {
	if strings.TrimSpace(x.BasePath) != "" {
		return x.BasePath
	}
	return x.OGURL
}

// communityOf names the community from basePath (/communities/{c}/...),
// falling back to type (communities/{c}); the display name comes from
// identifier, then mastHead.
func communityOf(basePath, typ, identifier, mastHead string) Community {
	var slug string
	if seg := segmentAfter(basePath, "communities"); seg != "" {
		slug = sanitize.Slug(seg)
	}
	if slug == "" {
		if seg := segmentAfter(typ, "communities"); seg != "" {
			slug = sanitize.Slug(seg)
		}
	}
	if slug == "" {
		return Community{}
	}
	name := sanitize.Text(identifier)
	if name == "" {
		name = sanitize.Text(mastHead)
	}
	if name == "" {
		name = slug
	}
	return Community{Slug: slug, Name: name}
}

// segmentAfter returns the path segment that follows the segment named key in
// p ("/communities/x/y" → "x"), or "" when there is none or it is "." or "..".
func segmentAfter(p, key string) string {
	segs := strings.Split(strings.Trim(strings.TrimSpace(p), "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == key {
			s := segs[i+1]
			if s == "." || s == ".." {
				return ""
			}
			return s
		}
	}
	return ""
}

// cleanBasePath returns basePath as a clean absolute path ending in "/", or
// "" when it is empty or tries to climb out of the site.
func cleanBasePath(bp string) string {
	bp = strings.TrimSpace(pathText(bp))
	if bp == "" || strings.Contains(bp, "..") || strings.Contains(bp, "\\") || strings.ContainsAny(bp, "?#") {
		return ""
	}
	if n := len(bp); n > 2 && bp[0] == '/' && bp[n-1] == '/' && path.Clean(bp[:n-1]) == bp[:n-1] {
		return bp // clean already, as most base paths are: no copy
	}
	c := path.Clean("/" + bp)
	if c == "/" {
		return "/"
	}
	return c + "/"
}

// pathText returns s, a part of a site path, in NFC without the characters
// sanitize.Text removes (bidirectional controls, C0 and C1 controls including
// U+0085, noncharacters, U+FEFF), which would otherwise reach the page URL
// percent-encoded: a U+202E before "gpj.exe" displays as "exe.jpg".
func pathText(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = 0x20 <= s[i] && s[i] < 0x7f
	}
	if plain {
		return s // printable ASCII: nothing to drop, in NFC
	}
	s = strings.Map(func(r rune) rune {
		if sanitize.IsInvisible(r) || r == 0x85 {
			return -1
		}
		return r
	}, s)
	return norm.NFC.String(s)
}

// pageURL is the item's page on the community site: site + basePath + slug.
func pageURL(site *url.URL, basePath, slug string) string {
	slug = strings.TrimSpace(pathText(slug))
	bp := cleanBasePath(basePath)
	if slug == "" || bp == "" || strings.ContainsAny(slug, "/\\?#") || strings.Contains(slug, "..") || !utf8.ValidString(slug) {
		return ""
	}
	page, ok := plainPage(site, bp+slug+"/")
	if !ok {
		page = site.ResolveReference(&url.URL{Path: bp + slug + "/"}).String()
	}
	s, ok := sanitize.URL(page, nil)
	if !ok {
		return ""
	}
	return s
}

// plainPage returns site's scheme and host followed by the rooted path p,
// which is site.ResolveReference(&url.URL{Path: p}).String() when ok: an
// http(s) site without user information whose host is lower-case letters,
// digits, dots and hyphens, and a path of unreserved characters and
// slashes, without empty or dot segments, that nothing escapes or
// resolves. Most pages are such, and skip net/url's resolving and printing.
func plainPage(site *url.URL, p string) (string, bool) {
	if site.Scheme != "https" && site.Scheme != "http" || site.User != nil || site.Opaque != "" ||
		site.Host == "" || len(p) < 2 || p[0] != '/' || p[len(p)-1] != '/' {
		return "", false
	}
	for i := 0; i < len(site.Host); i++ {
		if c := site.Host[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return "", false
		}
	}
	for seg := range strings.SplitSeq(p[1:len(p)-1], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				return "", false
			}
		}
	}
	return site.Scheme + "://" + site.Host + p, true
}

// itemID derives the permanent id from a record's id: urn:uuid: of a UUID,
// else a name-based (version 5) UUID of the site and the id; with no id, of
// the site and the file's path.
func itemID(id string, site *url.URL, name string) string {
	if isUUID(id) {
		return "urn:uuid:" + strings.ToLower(id)
	}
	host := ""
	if site != nil {
		host = site.Host
	}
	if id != "" {
		return "urn:uuid:" + uuidV5(host+"/records/"+id)
	}
	return "urn:uuid:" + uuidV5(host+"/files/"+name)
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// uuidNamespaceURL is the RFC 9562 namespace for URL names.
var uuidNamespaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuidV5 returns the RFC 9562 version 5 UUID of name in the URL namespace.
func uuidV5(name string) string {
	h := sha1.New()
	h.Write(uuidNamespaceURL[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// cleanList cleans each string as plain text and drops empties and
// case-insensitive duplicates, keeping the first spelling.
func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		c := sanitize.Text(s)
		k := foldCase(c)
		if c == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}
