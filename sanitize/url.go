package sanitize

import (
	"net/url"
	"strings"
)

// URL resolves raw against base (which may be nil) and returns the
// result only if it is an absolute http or https URL with a host and without
// user information; otherwise ok is false. Surrounding whitespace is trimmed;
// control characters anywhere reject the URL. The result is printable ASCII,
// with anything else percent-encoded, and URL(result, nil) returns it
// unchanged.
func URL(raw string, base *url.URL) (string, bool) {
	return cleanURL(raw, base, false)
}

// cleanURL is URL that also accepts mailto URLs when mailto is true.
// It returns a URL only when that URL is a fixed point: cleaning it again, or
// letting net/url parse and print it (as the policy does), gives it back.
func cleanURL(raw string, base *url.URL, mailto bool) (string, bool) {
	if plainURL(raw) {
		return raw, true
	}
	if u, ok := resolvePlain(raw, base); ok {
		return u, true
	}
	return cleanURLParsed(raw, base, mailto)
}

// resolvePlain is the cleaning of a relative URL that is a plain path
// (unreserved characters and slashes, not starting with one, without dot
// segments or empty ones) against a base that has no user information or
// escaped path of its own: such a path only replaces the last segment of
// the base's path, so the result is the base's scheme, host and directory
// followed by raw, and cleanURLParsed gives exactly that whenever it is a
// plain URL. Relative image and link paths in records are such; they skip
// net/url's parses. ok is false for anything else.
func resolvePlain(raw string, base *url.URL) (string, bool) {
	if base == nil || raw == "" || raw[0] == '/' || base.Opaque != "" || base.User != nil ||
		base.RawPath != "" || base.Scheme != "http" && base.Scheme != "https" ||
		base.Path != "" && base.Path[0] != '/' {
		return "", false
	}
	for seg := range strings.SplitSeq(raw, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	for i := 0; i < len(raw); i++ {
		if !plainPathBytes[raw[i]] {
			return "", false
		}
	}
	dir := base.Path[:strings.LastIndexByte(base.Path, '/')+1]
	var b strings.Builder
	b.Grow(len(base.Scheme) + 3 + len(base.Host) + len(dir) + len(raw) + 1)
	b.WriteString(base.Scheme)
	b.WriteString("://")
	b.WriteString(base.Host)
	if dir == "" {
		b.WriteByte('/')
	}
	b.WriteString(dir)
	b.WriteString(raw)
	u := b.String()
	if !plainURL(u) {
		return "", false
	}
	return u, true
}

// cleanURLParsed is cleanURL by net/url: parsed, resolved and printed,
// and again to check the result is a fixed point.
func cleanURLParsed(raw string, base *url.URL, mailto bool) (string, bool) {
	u, ok := cleanURLOnce(raw, base, mailto)
	if !ok {
		return "", false
	}
	if u != raw { // else cleaning u again is what was just done
		if again, ok := cleanURLOnce(u, nil, mailto); !ok || again != u {
			return "", false
		}
	}
	if p, err := url.Parse(u); err != nil || p.String() != u {
		return "", false
	}
	return u, true
}

func cleanURLOnce(raw string, base *url.URL, mailto bool) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.ContainsFunc(raw, isControl) {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if mailto && u.Scheme == "mailto" {
		if u.Opaque == "" || u.Host != "" || u.User != nil {
			return "", false
		}
		return escapeURL(u.String()), true
	}
	if base == nil {
		base = u // removes dot segments from an absolute u
	}
	u = base.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Hostname() == "" {
		return "", false
	}
	u.Host = strings.ToLower(u.Host)
	return escapeURL(u.String()), true
}

// urlParts returns the host (lower case, without a port) and the path
// (unescaped) of the absolute URL u, as net/url reads them: without a parse
// for a plain URL (see plainURL), whose host is its text up to the path and
// whose path has nothing escaped.
func urlParts(u string) (host, path string, ok bool) {
	if plainURL(u) {
		_, rest, _ := strings.Cut(u, "://")
		i := 0
		for i < len(rest) && plainHostBytes[rest[i]] {
			i++
		}
		path, _, _ = strings.Cut(rest[i:], "?")
		return rest[:i], path, true
	}
	p, err := url.Parse(u)
	if err != nil {
		return "", "", false
	}
	return strings.ToLower(p.Hostname()), p.Path, true
}

// plainURL reports whether raw is an absolute http(s) URL that
// cleanURLParsed gives back unchanged whatever the base: a lower-case
// scheme; a host of lower-case letters, digits, dots and hyphens; a path of
// unreserved characters and slashes, without dot segments or empty ones;
// and a query, if any, of unreserved characters and "=&+,:;@/". Most URLs in
// records and bodies are such, and they skip net/url's three parses.
func plainURL(raw string) bool {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "http://"); !ok {
			return false
		}
	}
	i := 0
	for i < len(rest) && plainHostBytes[rest[i]] {
		i++
	}
	if i == 0 {
		return false
	}
	path, query, hasQuery := strings.Cut(rest[i:], "?")
	if path != "" && path[0] != '/' {
		return false
	}
	for j := 0; j < len(path); j++ {
		if !plainPathBytes[path[j]] {
			return false
		}
		if path[j] == '/' && j+1 < len(path) {
			// the next segment: not empty, not "." nor ".."
			seg := path[j+1:]
			if k := strings.IndexByte(seg, '/'); k >= 0 {
				seg = seg[:k]
			}
			if seg == "" || seg == "." || seg == ".." {
				return false
			}
		}
	}
	if hasQuery {
		if query == "" {
			return false
		}
		for j := 0; j < len(query); j++ {
			if !plainQueryBytes[query[j]] {
				return false
			}
		}
	}
	return true
}

var plainHostBytes, plainPathBytes, plainQueryBytes = func() (h, p, q [256]bool) {
	for c := range 256 {
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		h[c] = alnum && !('A' <= c && c <= 'Z') || c == '.' || c == '-'
		p[c] = alnum || strings.IndexByte("-._~/", byte(c)) >= 0
		q[c] = alnum || strings.IndexByte("-._~=&+,:;@/", byte(c)) >= 0
	}
	return h, p, q
}()

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// escapeURL percent-encodes every byte of s that may not appear literally in a
// URI (RFC 3986): net/url leaves the query, and non-ASCII hosts, as given.
func escapeURL(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isURIByte(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; isURIByte(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func isURIByte(c byte) bool { return uriBytes[c] }

// uriBytes marks the bytes a URI may hold literally: unreserved and
// reserved characters, and "%" of an escape.
var uriBytes = func() (t [256]bool) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = true
		default:
			t[c] = strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", byte(c)) >= 0
		}
	}
	return t
}()
