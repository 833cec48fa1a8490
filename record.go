package curafeed

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"path"
	"strings"
	"time"
	"unsafe"

	"github.com/curafeed/curafeed/sanitize"
)

// Record is one curation record as a program supplies it: from a database,
// an API or code. NewItem turns it into an Item with exactly the cleaning
// that record files get; Load does the same for files, so the two give the
// same Item for the same content.
//
// Every text field may hold HTML entities, mojibake or invisible
// characters; they are cleaned. Body is sanitized like every record body.
type Record struct {
	// Name names the record in errors and becomes Item.Path: a file name,
	// a table and key ("articles/42"), whatever finds it again; ID when
	// empty.
	Name string
	// ID is the record's permanent identity, e.g. its primary key. A UUID
	// becomes the item id urn:uuid:<ID>; any other text a name-based UUID
	// of the site's host and ID, so the id never changes while ID does not.
	// Required.
	ID string
	// Title is the article's title, plain text. Required.
	Title string
	// Summary is a plain-text description; when empty, the start of the
	// body's text is used.
	Summary string
	// Body is the article's body: HTML, or Markdown when Markdown is set.
	Body     string
	Markdown bool
	// URL is the item's page on the community site: absolute http(s), or a
	// path resolved against Config.SiteURL. Relative URLs in Body and
	// Image are resolved against it.
	URL string
	// ExternalURL is the curated article, an absolute http(s) URL.
	ExternalURL string
	// Brand is the curated article's publisher.
	Brand string
	// Published is when the record was published; Updated when it was
	// last changed. At least one is required.
	Published, Updated time.Time
	// Community is the display name of the community the record belongs
	// to, or ""; its slug is derived from it.
	Community string
	// Topics are written "Vocabulary: Term" (or just "Term").
	Topics []string
	// Tags are extra categories.
	Tags []string
	// Authors are curator names; e-mail addresses are not published.
	Authors []string
	// Image is the featured image, or nil. Its URL may be relative to URL;
	// its Type is guessed from the URL's extension when empty.
	Image *Image
	// Status is the workflow status: Config.PublishedStatuses publish the
	// record, Config.RetractedStatuses withdraw it, any other keeps it out.
	Status string
	// Archetype is the kind of record, e.g. curate-content or news
	// (Config.Archetypes).
	Archetype string

	// Set by the record-file reader only.
	recordID  string    // the curation system's id, kept apart from ID
	community Community // resolved from the file's site path
	extra     siteFields
	body      []byte // Body without a copy
	fileID    bool   // an empty ID falls back to the file's path
	at        func(key string) (field string, line int)
}

// NewItem normalizes and sanitizes r. It returns the item and the warnings
// (problems that cost a field, not the record); or, when r cannot be
// published (no title, no id, no date), a nil item and an ErrorList whose
// errors name r.Name and the field. cfg gives the site the item belongs to
// (Config.SiteURL is required); the other settings apply when the items are
// loaded or built.
func NewItem(r Record, cfg Config) (*Item, ErrorList) {
	_, site, err := cfg.normalize()
	if err != nil {
		if r.Name == "" {
			r.Name = sanitize.Plain(r.ID)
		}
		return nil, ErrorList{{Path: r.Name, Field: "Config", Err: err}}
	}
	var warnings ErrorList
	it, err := newItem(&r, site, &warnings)
	if err != nil {
		return nil, append(warnings, asRecordError(r.Name, err))
	}
	return it, warnings
}

// LoadRecords loads records from code as Load loads record files: each is
// made an Item by NewItem, and the items are deduplicated, filtered by
// status, archetype and date, and sorted the same way. A record that
// cannot be published is listed in Records.Errors and the others are
// still loaded. An error yielded by records stops the load and is
// returned, unless it is a *RecordError, which is listed with the others.
func LoadRecords(records iter.Seq2[Record, error], cfg Config) (*Records, error) {
	cfg, site, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	if records == nil {
		return nil, errors.New("curafeed: no records: the iterator is nil")
	}
	r := &Records{}
	var items []*Item
	for rec, err := range records {
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				return nil, err
			}
			r.Errors = append(r.Errors, re)
			continue
		}
		r.Files++
		it, err := newItem(&rec, site, &r.Warnings)
		if err != nil {
			r.Errors = append(r.Errors, asRecordError(rec.Name, err)) // newItem named it
			continue
		}
		items = append(items, it)
	}
	r.finish(items, cfg)
	return r, nil
}

func asRecordError(name string, err error) *RecordError {
	var re *RecordError
	if errors.As(err, &re) {
		return re
	}
	return &RecordError{Path: name, Err: err}
}

// newItem is the one path from a record to an Item, for records from files
// and from code. Warnings are appended to warnings.
func newItem(r *Record, site *url.URL, warnings *ErrorList) (*Item, error) {
	if r.Name == "" {
		r.Name = sanitize.Plain(r.ID)
	}
	at := r.at
	if at == nil {
		at = func(key string) (string, int) { return recordFieldNames[key], 0 }
	}
	fail := func(key string, err error) error {
		field, line := at(key)
		return &RecordError{Path: r.Name, Line: line, Field: field, Err: err}
	}
	warn := func(key string, err error) {
		field, line := at(key)
		warnings.add(r.Name, line, field, err)
	}
	it := &Item{Path: r.Name, checked: true}

	it.Title = sanitize.Text(r.Title)
	if it.Title == "" {
		if strings.TrimSpace(r.Title) == "" {
			return nil, fail("title", errors.New("missing: every record needs a title"))
		}
		return nil, fail("title", errors.New("empty after cleaning: every record needs a title"))
	}

	pub, mod := r.Published, r.Updated
	switch {
	case pub.IsZero() && mod.IsZero():
		return nil, fail("date", errors.New("missing: a record needs date or lastMod"))
	case pub.IsZero():
		pub = mod
	case mod.IsZero() || mod.Before(pub):
		mod = pub
	}
	it.Published, it.Updated = pub.UTC(), mod.UTC()
	if err := datesInRange(it.Published, it.Updated); err != nil {
		return nil, fail("date", err)
	}

	id := strings.TrimSpace(sanitize.Text(r.ID))
	if id == "" && !r.fileID {
		return nil, fail("id", errors.New("missing: every record needs a permanent id"))
	}
	it.ID = itemID(id, site, r.Name)
	it.RecordID = sanitize.Text(r.recordID)
	if !r.fileID {
		it.RecordID = id
	}

	if raw := strings.TrimSpace(r.URL); raw != "" {
		if u, ok := sanitize.URL(raw, site); ok {
			it.URL = u
		} else {
			warn("url", fmt.Errorf("not an http(s) URL on the site, ignored: %.80q", raw))
		}
	}
	base := site
	if it.URL != "" {
		base, _ = url.Parse(it.URL)
	} else if bp := cleanBasePath(r.extra.BasePath); bp != "" {
		base = site.ResolveReference(&url.URL{Path: bp})
	}
	if raw := strings.TrimSpace(r.ExternalURL); raw != "" {
		if u, ok := sanitize.URL(raw, nil); ok {
			it.ExternalURL = u
		} else {
			warn("link", fmt.Errorf("not an absolute http(s) URL, ignored: %.80q", raw))
		}
	}
	it.Brand = sanitize.Text(r.Brand)

	it.Community = r.community
	if it.Community.Slug == "" && r.Community != "" {
		name := sanitize.Text(r.Community)
		if slug := sanitize.Slug(name); slug != "" {
			it.Community = Community{Slug: slug, Name: name}
		}
	}
	it.Topics = topicList(r.Topics)
	it.Tags = cleanList(r.Tags)
	it.Authors = authorList(r.Authors)
	it.Image = newImage(r.Image, base, warn)
	it.Status = sanitize.Text(r.Status)
	it.Archetype = sanitize.Text(r.Archetype)
	it.extra = r.extra

	body := r.body
	if body == nil && r.Body != "" {
		body = []byte(r.Body)
	}
	if body = bytes.TrimSpace(body); len(body) > 0 {
		it.content = &lazyHTML{body: body, markdown: r.Markdown, base: base}
	}
	it.Summary = sanitize.Summary(r.Summary, it.content.getter())
	if r.fileID {
		detach(it)
	}
	return it, nil
}

// detach gives the strings of an item read from a record file their own
// memory: clean text is not copied by cleaning, and would otherwise keep
// the whole front matter it was read from alive as long as the item. The
// strings are copied into one buffer, so that an item is one object more
// for the garbage collector to mark rather than dozens.
func detach(it *Item) {
	ptrs := []*string{&it.ID, &it.RecordID, &it.Path, &it.Title, &it.Summary, &it.URL,
		&it.ExternalURL, &it.Brand, &it.Status, &it.Archetype, &it.Community.Slug, &it.Community.Name,
		&it.extra.BasePath, &it.extra.OGURL}
	// The lists share one backing array too.
	lists := []*[]string{&it.Tags, &it.Authors}
	total := 0
	for _, l := range lists {
		total += len(*l)
	}
	elems := make([]string, 0, total)
	for _, l := range lists {
		if len(*l) == 0 {
			continue
		}
		start := len(elems)
		elems = append(elems, *l...)
		*l = elems[start:len(elems):len(elems)]
	}
	for i := range elems {
		ptrs = append(ptrs, &elems[i])
	}
	for i := range it.Topics {
		t := &it.Topics[i]
		ptrs = append(ptrs, &t.Key, &t.Vocabulary, &t.Term)
	}
	if it.Image != nil {
		ptrs = append(ptrs, &it.Image.URL, &it.Image.Type, &it.Image.Alt)
	}
	packStrings(ptrs...)
}

// packStrings copies the strings at ptrs into one new buffer, each then
// pointing into it. A string kept from the buffer keeps all of it alive:
// an item made lighter packs the strings it keeps anew.
func packStrings(ptrs ...*string) {
	n := 0
	for _, p := range ptrs {
		n += len(*p)
	}
	buf := make([]byte, 0, n) // never grows, and never changes once filled
	for _, p := range ptrs {
		if len(*p) == 0 {
			*p = ""
			continue
		}
		start := len(buf)
		buf = append(buf, *p...)
		*p = unsafe.String(&buf[start], len(*p))
	}
}

// datesInRange refuses dates that feeds cannot carry or that no article
// has: RFC 3339 and RFC 822 dates have four-digit years, and a year before
// 1000 is a date left at its zero value, or a typo.
func datesInRange(ts ...time.Time) error {
	for _, t := range ts {
		if y := t.Year(); y < 1000 || y > 9999 {
			return fmt.Errorf("year %d is out of range: a record's dates are in the years 1000 to 9999", y)
		}
	}
	return nil
}

// recordFieldNames name the fields of a Record in errors about records from
// code.
var recordFieldNames = map[string]string{
	"title": "Title", "date": "Published", "id": "ID", "url": "URL", "link": "ExternalURL",
	"image": "Image.URL", "image.type": "Image.Type",
}

// topicList parses topics, keeping the first of each Key, in order.
func topicList(raw []string) []Topic {
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

// authorList cleans author names; an e-mail address is never published:
// "Jane Doe <jane@example.org>" keeps the name, a bare address is dropped.
func authorList(raw []string) []string {
	out := make([]string, 0, len(raw))
	for _, a := range raw {
		if i := strings.IndexByte(a, '<'); i > 0 && strings.Contains(a[i:], "@") {
			a = a[:i]
		}
		if strings.Contains(a, "@") && !strings.ContainsAny(strings.TrimSpace(a), " \t") {
			continue
		}
		out = append(out, a)
	}
	return cleanList(out)
}

// newImage checks an image: its URL must be http(s) (resolved against
// base) and its type an image type, given or known from the URL's
// extension.
func newImage(img *Image, base *url.URL, warn func(key string, err error)) *Image {
	if img == nil || strings.TrimSpace(img.URL) == "" {
		return nil
	}
	u, ok := sanitize.URL(img.URL, base)
	if !ok {
		warn("image", fmt.Errorf("not a usable image URL, ignored: %.80q", img.URL))
		return nil
	}
	typ := strings.ToLower(sanitize.Text(img.Type))
	if !strings.HasPrefix(typ, "image/") || strings.ContainsAny(typ, " ;,") {
		typ = imageTypes[strings.TrimPrefix(typ, "image/")]
	}
	if typ == "" {
		ext := strings.TrimPrefix(strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0])), ".")
		typ = imageTypes[ext]
	}
	if typ == "" {
		warn("image.type", errors.New("unknown image type, image ignored"))
		return nil
	}
	out := &Image{URL: u, Type: typ, Alt: sanitize.Text(img.Alt)}
	if img.Width > 0 && img.Height > 0 {
		out.Width, out.Height = img.Width, img.Height
	}
	return out
}

// checkItem gives an item made in code, not by NewItem or Load, the checks
// a record gets. Its text fields are plain text, as Item documents: they
// lose what XML forbids and invisible controls, and are normalized, but
// markup in them stays text. Links that are not http(s) are dropped with a
// warning; an item with no id, title or date is refused. it is not
// modified: the checked item is a copy.
func checkItem(it *Item, site *url.URL, warnings *ErrorList) (*Item, error) {
	c := *it
	c.checked = true
	fail := func(field string, err error) error {
		return &RecordError{Path: c.Path, Field: field, Err: err}
	}
	c.Path = sanitize.Plain(c.Path)
	c.ID = sanitize.Plain(c.ID)
	c.Title = sanitize.Plain(c.Title)
	if c.ID != "" && !isAbsoluteURI(c.ID) {
		// Atom ids must be IRIs: "42" becomes the id a Record of ID "42" gets.
		c.ID = itemID(c.ID, site, c.Path)
	}
	switch {
	case c.ID == "":
		return nil, fail("ID", errors.New("missing: every item needs a permanent id"))
	case c.Title == "":
		return nil, fail("Title", errors.New("missing: every item needs a title"))
	case c.Published.IsZero() && c.Updated.IsZero():
		return nil, fail("Published", errors.New("missing: an item needs Published or Updated"))
	case c.Published.IsZero():
		c.Published = c.Updated
	case c.Updated.IsZero() || c.Updated.Before(c.Published):
		c.Updated = c.Published
	}
	c.Published, c.Updated = c.Published.UTC(), c.Updated.UTC()
	if err := datesInRange(c.Published, c.Updated); err != nil {
		return nil, fail("Published", err)
	}
	c.RecordID = sanitize.Plain(c.RecordID)
	c.Summary = sanitize.Plain(c.Summary)
	c.Brand = sanitize.Plain(c.Brand)
	c.Status = sanitize.Plain(c.Status)
	c.Archetype = sanitize.Plain(c.Archetype)
	for _, l := range []struct {
		v     *string
		field string
		base  *url.URL
	}{{&c.URL, "URL", site}, {&c.ExternalURL, "ExternalURL", nil}} {
		if *l.v == "" {
			continue
		}
		u, ok := sanitize.URL(*l.v, l.base)
		if !ok {
			warnings.add(c.Path, 0, l.field, fmt.Errorf("not an http(s) URL, dropped: %.80q", *l.v))
		}
		*l.v = u
	}
	if c.Image != nil {
		base := site
		if c.URL != "" {
			base, _ = url.Parse(c.URL)
		}
		img := *c.Image
		img.Alt = sanitize.Plain(img.Alt)
		c.Image = newImage(&img, base, func(key string, err error) {
			warnings.add(c.Path, 0, recordFieldNames[key], err)
		})
	}
	if c.Community != (Community{}) {
		name := sanitize.Plain(c.Community.Name)
		slug := sanitize.Slug(c.Community.Slug)
		if slug == "" {
			slug = sanitize.Slug(name)
		}
		if name == "" {
			name = slug
		}
		c.Community = Community{Slug: slug, Name: name}
		if slug == "" {
			c.Community = Community{}
		}
	}
	var labels []string
	for _, t := range c.Topics {
		labels = append(labels, t.Label())
	}
	c.Topics = topicList(labels)
	c.Tags = plainList(c.Tags)
	c.Authors = plainList(c.Authors)
	x := &c.extra
	x.BasePath, x.OGURL = sanitize.Plain(x.BasePath), sanitize.Plain(x.OGURL)
	return &c, nil
}

// isAbsoluteURI reports whether s is an absolute URI fit for an Atom id:
// a scheme, then something, and no spaces or characters a URI cannot hold.
func isAbsoluteURI(s string) bool {
	for _, r := range s {
		if r < 0x21 || r == 0x7f || strings.ContainsRune("<>\"{}|\\^`", r) {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "")
}

// plainList is sanitize.Plain of each string, dropping empty ones.
func plainList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = sanitize.Plain(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
