package websub

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// CheckHub reports whether raw is a hub URL that feeds may announce and a
// Publisher may notify: an absolute http or https URL with a host and a port
// in range; with no credentials, no query parameter named for a secret
// (token, key, secret, sig and the like) and no fragment, since every feed
// and every Link header would publish them; and with no character a Link
// header cannot carry (white space, <, >, quotes, comma, backslash).
// curafeed checks Config.Hubs and HandlerOptions.Hubs with it.
//
// It returns the URL as errors and logs may show it, with any credentials,
// secret query values and fragment masked. When raw is refused, the error
// begins "invalid hub URL", names that form and says why; it never repeats
// a secret, and a raw that does not parse as a URL is not shown at all.
func CheckHub(raw string) (string, error) {
	shown, u, err := parseHub(raw)
	if err == nil {
		err = publicHub(raw, u)
	}
	switch {
	case err == nil:
		return shown, nil
	case u == nil:
		return shown, fmt.Errorf("invalid hub URL: %w", err)
	}
	return shown, fmt.Errorf("invalid hub URL %q: %w", shown, err)
}

// parseHub parses a hub URL and reports one that cannot be requested: not
// an absolute http or https URL, or with a port out of range. It also
// returns the URL as errors show it (see redactURL); u is nil when raw does
// not parse.
func parseHub(raw string) (shown string, u *url.URL, err error) {
	shown = redactURL(raw)
	u, err = url.Parse(raw)
	if err != nil {
		return shown, nil, errors.New("not a valid URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return shown, u, errors.New("not an absolute http or https URL")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return shown, u, fmt.Errorf("port %s is out of range", p)
		}
	}
	return shown, u, nil
}

// linkBreakers are the characters a hub URL may not hold: a Link header
// (RFC 8288) cannot carry them inside <...>, nor can a feed's href be
// copied from it safely.
const linkBreakers = " \t\r\n<>\"',\\"

// publicHub reports what in a requestable hub URL keeps it from being
// announced: every feed and Link header would publish its credentials, its
// secret query parameters or its fragment, and some characters break a
// Link header.
func publicHub(raw string, u *url.URL) error {
	switch {
	case u.User != nil:
		return errors.New("it carries credentials, which every feed would publish")
	case secretQuery(u) != "":
		return fmt.Errorf("it carries a secret in its query (%s), which every feed would publish", secretQuery(u))
	case strings.Contains(raw, "#"):
		return errors.New("it has a fragment, which a hub never receives and every feed would publish")
	case strings.ContainsAny(raw, linkBreakers):
		return errors.New("it has characters a Link header cannot carry; percent-encode them")
	}
	return nil
}

// redactURL returns the URL s as logs and errors may show it: its user
// information, the values of query parameters whose names say they hold a
// secret (see secretParam), and its fragment masked. A string that does not
// parse as a URL is not shown at all.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(not a valid URL)"
	}
	if u.User != nil {
		// A user name alone may well be a token; beside a password, it
		// is shown as url.URL.Redacted shows it.
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			name, _, hasValue := strings.Cut(part, "=")
			if secretParam(name) {
				if hasValue {
					parts[i] = name + "=xxxxx"
				}
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		u.Fragment, u.RawFragment = "xxxxx", ""
	}
	return u.String()
}

// secretQuery returns the first query parameter of u whose name says it
// holds a secret, or "".
func secretQuery(u *url.URL) string {
	for part := range strings.SplitSeq(u.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		if secretParam(name) {
			if n, err := url.QueryUnescape(name); err == nil {
				return n
			}
			return name
		}
	}
	return ""
}

// secretParam reports whether a query parameter's name (as it appears in a
// URL, percent-encoded or not) is one that carries a credential: a token,
// key, secret, password, signature, session or authorization, however it
// is spelled (api_key, apiKey, X-Amz-Signature, hub.secret, ...).
func secretParam(raw string) bool {
	name, err := url.QueryUnescape(raw)
	if err != nil {
		name = raw
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	n := b.String()
	for _, w := range []string{"token", "secret", "passw", "apikey", "credential", "signature", "session", "jwt", "bearer", "cookie", "privatekey", "accesskey"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	if strings.HasPrefix(n, "auth") && !strings.HasPrefix(n, "author") || strings.HasPrefix(n, "authoriz") {
		return true
	}
	switch n {
	case "key", "sig", "pwd", "pass", "hmac", "code":
		return true
	}
	return strings.HasSuffix(n, "key") || strings.HasSuffix(n, "sig") || strings.HasSuffix(n, "pwd")
}
