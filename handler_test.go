package curafeed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// handlerNow is the time the test handlers are built at: after every sample
// record, so Last-Modified is the feed's updated time.
var handlerNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func sampleHandler(t testing.TB, opts HandlerOptions) (*Catalog, *handler) {
	t.Helper()
	_, cat := buildSample(t)
	h, err := newHandler(cat, opts, handlerNow, nil)
	require.NoError(t, err)
	return cat, h
}

// sampleFiles returns every file of the catalog's tree by path.
func sampleFiles(t testing.TB, cat *Catalog) map[string]File {
	t.Helper()
	files := map[string]File{}
	require.NoError(t, cat.Files(func(f File) error { files[f.Path] = f; return nil }))
	return files
}

func do(h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	var req *http.Request
	if strings.HasPrefix(target, "/") {
		req = httptest.NewRequest(method, target, nil)
	} else {
		// As http.StripPrefix("/feeds/", h) passes it on.
		req = httptest.NewRequest(method, "/", nil)
		req.URL.Path = target
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

// TestHandlerServesEveryFile requests every file Catalog.Files yields and
// checks that the handler sends exactly its bytes, type and validators.
func TestHandlerServesEveryFile(t *testing.T) {
	cat, h := sampleHandler(t, HandlerOptions{})
	files := sampleFiles(t, cat)
	require.Greater(t, len(files), 100)
	for p, f := range files {
		rec := do(h, "GET", "/"+p, nil)
		require.Equal(t, 200, rec.Code, p)
		assert.Equal(t, f.ContentType, rec.Header().Get("Content-Type"), p)
		assert.Equal(t, string(f.Body), rec.Body.String(), p)
		assert.Equal(t, etagOf(f.Body, ""), rec.Header().Get("ETag"), p)
		assert.Equal(t, strconv.Itoa(len(f.Body)), rec.Header().Get("Content-Length"), p)
		if f.Updated.IsZero() {
			assert.Empty(t, rec.Header().Get("Last-Modified"), p)
		} else {
			assert.Equal(t, f.Updated.UTC().Format(http.TimeFormat), rec.Header().Get("Last-Modified"), p)
		}
		self := cat.Config().SiteURL + "/" + p
		if f.Feed != nil {
			self = f.Feed.URL(f.Format)
		}
		assert.Equal(t, []string{"<" + self + `>; rel="self"`}, rec.Header().Values("Link"), p)
	}
}

// TestHandlerKindsAndFormats checks one feed of each kind in each format, by
// literal content type, and that each body parses.
func TestHandlerKindsAndFormats(t *testing.T) {
	_, h := sampleHandler(t, HandlerOptions{})
	types := map[string]string{
		"rss.xml":   "application/rss+xml; charset=utf-8",
		"atom.xml":  "application/atom+xml; charset=utf-8",
		"feed.json": "application/feed+json; charset=utf-8",
	}
	dirs := []string{"all", "communities/security", "topics/gartner-cybersecurity", "communities/security/topics/gartner-cybersecurity"}
	for _, dir := range dirs {
		for name, ctype := range types {
			p := "/" + dir + "/" + name
			t.Run(p, func(t *testing.T) {
				rec := do(h, "GET", p, nil)
				require.Equal(t, 200, rec.Code)
				assert.Equal(t, ctype, rec.Header().Get("Content-Type"))
				assert.Equal(t, "<https://community.example.org"+p+`>; rel="self"`, rec.Header().Get("Link"))
				if strings.HasSuffix(name, ".json") {
					var v map[string]any
					require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v))
					assert.Equal(t, "https://jsonfeed.org/version/1.1", v["version"])
				} else {
					require.NoError(t, xml.Unmarshal(rec.Body.Bytes(), new(struct{})))
				}
			})
		}
	}
	rec := do(h, "GET", "/index.opml", nil)
	require.Equal(t, 200, rec.Code)
	assert.Equal(t, "text/x-opml; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, `<https://community.example.org/index.opml>; rel="self"`, rec.Header().Get("Link"))
}

// TestHandlerHeaders runs every header rule against one feed.
func TestHandlerHeaders(t *testing.T) {
	cat, h := sampleHandler(t, HandlerOptions{})
	const path = "/communities/security/atom.xml"
	f := sampleFiles(t, cat)["communities/security/atom.xml"]
	plain := f.Body
	etag := etagOf(plain, "")
	lastMod := f.Updated.UTC().Truncate(time.Second)
	lm := lastMod.Format(http.TimeFormat)
	earlier := lastMod.Add(-time.Hour).Format(http.TimeFormat)
	later := lastMod.Add(time.Hour).Format(http.TimeFormat)
	gzRec := do(h, "GET", path, map[string]string{"Accept-Encoding": "gzip"})
	require.Equal(t, "gzip", gzRec.Header().Get("Content-Encoding"))
	gzTag := gzRec.Header().Get("ETag")

	type want struct {
		code    int
		gzip    bool              // body is the gzip form (else the plain one, for 200)
		headers map[string]string // "" means absent
		body    string            // for errors: a substring of the body
	}
	ok := want{code: 200}
	notModified := want{code: 304, headers: map[string]string{
		"ETag": etag, "Cache-Control": defaultCacheControl, "Vary": "Accept, Accept-Encoding",
		"Content-Type": "", "Content-Length": "", "Last-Modified": "", "Content-Encoding": "",
	}}
	gzipped := want{code: 200, gzip: true}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		header map[string]string
		want   want
	}{
		{name: "GET", want: want{code: 200, headers: map[string]string{
			"Content-Type":           "application/atom+xml; charset=utf-8",
			"Content-Length":         strconv.Itoa(len(plain)),
			"ETag":                   etag,
			"Last-Modified":          lm,
			"Cache-Control":          "public, max-age=300",
			"Vary":                   "Accept, Accept-Encoding",
			"X-Content-Type-Options": "nosniff",
			"Link":                   `<https://community.example.org/communities/security/atom.xml>; rel="self"`,
			"Content-Encoding":       "",
			"Accept-Ranges":          "",
		}}},
		{name: "path without leading slash", path: "communities/security/atom.xml", want: ok},
		{name: "query ignored", path: path + "?x=1", want: ok},

		// If-None-Match, weak comparison.
		{name: "INM same tag", header: map[string]string{"If-None-Match": etag}, want: notModified},
		{name: "INM weak tag", header: map[string]string{"If-None-Match": "W/" + etag}, want: notModified},
		{name: "INM list", header: map[string]string{"If-None-Match": `"nope", W/"other",` + etag}, want: notModified},
		{name: "INM star", header: map[string]string{"If-None-Match": "*"}, want: notModified},
		{name: "INM other tag", header: map[string]string{"If-None-Match": `"nope"`}, want: ok},
		{name: "INM unquoted", header: map[string]string{"If-None-Match": strings.Trim(etag, `"`)}, want: ok},
		{name: "INM unterminated", header: map[string]string{"If-None-Match": `"abc`}, want: ok},
		{name: "INM gzip tag, plain asked", header: map[string]string{"If-None-Match": gzTag}, want: ok},
		{name: "INM plain tag, gzip asked", header: map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}, want: gzipped},
		{name: "INM gzip tag, gzip asked", header: map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "gzip"},
			want: want{code: 304, headers: map[string]string{"ETag": gzTag, "Vary": "Accept, Accept-Encoding", "Content-Encoding": ""}}},

		// If-Modified-Since, only without If-None-Match.
		{name: "IMS equal", header: map[string]string{"If-Modified-Since": lm}, want: notModified},
		{name: "IMS later", header: map[string]string{"If-Modified-Since": later}, want: notModified},
		{name: "IMS earlier", header: map[string]string{"If-Modified-Since": earlier}, want: ok},
		{name: "IMS RFC 850 date", header: map[string]string{"If-Modified-Since": lastMod.Format("Monday, 02-Jan-06 15:04:05 GMT")}, want: notModified},
		{name: "IMS not a date", header: map[string]string{"If-Modified-Since": "yesterday"}, want: ok},
		{name: "INM wins over IMS (no match)", header: map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": later}, want: ok},
		{name: "INM wins over IMS (match)", header: map[string]string{"If-None-Match": etag, "If-Modified-Since": earlier}, want: notModified},

		// If-Match and If-Unmodified-Since, strong comparison.
		{name: "IM same tag", header: map[string]string{"If-Match": etag}, want: ok},
		{name: "IM star", header: map[string]string{"If-Match": "*"}, want: ok},
		{name: "IM weak tag", header: map[string]string{"If-Match": "W/" + etag}, want: want{code: 412, body: "precondition failed"}},
		{name: "IM other tag", header: map[string]string{"If-Match": `"nope"`}, want: want{code: 412}},
		{name: "IUS later", header: map[string]string{"If-Unmodified-Since": later}, want: ok},
		{name: "IUS earlier", header: map[string]string{"If-Unmodified-Since": earlier}, want: want{code: 412}},
		{name: "IM wins over IUS", header: map[string]string{"If-Match": etag, "If-Unmodified-Since": earlier}, want: ok},

		// HEAD.
		{name: "HEAD", method: "HEAD", want: want{code: 200, headers: map[string]string{
			"Content-Length": strconv.Itoa(len(plain)), "ETag": etag, "Content-Type": "application/atom+xml; charset=utf-8"}}},
		{name: "HEAD gzip", method: "HEAD", header: map[string]string{"Accept-Encoding": "gzip"}, want: want{code: 200, gzip: true}},
		{name: "HEAD INM", method: "HEAD", header: map[string]string{"If-None-Match": etag}, want: notModified},

		// Ranges are ignored: the whole feed.
		{name: "Range", header: map[string]string{"Range": "bytes=0-9"}, want: ok},

		// gzip by Accept-Encoding.
		{name: "AE gzip", header: map[string]string{"Accept-Encoding": "gzip"}, want: gzipped},
		{name: "AE GZIP", header: map[string]string{"Accept-Encoding": "GZIP"}, want: gzipped},
		{name: "AE x-gzip", header: map[string]string{"Accept-Encoding": "x-gzip"}, want: gzipped},
		{name: "AE list", header: map[string]string{"Accept-Encoding": "br;q=1.0, gzip;q=0.8, deflate"}, want: gzipped},
		{name: "AE star", header: map[string]string{"Accept-Encoding": "*"}, want: gzipped},
		{name: "AE gzip q=0", header: map[string]string{"Accept-Encoding": "gzip;q=0"}, want: ok},
		{name: "AE gzip q=0.000", header: map[string]string{"Accept-Encoding": "deflate, gzip; q=0.000"}, want: ok},
		{name: "AE star q=0", header: map[string]string{"Accept-Encoding": "*;q=0"}, want: ok},
		{name: "AE identity preferred", header: map[string]string{"Accept-Encoding": "gzip;q=0.5, identity;q=1"}, want: ok},
		{name: "AE identity refused", header: map[string]string{"Accept-Encoding": "identity;q=0, gzip;q=0.1"}, want: gzipped},
		{name: "AE deflate only", header: map[string]string{"Accept-Encoding": "deflate, br"}, want: ok},
		{name: "AE bad q", header: map[string]string{"Accept-Encoding": "gzip;q=high"}, want: ok},
		{name: "AE empty", header: map[string]string{"Accept-Encoding": ""}, want: ok},

		// Methods.
		{name: "POST", method: "POST", want: want{code: 405, headers: map[string]string{
			"Allow": "GET, HEAD", "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "ETag": ""}, body: "method not allowed"}},
		{name: "PUT", method: "PUT", want: want{code: 405, headers: map[string]string{"Allow": "GET, HEAD"}}},
		{name: "DELETE", method: "DELETE", want: want{code: 405, headers: map[string]string{"Allow": "GET, HEAD"}}},
		{name: "OPTIONS", method: "OPTIONS", want: want{code: 405, headers: map[string]string{"Allow": "GET, HEAD"}}},

		// Paths that name nothing.
		{name: "unknown feed", path: "/communities/nope/rss.xml", want: want{code: 404, headers: map[string]string{
			"Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "ETag": "", "Cache-Control": ""}, body: "404 not found"}},
		{name: "feed directory", path: "/communities/security/", want: want{code: 404}},
		{name: "feed directory without slash", path: "/communities/security", want: want{code: 404}},
		{name: "dot dot", path: "/communities/security/../security/atom.xml", want: want{code: 404}},
		{name: "dot", path: "/communities/./security/atom.xml", want: want{code: 404}},
		{name: "double slash", path: "/communities//security/atom.xml", want: want{code: 404}},
		{name: "encoded slash", path: "/communities%2Fsecurity/atom.xml", want: want{code: 404}},
		{name: "encoded slash lower case", path: "/communities%2fsecurity%2fatom.xml", want: want{code: 404}},
		{name: "huge path", path: "/" + strings.Repeat("a/", 2000) + "rss.xml", want: want{code: 404}},
		{name: "file name only", path: "/atom.xml", want: want{code: 404}},
		{name: "404 HEAD", method: "HEAD", path: "/nope", want: want{code: 404}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method, p := tc.method, tc.path
			if method == "" {
				method = "GET"
			}
			if p == "" {
				p = path
			}
			rec := do(h, method, p, tc.header)
			res := rec.Result()
			require.Equal(t, tc.want.code, rec.Code, rec.Body.String())
			for k, v := range tc.want.headers {
				if v == "" {
					assert.Empty(t, res.Header.Values(k), k)
				} else {
					assert.Equal(t, []string{v}, res.Header.Values(k), k)
				}
			}
			switch {
			case tc.want.code == 200 && tc.want.gzip:
				assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
				assert.Equal(t, gzTag, res.Header.Get("ETag"))
				assert.NotEqual(t, etag, gzTag)
				assert.True(t, strings.HasSuffix(gzTag, `-gz"`), gzTag)
				assert.Equal(t, "Accept, Accept-Encoding", res.Header.Get("Vary"))
				if method == "GET" {
					assert.Equal(t, gzTag, etagOf(rec.Body.Bytes(), "-gz"), "the gzip ETag is the hash of the gzip bytes")
					assert.Equal(t, string(plain), string(gunzip(t, rec.Body.Bytes())))
					assert.Equal(t, strconv.Itoa(rec.Body.Len()), res.Header.Get("Content-Length"))
				}
			case tc.want.code == 200:
				assert.Empty(t, res.Header.Get("Content-Encoding"))
				assert.Equal(t, etag, res.Header.Get("ETag"))
				assert.Equal(t, "Accept, Accept-Encoding", res.Header.Get("Vary"))
				assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
				if method == "GET" {
					assert.Equal(t, string(plain), rec.Body.String())
				}
			case tc.want.code == 304:
				assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			default:
				assert.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
				if method != "HEAD" {
					assert.Contains(t, rec.Body.String(), tc.want.body)
					assert.Less(t, rec.Body.Len(), 100, "a short body")
					assert.Equal(t, strconv.Itoa(rec.Body.Len()), res.Header.Get("Content-Length"))
				}
			}
			if method == "HEAD" || tc.want.code == 304 {
				assert.Zero(t, rec.Body.Len(), "no body")
			}
		})
	}
}

func TestHandlerOptions(t *testing.T) {
	t.Run("default Cache-Control", func(t *testing.T) {
		_, h := sampleHandler(t, HandlerOptions{})
		assert.Equal(t, "public, max-age=300", do(h, "GET", "/all/rss.xml", nil).Header().Get("Cache-Control"))
	})
	t.Run("custom Cache-Control", func(t *testing.T) {
		_, h := sampleHandler(t, HandlerOptions{CacheControl: "public, max-age=60, stale-while-revalidate=600"})
		for _, p := range []string{"/all/rss.xml", "/index.opml"} {
			assert.Equal(t, "public, max-age=60, stale-while-revalidate=600", do(h, "GET", p, nil).Header().Get("Cache-Control"))
		}
		etag := do(h, "GET", "/all/rss.xml", nil).Header().Get("ETag")
		rec := do(h, "GET", "/all/rss.xml", map[string]string{"If-None-Match": etag})
		assert.Equal(t, 304, rec.Code)
		assert.Equal(t, "public, max-age=60, stale-while-revalidate=600", rec.Header().Get("Cache-Control"))
	})
	t.Run("hubs", func(t *testing.T) {
		_, h := sampleHandler(t, HandlerOptions{Hubs: []string{"https://hub.example.net/", "", "https://pubsubhubbub.example.com/"}})
		assert.Equal(t, []string{
			`<https://community.example.org/topics/gartner-cybersecurity/feed.json>; rel="self"`,
			`<https://hub.example.net/>; rel="hub"`,
			`<https://pubsubhubbub.example.com/>; rel="hub"`,
		}, do(h, "GET", "/topics/gartner-cybersecurity/feed.json", nil).Header().Values("Link"))
		assert.Equal(t, []string{`<https://community.example.org/index.opml>; rel="self"`},
			do(h, "GET", "/index.opml", nil).Header().Values("Link"), "hubs announce feeds, not the OPML list")
	})
}

// TestHandlerMounted serves the tree under /feeds/ in a ServeMux, with the
// prefix stripped with and without its trailing slash, and at the root.
func TestHandlerMounted(t *testing.T) {
	_, h := sampleHandler(t, HandlerOptions{})
	for _, strip := range []string{"/feeds", "/feeds/"} {
		t.Run(strip, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("/feeds/", http.StripPrefix(strip, h))
			rec := do(mux, "GET", "/feeds/communities/security/rss.xml", nil)
			require.Equal(t, 200, rec.Code)
			assert.Equal(t, "application/rss+xml; charset=utf-8", rec.Header().Get("Content-Type"))
			etag := rec.Header().Get("ETag")
			assert.Equal(t, 304, do(mux, "GET", "/feeds/communities/security/rss.xml", map[string]string{"If-None-Match": etag}).Code)
			assert.Equal(t, 200, do(mux, "GET", "/feeds/index.opml", nil).Code)
			assert.Equal(t, 404, do(mux, "GET", "/feeds/communities/security/", nil).Code)
			assert.Equal(t, 404, do(mux, "GET", "/feeds/nope.xml", nil).Code)
			assert.Equal(t, 404, do(mux, "GET", "/feeds/communities%2Fsecurity/rss.xml", nil).Code)
			assert.Equal(t, 404, do(mux, "GET", "/communities/security/rss.xml", nil).Code, "outside the mount")
		})
	}
	t.Run("root", func(t *testing.T) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		res, err := http.Get(srv.URL + "/all/feed.json")
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		assert.Equal(t, 200, res.StatusCode)
		assert.True(t, res.Uncompressed, "the client asked for gzip and got it")
		assert.True(t, json.Valid(body))
	})
}

// TestHandlerDirectoryIndex serves a directory's index.html, when the tree
// has one, for the directory's path.
func TestHandlerDirectoryIndex(t *testing.T) {
	_, h := sampleHandler(t, HandlerOptions{})
	_, hasIndex := h.files["index.html"]
	h.files["index.html"] = h.files["index.opml"]
	rec := do(h, "GET", "/", nil)
	assert.Equal(t, 200, rec.Code)
	assert.Equal(t, 200, do(http.StripPrefix("/feeds/", h), "GET", "/feeds/", nil).Code)
	assert.Equal(t, 200, do(http.StripPrefix("/feeds", h), "GET", "/feeds", nil).Code)
	if !hasIndex {
		delete(h.files, "index.html")
		assert.Equal(t, 404, do(h, "GET", "/", nil).Code)
	}
}

// TestHandlerWithoutDates requires the empty site feed of a catalog with
// nothing published to be served with the day of the build as its
// Last-Modified, the date its documents carry, and to answer 304 to it.
func TestHandlerWithoutDates(t *testing.T) {
	cfg := sampleConfig
	cfg.Now = time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)
	cat, err := Build(nil, cfg)
	require.NoError(t, err)
	h := NewHandler(cat, HandlerOptions{})
	rec := do(h, "GET", "/all/atom.xml", nil)
	require.Equal(t, 200, rec.Code)
	day := cfg.Now.UTC().Truncate(24 * time.Hour)
	assert.Equal(t, day.Format(http.TimeFormat), rec.Header().Get("Last-Modified"))
	assert.Contains(t, rec.Body.String(), "<updated>"+day.Format(time.RFC3339)+"</updated>")
	assert.Equal(t, 304, do(h, "GET", "/all/atom.xml", map[string]string{"If-Modified-Since": day.Format(http.TimeFormat)}).Code)
	assert.Equal(t, 200, do(h, "GET", "/all/atom.xml", map[string]string{"If-Modified-Since": day.Add(-time.Second).Format(http.TimeFormat)}).Code)
	assert.Equal(t, 304, do(h, "GET", "/all/atom.xml", map[string]string{"If-None-Match": rec.Header().Get("ETag")}).Code)
}

func TestHandlerLastModifiedNotInFuture(t *testing.T) {
	_, cat := buildSample(t)
	now := feedOf(cat, "all").Updated.Add(-48 * time.Hour)
	h, err := newHandler(cat, HandlerOptions{}, now, nil)
	require.NoError(t, err)
	rec := do(h, "GET", "/all/rss.xml", nil)
	assert.Equal(t, now.UTC().Format(http.TimeFormat), rec.Header().Get("Last-Modified"))
}

// TestHandlerReusesUnchangedFiles builds a handler from the one before it:
// files with the same bytes keep their entries (no hashing or compression
// again), except those whose Last-Modified was capped at the build time.
func TestHandlerReusesUnchangedFiles(t *testing.T) {
	cat, h1 := sampleHandler(t, HandlerOptions{})
	h2, err := newHandler(cat, HandlerOptions{}, handlerNow.Add(time.Hour), h1)
	require.NoError(t, err)
	require.Equal(t, len(h1.files), len(h2.files))
	for p, e := range h1.files {
		assert.Same(t, e, h2.files[p], p)
	}

	early := feedOf(cat, "all").Updated.Add(-time.Hour)
	h3, err := newHandler(cat, HandlerOptions{}, early, nil)
	require.NoError(t, err)
	h4, err := newHandler(cat, HandlerOptions{}, handlerNow, h3)
	require.NoError(t, err)
	assert.NotSame(t, h3.files["all/rss.xml"], h4.files["all/rss.xml"], "capped: made again")
	assert.Equal(t, feedOf(cat, "all").Updated.UTC().Format(http.TimeFormat), do(h4, "GET", "/all/rss.xml", nil).Header().Get("Last-Modified"))
	assert.Equal(t, early.UTC().Format(http.TimeFormat), do(h3, "GET", "/all/rss.xml", nil).Header().Get("Last-Modified"))
}

func TestHandlerNilCatalog(t *testing.T) {
	h := NewHandler(nil, HandlerOptions{})
	assert.Equal(t, 404, do(h, "GET", "/all/rss.xml", nil).Code)
	assert.Equal(t, 405, do(h, "POST", "/all/rss.xml", nil).Code)
}

func TestHandlerRenderError(t *testing.T) {
	h := &handler{err: assert.AnError}
	rec := do(h, "GET", "/all/rss.xml", nil)
	assert.Equal(t, 500, rec.Code)
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
}

// TestHandlerSharedHeaderValues checks that a caller appending to a header
// value of one response cannot change the next response.
func TestHandlerSharedHeaderValues(t *testing.T) {
	_, h := sampleHandler(t, HandlerOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/all/rss.xml", nil))
	rec.Header().Add("Vary", "Cookie")
	rec.Header().Add("Link", `<https://example.net/>; rel="other"`)
	rec = do(h, "GET", "/all/rss.xml", nil)
	assert.Equal(t, []string{"Accept, Accept-Encoding"}, rec.Header().Values("Vary"))
	assert.Len(t, rec.Header().Values("Link"), 1)
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"deflate", "gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.001"}, true},
		{[]string{"gzip;Q=1"}, true},
		{[]string{"gzip;q=1.5"}, false},
		{[]string{"gzip;q=-1"}, false},
		{[]string{"gzip;q=NaN"}, false},
		{[]string{"gzip;level=9"}, true},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"identity"}, false},
		{[]string{"identity;q=0.5, gzip"}, true},
		{[]string{"identity, gzip;q=0.5"}, false},
		{[]string{"gzip;q=0.5, *"}, false},
		{[]string{",,, gzip ,"}, true},
	} {
		assert.Equal(t, tc.want, acceptsGzip(tc.in), "%q", tc.in)
	}
}

func TestETagMatch(t *testing.T) {
	const tag = `"abc"`
	for _, tc := range []struct {
		in         string
		weak, strg bool
	}{
		{`"abc"`, true, true},
		{`W/"abc"`, true, false},
		{`*`, true, true},
		{` "x" , "abc"`, true, true},
		{`"x",W/"abc"`, true, false},
		{`"x"`, false, false},
		{`abc`, false, false},
		{`"ab`, false, false},
		{`W/`, false, false},
		{`"a,bc"`, false, false},
		{`"abc-gz"`, false, false},
		{``, false, false},
	} {
		assert.Equal(t, tc.weak, etagMatch([]string{tc.in}, tag, true), "weak %q", tc.in)
		assert.Equal(t, tc.strg, etagMatch([]string{tc.in}, tag, false), "strong %q", tc.in)
	}
	assert.True(t, etagMatch([]string{`"x"`, `"abc"`}, tag, true), "several field lines")
}

// FuzzHandler sends arbitrary paths and conditional headers: the handler
// never panics and answers with one of its status codes.
func FuzzHandler(f *testing.F) {
	_, h := sampleHandler(f, HandlerOptions{})
	f.Add("GET", "/all/rss.xml", "gzip", `"x"`, "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Add("HEAD", "/communities/security/atom.xml", "gzip;q=0", "*", "")
	f.Add("GET", "/a%2Fb", "*;q=", `W/"`, "x")
	f.Fuzz(func(t *testing.T, method, target, ae, inm, ims string) {
		req, err := http.NewRequest(method, "http://example.org/", nil)
		if err != nil {
			return
		}
		req.URL.Path, req.URL.RawPath = target, target
		req.Header["Accept-Encoding"] = []string{ae}
		req.Header["If-None-Match"] = []string{inm}
		req.Header["If-Modified-Since"] = []string{ims}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 304, 404, 405, 412:
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// benchWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the handler alone.
type benchWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }
func (w *benchWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkHandler serves one feed: the serving path picks ready bytes and
// headers and should allocate nothing.
func BenchmarkHandler(b *testing.B) {
	_, h := sampleHandler(b, HandlerOptions{})
	rec := do(h, "GET", "/communities/security/rss.xml", nil)
	etag, lm := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	gzTag := do(h, "GET", "/communities/security/rss.xml", map[string]string{"Accept-Encoding": "gzip"}).Header().Get("ETag")
	for _, bc := range []struct {
		name   string
		header http.Header
		code   int
	}{
		{"200", http.Header{}, 200},
		{"200-gzip", http.Header{"Accept-Encoding": {"gzip, deflate, br"}}, 200},
		{"304-etag", http.Header{"Accept-Encoding": {"gzip, deflate, br"}, "If-None-Match": {gzTag}}, 304},
		{"304-last-modified", http.Header{"If-Modified-Since": {lm}}, 304},
		{"304-etag-plain", http.Header{"If-None-Match": {etag}}, 304},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/communities/security/rss.xml", nil)
			req.Header = bc.header
			w := &benchWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
			if w.code != bc.code {
				b.Fatalf("status %d, want %d", w.code, bc.code)
			}
		})
	}
}

// BenchmarkNewHandler renders every file of the sample catalog and hashes
// and compresses it (fresh), or reuses what the previous handler made of
// the files that did not change (unchanged), as a reload does.
func BenchmarkNewHandler(b *testing.B) {
	_, cat := buildSample(b)
	prev, err := newHandler(cat, HandlerOptions{}, handlerNow, nil)
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		prev *handler
	}{{"fresh", nil}, {"unchanged", prev}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := newHandler(cat, HandlerOptions{}, handlerNow, bc.prev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestHandlerBrowserGetsStyledXML(t *testing.T) {
	_, h := sampleHandler(t, HandlerOptions{})
	for _, tc := range []struct {
		path, accept, want string
	}{
		{"/all/rss.xml", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml; charset=utf-8"},
		{"/all/atom.xml", "text/html,*/*;q=0.8", "application/xml; charset=utf-8"},
		{"/all/rss.xml", "application/rss+xml, text/html;q=0.5", "application/rss+xml; charset=utf-8"},
		{"/all/rss.xml", "*/*", "application/rss+xml; charset=utf-8"},
		{"/all/rss.xml", "", "application/rss+xml; charset=utf-8"},
		{"/all/feed.json", "text/html", "application/feed+json; charset=utf-8"},
	} {
		req := httptest.NewRequest("GET", tc.path, nil)
		if tc.accept != "" {
			req.Header.Set("Accept", tc.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, 200, rec.Code)
		assert.Equal(t, tc.want, rec.Header().Get("Content-Type"), "%s with Accept %q", tc.path, tc.accept)
		if tc.path != "/all/feed.json" {
			assert.Equal(t, "Accept, Accept-Encoding", rec.Header().Get("Vary"))
		}
		etag := rec.Header().Get("Etag")
		assert.Equal(t, strings.Contains(tc.want, "application/xml"), strings.HasSuffix(etag, `-xml"`), "a page has its own entity tag")
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, 304, rec.Code)
		assert.Equal(t, etag, rec.Header().Get("Etag"))
	}
}

// TestHandlerKeepsOneCopy requires the handler to keep each file once: its
// gzip form when that is smaller (the plain bytes are unzipped on demand),
// else the file as it is.
func TestHandlerKeepsOneCopy(t *testing.T) {
	cat, h := sampleHandler(t, HandlerOptions{})
	zipped := 0
	for p, e := range h.files {
		if e.gz != nil {
			zipped++
			assert.Nil(t, e.plain.body, p)
			assert.Less(t, len(e.gz.body), e.size, p)
		} else {
			assert.Len(t, e.plain.body, e.size, p)
		}
	}
	assert.Greater(t, zipped, len(h.files)/2, "most files are kept zipped")
	for p, f := range sampleFiles(t, cat) {
		rec := do(h, "GET", "/"+p, nil)
		assert.Equal(t, string(f.Body), rec.Body.String(), "%s unzipped for a client without gzip", p)
	}
}
