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
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/cases"
)

// Item is one normalized, sanitized curation record. Every string field is
// safe to write into any feed format. An Item is immutable once Load returns
// it and is safe for concurrent use.
type Item struct {
	// ID is the item's permanent id: urn:uuid: of the record's mdName, or a
	// name-based UUID derived from the record's id when mdName is missing.
	// It does not change when the record is edited.
	ID string
	// RecordID is the curation system's number (the record's "id"), as text.
	RecordID string
	// Path is the record file's path within the records file system.
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

	Status string // the record's status, as written
	Kind   string // the record's archetype (e.g. curate-content, news)

	// Extra holds site plumbing fields that feeds do not need.
	Extra Extra

	content *lazyHTML
	sum     uint64 // hash of the record file, kept by the bounded-memory build
}

// ContentHTML returns the item's sanitized body as HTML: Markdown bodies are
// rendered first, then every body goes through SanitizeHTML with relative
// URLs resolved against the item's page. The work is done once, on first use,
// so bodies that never reach a feed are never rendered.
func (it *Item) ContentHTML() string {
	if it.content == nil {
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
}

func (l *lazyHTML) get() string {
	l.once.Do(func() {
		src := l.body
		var h string
		if l.markdown {
			h = renderMarkdown(src)
		} else {
			h = string(src)
		}
		l.html = SanitizeHTML(h, l.base)
		l.body = nil
	})
	return l.html
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

// Extra holds the plumbing fields of a record that feeds do not use.
type Extra struct {
	Aliases           []string
	Breadcrumbs       []string
	BreadcrumbLinks   []string
	ContentCategories []string
	WorkPackageType   string
	OwlType           string
	SearchCategory    string
	Source            string
	Sub               string
	MDName            string
	Slug              string
	BasePath          string
	Type              string
	OGURL             string // ogUrl: the item's page as a site path, in older exports
}

// ParseOptions control how one record is parsed. The zero value is not
// usable: SiteURL is required.
type ParseOptions struct {
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
	return errors.As(err, &nr) || errors.Is(err, ErrNoFrontMatter)
}

// ParseRecord parses one record file. It returns the item and the warnings
// (problems that did not cost the record), or a *RecordError naming the file,
// the line where known and the field.
func ParseRecord(name string, data []byte, opts ParseOptions) (it *Item, warnings ErrorList, err error) {
	defer func() {
		if r := recover(); r != nil {
			it, warnings = nil, nil
			err = &RecordError{Path: name, Err: fmt.Errorf("cannot parse record: %v", r)}
		}
	}()
	if path.Base(name) == "_index.md" {
		return nil, nil, &RecordError{Path: name, Err: errNotRecord{"section page, not a record"}}
	}
	front, body, line, ok := splitFrontMatter(data)
	if !ok {
		return nil, nil, &RecordError{Path: name, Err: ErrNoFrontMatter}
	}
	p := &parser{name: name, lineOffset: line - 1, opts: opts}
	it, err = p.parse(front, body)
	return it, p.warnings, err
}

// splitFrontMatter splits a record into its YAML front matter and body. line
// is the 1-based file line on which the front matter starts.
func splitFrontMatter(data []byte) (front, body []byte, line int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, rest, found := cutLine(data)
	if !found && len(rest) == 0 && !isFence(first) {
		return nil, nil, 0, false
	}
	if !isFence(first) {
		return nil, nil, 0, false
	}
	start := rest
	off := 0
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if isFence(l) || string(bytes.TrimRight(l, " \t\r")) == "..." {
			return start[:off], next, 2, true
		}
		off += len(rest) - len(next)
		rest = next
	}
	return nil, nil, 0, false
}

func cutLine(b []byte) (line, rest []byte, found bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

func isFence(l []byte) bool {
	return string(bytes.TrimRight(l, " \t\r")) == "---"
}

type parser struct {
	name       string
	lineOffset int
	opts       ParseOptions
	warnings   ErrorList
}

func (p *parser) errAt(n *yaml.Node, field string, err error) *RecordError {
	line := 0
	if n != nil && n.Line > 0 {
		line = n.Line + p.lineOffset
	}
	return &RecordError{Path: p.name, Line: line, Field: field, Err: err}
}

func (p *parser) warn(n *yaml.Node, field string, err error) {
	p.warnings = append(p.warnings, p.errAt(n, field, err))
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// record is the raw front matter, as nodes, keyed by lower-cased field name.
type record map[string]*yaml.Node

// keyNodes remembers the key node of each field, for line numbers.
type keyNodes map[string]*yaml.Node

func (p *parser) parse(front, body []byte) (*Item, error) {
	if !yamlSafe(front) {
		front = cleanFrontMatter(front)
		p.warnings.Add(p.name, 0, "front matter", errors.New("characters that YAML and XML forbid were removed"))
	}
	doc, err := parseFrontMatter(front)
	if err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			if m[1] != "" {
				line, _ = strconv.Atoi(m[1])
				line += p.lineOffset
			}
			msg = msg[len(m[0]):]
		}
		return nil, &RecordError{Path: p.name, Line: line, Field: "front matter", Err: errors.New("invalid YAML: " + msg)}
	}
	if len(doc.Content) == 0 {
		return nil, &RecordError{Path: p.name, Err: errNotRecord{"empty front matter, not a record"}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "front matter", errors.New("not a mapping of fields"))
	}
	rec, keys := record{}, keyNodes{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := strings.ToLower(root.Content[i].Value)
		if _, dup := rec[k]; !dup {
			rec[k] = root.Content[i+1]
			keys[k] = root.Content[i]
		}
	}
	return p.item(rec, keys, body)
}

// yamlSafe reports whether front holds only characters the YAML parser
// accepts: valid UTF-8 without C0 or C1 control characters (other than tab,
// line feed and carriage return), DEL, U+FFFE, U+FFFF, or the Unicode line
// separators that YAML would take for line breaks.
func yamlSafe(front []byte) bool {
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

// cleanFrontMatter repairs mojibake (whose C1 characters YAML rejects), then
// drops what is left of the characters yamlSafe refuses; line separators
// become spaces.
func cleanFrontMatter(front []byte) []byte {
	s := RepairMojibake(strings.ToValidUTF8(string(front), ""))
	var b bytes.Buffer
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r >= 0x7f && r <= 0x84 || r >= 0x86 && r <= 0x9f || r == 0xfffe || r == 0xffff:
			continue
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.Bytes()
}

func (p *parser) item(rec record, keys keyNodes, body []byte) (*Item, error) {
	site := p.opts.SiteURL
	it := &Item{Path: p.name}

	it.Title = CleanText(scalar(rec["title"]))
	if it.Title == "" {
		n := keys["title"]
		if n == nil {
			return nil, &RecordError{Path: p.name, Field: "title", Err: errors.New("missing: every record needs a title")}
		}
		return nil, p.errAt(n, "title", errors.New("empty after cleaning: every record needs a title"))
	}

	// Dates.
	pub, err := p.date(rec, keys, "date")
	if err != nil {
		return nil, err
	}
	mod, err := p.date(rec, keys, "lastmod")
	if err != nil {
		return nil, err
	}
	switch {
	case pub.IsZero() && mod.IsZero():
		return nil, &RecordError{Path: p.name, Line: p.lineOf(keys["date"]), Field: "date", Err: errors.New("missing: a record needs date or lastMod")}
	case pub.IsZero():
		pub = mod
	case mod.IsZero() || mod.Before(pub):
		mod = pub
	}
	it.Published, it.Updated = pub, mod

	// Identity.
	it.RecordID = CleanText(scalar(rec["id"]))
	opf := mapping(rec["openprojectcustomfields"])
	link := mapping(rec["link"])
	x := &it.Extra
	x.MDName = CleanText(scalar(rec["mdname"]))
	x.Slug = scalar(rec["slug"])
	x.BasePath = scalar(rec["basepath"])
	x.Type = CleanText(scalar(rec["type"]))
	x.OGURL = scalar(rec["ogurl"])
	it.ID = itemID(x.MDName, it.RecordID, site, p.name)

	// Where the item lives on the site, and what it is about.
	it.URL = pageURL(site, x.BasePath, x.Slug)
	if it.URL == "" {
		if og := cleanBasePath(x.OGURL); og != "" && strings.HasPrefix(strings.TrimSpace(x.OGURL), "/") && og != "/" {
			it.URL = pageURL(site, path.Dir(strings.TrimSuffix(og, "/")), path.Base(og))
		}
	}
	base := site
	if it.URL != "" {
		base, _ = url.Parse(it.URL)
	} else if bp := cleanBasePath(x.BasePath); bp != "" {
		base = site.ResolveReference(&url.URL{Path: bp})
	}
	var badLink *RecordError
	for _, c := range []struct {
		n     *yaml.Node
		field string
	}{
		{link["href"], "link.href"}, {link["original"], "link.original"},
		{opf["cleanurl"], "openProjectCustomFields.cleanUrl"}, {opf["sourceurl"], "openProjectCustomFields.sourceUrl"},
		{rec["herf"], "herf"}, {rec["href"], "href"}, {rec["original"], "original"},
		{rec["cleanurl"], "cleanUrl"}, {rec["sourceurl"], "sourceUrl"},
	} {
		raw := first(c.n)
		if raw == "" {
			continue
		}
		if u, ok := AbsoluteURL(raw, nil); ok {
			it.ExternalURL = u
			break
		}
		if badLink == nil {
			badLink = p.errAt(c.n, c.field, fmt.Errorf("not an absolute http(s) URL, ignored: %.80q", raw))
		}
	}
	if it.ExternalURL == "" && badLink != nil {
		p.warnings = append(p.warnings, badLink)
	}
	it.Brand = CleanText(scalar(link["brand"]))
	if it.Brand == "" {
		it.Brand = CleanText(scalar(rec["brand"]))
	}

	it.Community = communityOf(x.sitePath(), x.Type, scalar(rec["identifier"]), scalar(rec["masthead"]))
	it.Topics = p.topics(rec["communitytopics"], opf["medigytopics"])
	it.Tags = cleanList(append(list(rec["tags"]), list(rec["categories"])...))
	it.Authors = cleanList(list(rec["author"]))
	if len(it.Authors) == 0 {
		it.Authors = cleanList(list(rec["authors"]))
	}
	it.Image = p.image(rec["featuredimage"], base)

	it.Status = CleanText(scalar(rec["status"]))
	if it.Status == "" && scalar(rec["draft"]) == "true" {
		it.Status = "draft"
	}
	it.Kind = CleanText(scalar(rec["archetype"]))

	x.Aliases = cleanList(list(rec["aliases"]))
	x.Breadcrumbs = cleanList(list(rec["breadcrumbs"]))
	x.BreadcrumbLinks = cleanList(list(rec["breadcrumblinks"]))
	x.ContentCategories = cleanList(list(rec["contentcategories"]))
	x.WorkPackageType = CleanText(scalar(rec["openprojectworkpackagetype"]))
	x.OwlType = CleanText(scalar(rec["owltype"]))
	x.SearchCategory = CleanText(scalar(rec["searchcategory"]))
	x.Source = CleanText(scalar(rec["source"]))
	x.Sub = CleanText(scalar(rec["sub"]))

	// Body and summary.
	body = bytes.TrimSpace(body)
	markdown := strings.Contains(strings.ToLower(x.Source), "dropmark") || (len(body) > 0 && body[0] != '<')
	if len(body) > 0 {
		it.content = &lazyHTML{body: body, markdown: markdown, base: base}
	}
	it.Summary = summaryText(scalar(rec["description"]), it.content)
	return it, nil
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

// ParseDate parses a record date in any accepted form: RFC 3339 with or
// without fraction and zone, "2006-01-02", or "2006-01-02 15:04:05". A time
// without a zone is taken as UTC. The result is in UTC.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %.40q (want RFC 3339, 2006-01-02 or 2006-01-02 15:04:05)", s)
}

func (p *parser) date(rec record, keys keyNodes, field string) (time.Time, error) {
	n := rec[field]
	s := scalar(n)
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	name := field
	if field == "lastmod" {
		name = "lastMod"
	}
	if n.Kind != yaml.ScalarNode {
		return time.Time{}, p.errAt(keys[field], name, errors.New("not a date"))
	}
	t, err := ParseDate(s)
	if err != nil {
		return time.Time{}, p.errAt(n, name, err)
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

var hashRE = regexp.MustCompile(`(?i)-hash-`)

// ParseTopic parses a topic as records write it, "Vocabulary: Term", into a
// Topic whose Key is the same for every spelling variant: case, runs of
// spaces, non-breaking spaces, entities and the "-hash-" spelling of "#" do
// not matter, while different vocabularies stay different topics. ok is
// false when nothing is left of the term.
func ParseTopic(s string) (t Topic, ok bool) {
	s = CleanText(hashRE.ReplaceAllString(s, "#"))
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

func (p *parser) topics(community, medigy *yaml.Node) []Topic {
	raw := list(community)
	if s := scalar(medigy); strings.TrimSpace(s) != "" {
		var arr []string
		if err := json.Unmarshal([]byte(s), &arr); err != nil {
			p.warn(medigy, "openProjectCustomFields.medigyTopics", fmt.Errorf("not a JSON array of strings, ignored: %v", err))
		} else {
			raw = append(raw, arr...)
		}
	} else if medigy != nil && medigy.Kind == yaml.SequenceNode {
		raw = append(raw, list(medigy)...)
	}
	var out []Topic
	seen := map[string]bool{}
	for _, r := range raw {
		t, ok := ParseTopic(r)
		if !ok || seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		out = append(out, t)
	}
	return out
}

var imageTypes = map[string]string{
	"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
	"webp": "image/webp", "svg": "image/svg+xml", "avif": "image/avif", "bmp": "image/bmp",
}

func (p *parser) image(n *yaml.Node, base *url.URL) *Image {
	m := mapping(n)
	if m == nil {
		return nil
	}
	if v := scalar(m["valid"]); v == "false" {
		return nil
	}
	href := scalar(m["href"])
	if strings.TrimSpace(href) == "" {
		return nil
	}
	u, ok := AbsoluteURL(href, base)
	if !ok {
		p.warn(m["href"], "featuredImage.href", fmt.Errorf("not a usable image URL, ignored: %.80q", href))
		return nil
	}
	typ := strings.ToLower(CleanText(scalar(m["mime_type"])))
	if !strings.HasPrefix(typ, "image/") || strings.ContainsAny(typ, " ;,") {
		typ = imageTypes[strings.ToLower(CleanText(scalar(m["format"])))]
	}
	if typ == "" {
		ext := strings.TrimPrefix(strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0])), ".")
		typ = imageTypes[ext]
	}
	if typ == "" {
		p.warn(m["format"], "featuredImage.format", errors.New("unknown image type, image ignored"))
		return nil
	}
	img := &Image{URL: u, Type: typ, Alt: CleanText(scalar(m["alt"]))}
	if sz := list(m["size"]); len(sz) == 2 {
		w, errW := strconv.Atoi(sz[0])
		h, errH := strconv.Atoi(sz[1])
		if errW == nil && errH == nil && w > 0 && h > 0 {
			img.Width, img.Height = w, h
		}
	}
	return img
}

// sitePath is where the item lives on the site: basePath, or ogUrl in older
// exports that have no basePath.
func (x *Extra) sitePath() string {
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
		slug = Slugify(seg)
	}
	if slug == "" {
		if seg := segmentAfter(typ, "communities"); seg != "" {
			slug = Slugify(seg)
		}
	}
	if slug == "" {
		return Community{}
	}
	name := CleanText(identifier)
	if name == "" {
		name = CleanText(mastHead)
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
	bp = strings.TrimSpace(bp)
	if bp == "" || strings.Contains(bp, "..") || strings.Contains(bp, "\\") || strings.ContainsAny(bp, "?#") {
		return ""
	}
	c := path.Clean("/" + bp)
	if c == "/" {
		return "/"
	}
	return c + "/"
}

// pageURL is the item's page on the community site: site + basePath + slug.
func pageURL(site *url.URL, basePath, slug string) string {
	slug = strings.TrimSpace(slug)
	bp := cleanBasePath(basePath)
	if slug == "" || bp == "" || strings.ContainsAny(slug, "/\\?#") || strings.Contains(slug, "..") || !utf8.ValidString(slug) {
		return ""
	}
	u := site.ResolveReference(&url.URL{Path: bp + slug + "/"})
	s, ok := AbsoluteURL(u.String(), nil)
	if !ok {
		return ""
	}
	return s
}

// itemID derives the permanent id: the record's mdName UUID when it has one,
// else a name-based (version 5) UUID of the site and the record's id, else of
// the site and the file's path.
func itemID(mdName, recordID string, site *url.URL, name string) string {
	if isUUID(mdName) {
		return "urn:uuid:" + strings.ToLower(mdName)
	}
	host := ""
	if site != nil {
		host = site.Host
	}
	if recordID != "" {
		return "urn:uuid:" + uuidV5(host+"/records/"+recordID)
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

// truncateText shortens plain text to at most max runes, at a word boundary,
// ending with an ellipsis when it cut.
func truncateText(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := 0
	for i := range s {
		if cut >= max {
			s = s[:i]
			break
		}
		cut++
	}
	if j := strings.LastIndexByte(s, ' '); j > len(s)/2 {
		s = s[:j]
	}
	return strings.TrimRight(s, " ,;:.-") + "…"
}

// scalar returns a scalar node's value, or "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// list returns the scalars of a sequence node, or a scalar as a list of one.
func list(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if s := scalar(n); s != "" {
			return []string{s}
		}
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if s := scalar(c); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// first returns the first non-empty scalar of a scalar or sequence node.
func first(n *yaml.Node) string {
	for _, s := range list(n) {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// mapping returns the fields of a mapping node keyed by lower-cased name.
func mapping(n *yaml.Node) map[string]*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := strings.ToLower(n.Content[i].Value)
		if _, dup := m[k]; !dup {
			m[k] = n.Content[i+1]
		}
	}
	return m
}

// cleanList cleans each string as plain text and drops empties and
// case-insensitive duplicates, keeping the first spelling.
func cleanList(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		c := CleanText(s)
		k := foldCase(c)
		if c == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}
