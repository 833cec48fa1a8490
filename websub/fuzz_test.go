package websub

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRedactURL requires redactURL never to show the value of a query
// parameter named for a secret, nor a password.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"https://u:p@h/x?token=abc&a=b#frag", "https://h/?to%6Ben=abc", "http://h/?key=abc;x=y", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		shown := redactURL(s)
		u, err := url.Parse(s)
		if err != nil {
			if shown != "(not a valid URL)" {
				t.Fatalf("%q is shown as %q", s, shown)
			}
			return
		}
		if p, ok := u.User.Password(); ok && len(p) > 5 && strings.Contains(shown, p) && !strings.Contains(shown, "xxxxx") {
			t.Fatalf("%q shows its password: %q", s, shown)
		}
		su, err := url.Parse(shown)
		if err != nil {
			t.Fatalf("%q is shown as %q, which does not parse: %v", s, shown, err)
		}
		for part := range strings.SplitSeq(su.RawQuery, "&") {
			name, value, ok := strings.Cut(part, "=")
			if ok && secretParam(name) && value != "xxxxx" {
				t.Fatalf("%q is shown as %q: %s is not masked", s, shown, name)
			}
		}
	})
}

// FuzzCheckHub requires CheckHub never to panic, never to accept a hub URL
// that feeds cannot announce, and never to repeat a password or a secret
// query value in what it returns.
func FuzzCheckHub(f *testing.F) {
	for _, s := range []string{"https://hub.example/", "https://u:p4ssw0rd@h/x?token=abc&a=b#frag", "https://h/?to%6Ben=s3cret", "http://h:99999/", "%zz", "https://h/a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		shown, err := CheckHub(raw)
		if err != nil {
			u, perr := url.Parse(raw)
			if perr != nil {
				return
			}
			if p, ok := u.User.Password(); ok && len(p) > 5 && !strings.Contains("xxxxx", p) && !strings.Contains(u.Host+u.Path, p) && strings.Contains(err.Error(), p) {
				t.Fatalf("%q: the error shows its password: %v", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		switch {
		case perr != nil:
			t.Fatalf("%q is accepted but does not parse: %v", raw, perr)
		case u.Scheme != "http" && u.Scheme != "https", u.Hostname() == "":
			t.Fatalf("%q is accepted but is not an absolute http(s) URL", raw)
		case u.User != nil, secretQuery(u) != "", strings.ContainsAny(raw, linkBreakers+"#"):
			t.Fatalf("%q is accepted but a feed cannot announce it", raw)
		case shown != u.String():
			t.Fatalf("%q is accepted but shown as %q", raw, shown)
		}
	})
}
