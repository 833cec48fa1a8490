package curafeed

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/curafeed/curafeed/websub"
	"github.com/klauspost/compress/gzip"
)

// defaultCacheControl is the Cache-Control header the handler sends when
// HandlerOptions.CacheControl is empty: any cache may keep a feed for five
// minutes, about as often as feed readers poll.
const defaultCacheControl = "public, max-age=300"

// defaultArchiveCacheControl is the Cache-Control header of full archive
// documents when HandlerOptions.ArchiveCacheControl is
// empty: their items stay until a record of theirs is edited or withdrawn,
// so caches may keep them a week, and revalidate with their ETag after.
const defaultArchiveCacheControl = "public, max-age=604800"

// maxPathLen bounds the request paths the handler looks up; longer ones are
// answered 404 without further work.
const maxPathLen = 1024

// HandlerOptions configures the handler of NewHandler and of a Reloader.
// The zero value is ready to use. Options are read once, when the handler is
// built, so changing them afterwards changes nothing; they are not otherwise
// shared and need no locking.
type HandlerOptions struct {
	// CacheControl is the Cache-Control header of every file served;
	// defaultCacheControl when empty.
	CacheControl string
	// ArchiveCacheControl is the Cache-Control header of full archive
	// documents; defaultArchiveCacheControl when empty. An archive document
	// that is not full yet gets CacheControl.
	ArchiveCacheControl string
	// Hubs are WebSub hub URLs, each announced on every feed with a
	// Link: <hub>; rel="hub" header, besides the catalog's Config.Hubs.
	// Empty ones are skipped; each other must pass websub.CheckHub, or the
	// handler answers every request with 500 (NewReloader returns the
	// error).
	Hubs []string
}

// NewHandler returns an http.Handler that serves the catalog's tree, the
// files of Catalog.Files (index.opml, all/, communities/{c}/, topics/{t}/,
// communities/{c}/topics/{t}/, each with rss.xml, atom.xml and feed.json, and
// whatever else Files yields), relative to where it is mounted: at "/", or
// under a prefix with http.StripPrefix.
//
// Every file is rendered once, here, and compressed with gzip once; requests
// only pick bytes that are ready. Each response carries the file's
// Content-Type, a strong ETag (a hash of the bytes sent, so the gzip form has
// its own), Last-Modified (the feed's updated time), Cache-Control,
// Vary: Accept-Encoding, X-Content-Type-Options: nosniff and Link headers
// for the file's own URL (rel="self") and each hub (rel="hub", on feeds).
// Conditional requests follow RFC 9110: If-Match and If-Unmodified-Since give
// 412 when they fail; If-None-Match (weak comparison, lists and "*") and,
// when it is absent, If-Modified-Since give 304. Range requests are ignored
// (RFC 9110 allows it): feeds are small and always sent whole. HEAD gets the
// headers of GET; other methods get 405 with Allow: GET, HEAD. Unknown paths,
// paths with an encoded slash and paths longer than 1024 bytes get 404 with
// a short plain-text body. A path ending in "/" serves that directory's
// index.html when the tree has one, and 404 otherwise: feed directories
// such as communities/{c}/ are not listed.
//
// The handler never changes: to serve a newer catalog, build a new handler,
// or use a Reloader. A nil catalog serves nothing (404 everywhere); a catalog
// that cannot be rendered (an encoder failed) is answered with 500. The
// handler is safe for concurrent use.
func NewHandler(c *Catalog, opts HandlerOptions) http.Handler {
	h, err := newHandler(c, opts, time.Now(), nil)
	if err != nil {
		return &handler{err: err}
	}
	return h
}

// handler serves one rendered catalog.
type handler struct {
	files    map[string]*entry
	rendered int   // files rendered when the handler was made
	err      error // the catalog could not be rendered: every request gets 500

	// store, when not nil, holds the bytes of the files instead of memory
	// (a Reloader's handlers keep them on disk); stored is the total of
	// this handler's bytes there. A handler made with a prev that has a
	// store uses it too, or a fresh one when most of it is garbage.
	store  *spillFile
	stored int64
	// base, when not nil, is the data file of the saved feeds a Reloader
	// restarted from (see readState), read only: the files taken from it
	// keep their bytes there, and only new bytes go to store.
	base *spillFile
}

// entry is one file of the tree, ready to send.
type entry struct {
	// styled marks RSS and Atom feeds, which carry the browser view's
	// stylesheet: browsers apply it only to a generic XML type.
	styled bool

	// plain is the file as it is; when gzip makes it smaller, gz is its
	// gzip form and plain.body is nil: the handler keeps only the smaller
	// bytes, and unzips them for the rare client that does not take gzip.
	plain *variant
	gz    *variant // nil when gzip does not make the file smaller
	size  int      // the length of the file as it is
	sum   uint64   // bodySum of the file as it is, to know it again
	key   uint64   // the document's content key in its format (Feed.docKey), 0 when unknown

	modified     time.Time // Last-Modified, whole seconds; zero when unknown
	lastModified string    // modified in HTTP date format

	// What the entry was made from, to reuse it for the same file.
	contentType string
	updated     time.Time
	capped      bool // modified is the build time, not updated
	// bare marks an entry read from a saved state: it has its bytes and
	// ETags but no headers (see entryMaker.dress), and is never served.
	bare bool
}

// variant is one encoding of a file: its bytes and the headers of a 200 and
// of a 304 response, built once. Each header value slice is full (len ==
// cap), so a caller appending to a value gets a copy and the shared slice
// stays unchanged.
type variant struct {
	body     []byte     // the bytes, when held in memory
	stored   *spillFile // else the file holding them, at span
	span     spillSpan
	etag     string // quoted
	full     []header
	notModif []header
}

type header struct {
	key string
	val []string
}

func one(v string) []string { return []string{v} }

// Header values shared by every response.
var (
	allowed      = one("GET, HEAD")
	nosniff      = one("nosniff")
	textPlain    = one("text/plain; charset=utf-8")
	varyEncoding = one("Accept-Encoding")
	varyStyled   = one("Accept, Accept-Encoding")
	xmlForPeople = one("application/xml; charset=utf-8")
	gzipEncoding = one("gzip")
)

// newHandler renders every file of c and prepares both encodings of each;
// now caps Last-Modified, which may not be later than the response. A file
// whose bytes, type and time prev already serves reuses prev's entry, so
// only changed files are hashed and compressed again; prev, when not nil,
// must have been built with the same options and site URL.
func newHandler(c *Catalog, opts HandlerOptions, now time.Time, prev *handler) (*handler, error) {
	h := &handler{files: map[string]*entry{}}
	if c == nil {
		return h, nil
	}
	cacheControl := opts.CacheControl
	if cacheControl == "" {
		cacheControl = defaultCacheControl
	}
	cc := one(cacheControl)
	archiveCC := one(opts.ArchiveCacheControl)
	if opts.ArchiveCacheControl == "" {
		archiveCC = one(defaultArchiveCacheControl)
	}
	cfg := c.cfg
	site := cfg.SiteURL
	var hubs []string
	for i, hub := range opts.Hubs {
		if _, err := websub.CheckHub(hub); hub != "" && err != nil {
			return nil, fmt.Errorf("curafeed: HandlerOptions.Hubs[%d]: %w", i, err)
		}
	}
	for _, hub := range slices.Concat(cfg.Hubs, opts.Hubs) {
		if hub != "" && !slices.Contains(hubs, hub) {
			hubs = append(hubs, hub)
		}
	}

	// Files are compressed as Files renders them, so that only a few are
	// held uncompressed at a time.
	mk := entryMaker{now: now, cc: cc, archiveCC: archiveCC, site: site, hubs: hubs}
	if prev != nil && prev.store != nil {
		h.store, h.base = prev.store, prev.base
		if prev.store.wasteful(prev.stored) {
			if s, err := newSpillFile(""); err == nil {
				h.store = s // the entries kept are copied there
			}
		}
		mk.store, mk.base = h.store, h.base
	}
	var mu sync.Mutex
	// add puts e in h, with its bytes in h's store when it has one.
	add := func(path string, e *entry, rendered bool) {
		e = mk.keepIn(e)
		mu.Lock()
		if old := h.files[path]; old != nil {
			h.stored -= old.storedBytes(h.store)
		}
		h.files[path] = e
		h.stored += e.storedBytes(h.store)
		if rendered {
			h.rendered++
		}
		mu.Unlock()
	}
	// With prev, each document's entries carry its content key, and a
	// document whose key prev's entries carry is not rendered at all.
	docs, index := c.documents(), true
	var keys map[*Feed]uint64
	var keep func(*Feed) bool
	if prev != nil {
		if c.patched != nil {
			// A patched catalog (see withItems): the documents it left
			// alone, and index.opml, index.html and feed.xsl, are as prev
			// serves them. Unless they move to a fresh store, h starts as a
			// copy of prev, and only the patched documents are looked at.
			index = false
			if h.store == prev.store {
				h.files, h.stored = maps.Clone(prev.files), prev.stored
				docs = docs[:0]
				for _, p := range slices.Sorted(maps.Keys(c.patched)) {
					if f := c.byPath[p]; f != nil {
						docs = append(docs, f)
					}
				}
			} else {
				for _, p := range []string{"index.opml", indexPath, stylesheetPath} {
					if e := prev.files[p]; e != nil {
						add(p, e, false)
					}
				}
			}
		}
		keyed := docs
		if c.patched != nil {
			keyed = slices.DeleteFunc(slices.Clone(docs), func(f *Feed) bool { return !c.patched[f.Path] })
		}
		keys = c.docKeys(keyed)
		// reuse takes prev's entries of f, in every format, when each
		// passes ok, and reports whether it did.
		reuse := func(f *Feed, ok func(e *entry, format Format) bool) bool {
			formats := Formats()
			kept := make([]*entry, len(formats))
			for i, format := range formats {
				e := prev.files[f.Path+"/"+format.fileName()]
				if e == nil || !ok(e, format) {
					return false
				}
				kept[i] = e
			}
			for i, format := range formats {
				e := kept[i]
				if e.bare {
					e = mk.dress(e, f, format)
				}
				add(f.Path+"/"+format.fileName(), e, false)
			}
			return true
		}
		keep = func(f *Feed) bool {
			if c.patched != nil && !c.patched[f.Path] && reuse(f, func(*entry, Format) bool { return true }) {
				return true
			}
			k, ok := keys[f]
			return ok && reuse(f, func(e *entry, format Format) bool {
				return e.key == formatKey(k, format) && !e.capped && e.updated.Equal(f.Updated)
			})
		}
		docs = slices.DeleteFunc(docs, keep)
	}
	// A Reloader's handler (prev has a store) keeps the items' encodings
	// in a temporary file while it renders, not in memory.
	var frags *spillFile
	if prev != nil && prev.store != nil {
		if s, err := newBufferedSpill(""); err == nil {
			frags = s
			defer frags.close()
		}
	}
	err := compressEach(func(fn func(File) error) error { return c.files(fn, docs, index, frags) }, func(f File, zw *gzip.Writer, buf *bytes.Buffer) {
		e := prev.reusable(f)
		if e == nil {
			e = mk.entry(f, zw, buf)
		}
		if keys != nil && f.Feed != nil {
			var key uint64 // unknown
			if k, ok := keys[f.Feed]; ok {
				key = formatKey(k, f.Format)
			}
			if e.key != key {
				c := *e // prev's entry stays as it is
				c.key = key
				e = &c
			}
		}
		add(f.Path, e, true)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// entryMaker makes the entries of one handler.
type entryMaker struct {
	now           time.Time
	cc, archiveCC []string
	site          string
	hubs          []string
	store         *spillFile // where the bytes go; nil: memory
	base          *spillFile // where bytes may stay (see handler.base)
}

// keepIn returns e with its bytes in m's store: e itself when they are
// there already (or m has no store), else a copy whose bytes were copied
// there. Bytes the store cannot take stay where they are.
func (m *entryMaker) keepIn(e *entry) *entry {
	if m.store == nil {
		return e
	}
	plain, pm := m.moved(e.plain)
	gz, gm := m.moved(e.gz)
	if !pm && !gm {
		return e
	}
	c := *e
	c.plain, c.gz = plain, gz
	return &c
}

// moved returns v with its bytes in m.store, and whether that took a copy.
func (m *entryMaker) moved(v *variant) (*variant, bool) {
	if v == nil || v.stored == m.store || (v.stored != nil && v.stored == m.base) || (v.stored == nil && v.body == nil) {
		return v, false
	}
	b := v.body
	if v.stored != nil {
		var err error
		if b, err = v.stored.read(v.span); err != nil {
			return v, false
		}
	}
	span, err := m.store.add(b)
	if err != nil {
		return v, false
	}
	c := *v
	c.body, c.stored, c.span = nil, m.store, span
	return &c, true
}

// storedBytes is the size of e's bytes held in store.
func (e *entry) storedBytes(store *spillFile) int64 {
	var n int64
	for _, v := range []*variant{e.plain, e.gz} {
		if v != nil && v.stored != nil && v.stored == store {
			n += v.span.n
		}
	}
	return n
}

// has reports whether v holds its bytes, in memory or in a store.
func (v *variant) has() bool { return v != nil && (v.body != nil || v.stored != nil) }

// reader reads v's bytes.
func (v *variant) reader() io.Reader {
	if v.stored != nil {
		return v.stored.reader(v.span)
	}
	return bytes.NewReader(v.body)
}

// entry makes f's entry, compressing it with zw into buf.
func (m *entryMaker) entry(f File, zw *gzip.Writer, buf *bytes.Buffer) *entry {
	e, mk := m.frame(f)
	e.plain, e.size, e.sum = mk(len(f.Body), etagOf(f.Body, ""), nil), len(f.Body), bodySum(f.Body)
	e.plain.body = f.Body
	buf.Reset()
	zw.Reset(buf)
	if _, err := zw.Write(f.Body); err == nil && zw.Close() == nil && buf.Len() < len(f.Body) {
		gz := bytes.Clone(buf.Bytes())
		e.gz = mk(len(gz), etagOf(gz, "-gz"), gzipEncoding)
		e.gz.body = gz
		e.plain.body = nil
	}
	return e
}

// dress returns a bare entry (see entry.bare) as the entry of document f
// in format, with the headers entry gives it; its bytes and ETags stay.
func (m *entryMaker) dress(bare *entry, f *Feed, format Format) *entry {
	e, mk := m.frame(File{Path: f.Path + "/" + format.fileName(), ContentType: bare.contentType, Updated: f.Updated, Feed: f, Format: format})
	e.size, e.key = bare.size, bare.key
	e.plain = mk(bare.size, bare.plain.etag, nil)
	e.plain.stored, e.plain.span = bare.plain.stored, bare.plain.span
	if bare.gz != nil {
		e.gz = mk(int(bare.gz.span.n), bare.gz.etag, gzipEncoding)
		e.gz.stored, e.gz.span = bare.gz.stored, bare.gz.span
	}
	return e
}

// frame makes f's entry without its bytes, and the function that makes
// each of its variants: n bytes with the given ETag and content coding.
func (m *entryMaker) frame(f File) (*entry, func(n int, etag string, encoding []string) *variant) {
	now, cc, archiveCC, site, hubs := m.now, m.cc, m.archiveCC, m.site, m.hubs
	e := &entry{contentType: f.ContentType, updated: f.Updated, styled: f.Feed != nil && f.Format != JSON}
	if !f.Updated.IsZero() {
		m := f.Updated.UTC().Truncate(time.Second)
		if m.After(now) {
			m, e.capped = now.UTC().Truncate(time.Second), true
		}
		e.modified, e.lastModified = m, m.Format(http.TimeFormat)
	}
	self := site + "/" + f.Path
	if f.Feed != nil {
		self = f.Feed.URL(f.Format)
	}
	links := []string{"<" + self + `>; rel="self"`}
	if f.Feed != nil {
		for _, hub := range hubs {
			links = append(links, "<"+hub+`>; rel="hub"`)
		}
	}
	links = links[:len(links):len(links)]
	vary := varyEncoding
	if e.styled {
		vary = varyStyled
	}
	fileCC := cc
	if f.Feed != nil && f.Feed.fullArchive() {
		fileCC = archiveCC
	}
	common := []header{
		{"Cache-Control", fileCC},
		{"Vary", vary},
		{"X-Content-Type-Options", nosniff},
	}
	return e, func(n int, etag string, encoding []string) *variant {
		v := &variant{etag: etag}
		etags := one(v.etag)
		v.notModif = append([]header{{"Etag", etags}}, common...)
		v.full = append([]header{
			{"Content-Type", one(f.ContentType)},
			{"Content-Length", one(strconv.Itoa(n))},
			{"Etag", etags},
			{"Link", links},
		}, common...)
		if e.lastModified != "" {
			v.full = append(v.full, header{"Last-Modified", one(e.lastModified)})
		}
		if encoding != nil {
			v.full = append(v.full, header{"Content-Encoding", encoding})
		}
		return v
	}
}

// bodySeed keys bodySum for the life of the process: handlers built one
// after the other by a Reloader compare their files with it.
var bodySeed = maphash.MakeSeed()

// bodySum is a fast 64-bit hash of a file's bytes, to tell whether a newer
// catalog's file is one a handler already serves without hashing it with
// SHA-256 again; its size must match too.
func bodySum(b []byte) uint64 { return maphash.Bytes(bodySeed, b) }

// reusable returns h's entry for f when it was made from the same file, or nil.
func (h *handler) reusable(f File) *entry {
	if h == nil {
		return nil
	}
	e := h.files[f.Path]
	if e == nil || e.capped || e.bare || e.contentType != f.ContentType || !e.updated.Equal(f.Updated) || e.size != len(f.Body) || e.sum != bodySum(f.Body) {
		return nil
	}
	return e
}

// compressEach calls fn for every file that files yields, on one goroutine
// per CPU, each with its own gzip writer and buffer, while files goes on
// yielding the next ones. It returns the error of files.
func compressEach(files func(func(File) error) error, fn func(f File, zw *gzip.Writer, buf *bytes.Buffer)) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan File, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
			for f := range jobs {
				fn(f, zw, &buf)
			}
		})
	}
	err := files(func(f File) error {
		jobs <- f
		return nil
	})
	close(jobs)
	wg.Wait()
	return err
}

// etagOf is the strong entity tag of body: a hash of its bytes, quoted, with
// suffix (the content coding) inside the quotes.
func etagOf(body []byte, suffix string) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + suffix + `"`
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr["Allow"] = allowed
		fail(w, r, http.StatusMethodNotAllowed, "405 method not allowed: use GET or HEAD\n")
		return
	}
	if h.err != nil {
		fail(w, r, http.StatusInternalServerError, "500 internal server error: the feeds could not be rendered\n")
		return
	}
	e := h.lookup(r.URL)
	if e == nil {
		fail(w, r, http.StatusNotFound, "404 not found: no feed at this address\n")
		return
	}
	v := e.plain
	if e.gz != nil && acceptsGzip(r.Header["Accept-Encoding"]) {
		v = e.gz
	}
	// A browser opening a feed as a page gets another representation (a
	// generic XML type), so another entity tag.
	page := e.styled && wantsPage(r.Header["Accept"])
	etag := v.etag
	if page {
		etag = etag[:len(etag)-1] + `-xml"`
	}
	switch e.precondition(r.Header, etag) {
	case http.StatusNotModified:
		for _, kv := range v.notModif {
			hdr[kv.key] = kv.val
		}
		if page {
			hdr["Etag"] = []string{etag}
		}
		w.WriteHeader(http.StatusNotModified)
		return
	case http.StatusPreconditionFailed:
		fail(w, r, http.StatusPreconditionFailed, "412 precondition failed\n")
		return
	}
	for _, kv := range v.full {
		hdr[kv.key] = kv.val
	}
	if page {
		hdr["Content-Type"] = xmlForPeople
		hdr["Etag"] = []string{etag}
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	// An error means the client went away (or the store could not be
	// read: the response is then cut short, which the client sees).
	switch {
	case v.body != nil:
		w.Write(v.body)
	case v.has():
		io.Copy(w, v.reader())
	case e.gz.has():
		e.writeUnzipped(w)
	}
}

// gzipReaders are reused to unzip files for clients that do not take gzip.
var gzipReaders sync.Pool

// writeUnzipped writes the file as it is, from its gzip form.
func (e *entry) writeUnzipped(w io.Writer) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	src := e.gz.reader()
	if zr == nil {
		var err error
		if zr, err = gzip.NewReader(src); err != nil {
			return // cannot happen: the handler zipped these bytes
		}
	} else if zr.Reset(src) != nil {
		return
	}
	buf := copyBuffers.Get().(*[]byte)
	io.CopyBuffer(w, zr, *buf)
	copyBuffers.Put(buf)
	gzipReaders.Put(zr)
}

// copyBuffers holds the buffers writeUnzipped copies through, for writers
// that do not read from a reader themselves.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// wantsPage reports whether a request comes from a browser opening the feed
// as a page: it accepts HTML and names no feed type. Browsers apply a feed's
// stylesheet only when it is served as generic XML, while feed readers get
// the feed's own type.
func wantsPage(accept []string) bool {
	html := false
	for _, a := range accept {
		a = strings.ToLower(a)
		if strings.Contains(a, "rss+xml") || strings.Contains(a, "atom+xml") {
			return false
		}
		html = html || strings.Contains(a, "text/html")
	}
	return html
}

// fail answers with a short plain-text error.
func fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	hdr := w.Header()
	hdr["Content-Type"] = textPlain
	hdr["X-Content-Type-Options"] = nosniff
	hdr["Content-Length"] = one(strconv.Itoa(len(msg)))
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		io.WriteString(w, msg)
	}
}

// lookup returns the file a request path names, or nil. The path is relative
// to the mount point with or without its leading slash; it is never cleaned,
// so "..", "." and doubled slashes name nothing.
func (h *handler) lookup(u *url.URL) *entry {
	if u == nil || len(u.Path) > maxPathLen || hasEncodedSlash(u.RawPath) {
		return nil
	}
	p := strings.TrimPrefix(u.Path, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return h.files[p]
}

func hasEncodedSlash(raw string) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == '%' && raw[i+1] == '2' && (raw[i+2] == 'f' || raw[i+2] == 'F') {
			return true
		}
	}
	return false
}

// precondition evaluates the request's conditional header fields against
// the selected representation, in the order of RFC 9110 section 13.2.2, and
// returns 304, 412 or 0 (send the file). Only GET and HEAD reach it.
func (e *entry) precondition(h http.Header, etag string) int {
	if im := h["If-Match"]; present(im) {
		if !etagMatch(im, etag, false) {
			return http.StatusPreconditionFailed
		}
	} else if ius := h["If-Unmodified-Since"]; len(ius) == 1 && !e.modified.IsZero() {
		if t, err := http.ParseTime(ius[0]); err == nil && e.modified.After(t) {
			return http.StatusPreconditionFailed
		}
	}
	if inm := h["If-None-Match"]; present(inm) {
		if etagMatch(inm, etag, true) {
			return http.StatusNotModified
		}
		return 0
	}
	if ims := h["If-Modified-Since"]; len(ims) == 1 && !e.modified.IsZero() {
		if ims[0] == e.lastModified {
			return http.StatusNotModified
		}
		if t, err := http.ParseTime(ims[0]); err == nil && !e.modified.After(t) {
			return http.StatusNotModified
		}
	}
	return 0
}

// present reports whether a header field has a non-empty value.
func present(vals []string) bool {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// etagMatch reports whether any entity tag of the field lines vals, or "*",
// matches etag (a strong, quoted tag). Weak comparison ignores a W/ prefix;
// strong comparison never matches a weak tag.
func etagMatch(vals []string, etag string, weak bool) bool {
	for _, s := range vals {
		for s != "" {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] == '*' {
				return true
			}
			isWeak := strings.HasPrefix(s, "W/")
			if isWeak {
				s = s[2:]
			}
			if s == "" || s[0] != '"' {
				// Not an entity tag: skip to the next member.
				_, s, _ = strings.Cut(s, ",")
				continue
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return false
			}
			tag := s[:end+2]
			s = s[end+2:]
			if tag == etag && (weak || !isWeak) {
				return true
			}
		}
	}
	return false
}

// acceptsGzip reports whether the Accept-Encoding field lines vals prefer
// gzip: gzip (or x-gzip, or "*" when neither is named) has a q-value above 0,
// and identity (or "*") is not given a higher one. Without the field, or
// when gzip is refused, the file is sent as it is.
func acceptsGzip(vals []string) bool {
	gz, star, identity := -1.0, -1.0, -1.0
	for _, s := range vals {
		for s != "" {
			var member string
			member, s, _ = strings.Cut(s, ",")
			coding, params, _ := strings.Cut(member, ";")
			coding = strings.TrimSpace(coding)
			q := qValue(params)
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				gz = max(gz, q)
			case coding == "*":
				star = q
			case strings.EqualFold(coding, "identity"):
				identity = q
			}
		}
	}
	if gz < 0 {
		gz = star
	}
	if identity < 0 {
		identity = star
	}
	return gz > 0 && gz >= identity
}

// qValue returns the weight in an Accept-Encoding member's parameters: 1 when
// there is none, 0 when it is malformed.
func qValue(params string) float64 {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		p = strings.TrimSpace(p)
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
			continue
		}
		q, err := strconv.ParseFloat(p[2:], 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return 0
		}
		return q
	}
	return 1
}
