package curafeed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/curafeed/curafeed/sanitize"
)

// FuzzParseRecord feeds arbitrary bytes to ParseRecord: it never panics, and
// it returns either an item whose strings are valid UTF-8 made of XML
// characters, or a *RecordError naming the file.
func FuzzParseRecord(f *testing.F) {
	paths, _ := filepath.Glob("testdata/records/*/*/*/*.md")
	more, _ := filepath.Glob("testdata/records/*/*.md")
	for _, p := range append(paths, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(minimal))
	f.Add([]byte("---\ntitle: [a, {b: c}]\ndate: &x 2021-01-01\nlastMod: *x\nauthor: {a: b}\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		it, warns, err := parseRecord("f.md", data, parseOptions{SiteURL: testSite})
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) || re.Path != "f.md" {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, w := range warns {
			if w.Path != "f.md" {
				t.Fatalf("warning does not name the file: %v", w)
			}
		}
		for _, s := range append([]string{it.Title, it.Summary, it.URL, it.ExternalURL, it.ID, it.ContentHTML()}, it.Authors...) {
			if !utf8.ValidString(s) || sanitize.StripInvalidXML(s) != s {
				t.Fatalf("unclean string %q", s)
			}
		}
		if it.Title == "" {
			t.Fatal("an item without a title")
		}
		if it.Updated.Before(it.Published) {
			t.Fatal("updated before published")
		}
	})
}

// FuzzEncode puts arbitrary strings in every field a record has and requires
// well-formed XML from the RSS and Atom encoders, valid JSON from the JSON
// Feed encoder, and a well-formed OPML list.
func FuzzEncode(f *testing.F) {
	f.Add("Title <b>&amp;", "Desc \x00\x1f\ufffe", "<script>x</script><p>body]]></p>", "Gartner: Cyber\x0bsecurity", "ünïcødé", "a/../b", "https://example.org/x?a=1&b=2")
	f.Add("", "", "", "", "", "", "")
	f.Add("\xff\xfe", "]]>", "<![CDATA[ x ]]>", ":", "\u2028", "..", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, title, desc, body, topic, author, slug, link string) {
		q := func(s string) string { b, _ := json.Marshal(s); return string(b) } // a YAML double-quoted scalar
		src := "---\ntitle: " + q("T "+title) + "\ndescription: " + q(desc) + "\ndate: 2021-01-01\nid: 1\n" +
			"communityTopics: [" + q(topic) + "]\nauthor: [" + q(author) + "]\ntags: [" + q(title) + "]\n" +
			"basePath: /communities/" + strings.NewReplacer("\n", "", "\r", "").Replace(slug) + "/x/\nslug: " + q(slug) +
			"\nlink:\n  href: " + q(link) + "\nfeaturedImage:\n  href: " + q(slug+".png") + "\n---\n" + body
		it, _, err := parseRecord("f.md", []byte(src), parseOptions{SiteURL: testSite})
		if err != nil {
			return
		}
		cat, err := Build([]*Item{it}, Config{SiteURL: "https://example.org", Title: title})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range cat.Feeds {
			for _, format := range Formats() {
				data, err := fd.render(format)
				if err != nil {
					t.Fatalf("%s %s: %v", fd.Path, format, err)
				}
				checkWellFormed(t, format, data)
			}
		}
		var buf bytes.Buffer
		if err := cat.WriteOPML(&buf); err != nil {
			t.Fatal(err)
		}
		checkWellFormed(t, RSS, buf.Bytes())
	})
}

func checkWellFormed(t *testing.T, format Format, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("%s: not UTF-8", format)
	}
	if format == JSON {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, data)
		}
		if _, ok := v["items"].([]any); !ok {
			t.Fatalf("no items array")
		}
		return
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed XML: %v\n%s", format, err, data)
		}
	}
	if bytes.ContainsAny(data, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f") {
		t.Fatalf("%s: a character XML 1.0 forbids", format)
	}
}
