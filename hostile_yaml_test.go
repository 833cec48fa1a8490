package curafeed

import (
	"os"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostileYAML loads the front-matter classes of testdata/hostile (the
// yaml-* records) and checks each one's fate: published with the fields
// yaml.v3 would decode, kept out of the feeds by a status or draft flag that
// yaml.v3 would decode, or rejected with "path:line: field: reason".
func TestHostileYAML(t *testing.T) {
	recs, err := Load(os.DirFS("testdata/hostile"), testConfig)
	require.NoError(t, err)
	published := map[string]*Item{}
	for _, it := range recs.Items {
		published[it.Path] = it
	}
	skipped := map[string]string{}
	for _, s := range recs.Skipped {
		skipped[s.Path] = s.Reason
	}
	rejected := map[string]*RecordError{}
	for _, e := range recs.Errors {
		rejected[e.Path] = e
	}
	when := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

	type fate struct {
		file string
		// published: title and published time to expect.
		title string
		date  time.Time
		// hidden: the skip reason to expect.
		hidden string
		// rejected: line, field and a part of the reason to expect.
		line   int
		field  string
		reason string
	}
	for _, c := range []fate{
		{file: "yaml-billion-laughs.md", line: 7, field: "front matter", reason: "excessive aliasing"},
		{file: "yaml-unclosed.md", line: 1, field: "front matter", reason: "never closed"},
		{file: "yaml-merge-draft.md", hidden: `status "draft"`},
		{file: "yaml-merge-list.md", hidden: `status "unpublished"`},
		{file: "yaml-merge-explicit.md", title: "Explicit wins HOSTILE-YAML-MERGE-EXPLICIT-MARKER", date: when},
		{file: "yaml-duplicate-keys.md", line: 7, field: "status", reason: `mapping key "status" already defined at line 6`},
		{file: "yaml-case-keys.md", title: "Case keys HOSTILE-YAML-CASE-MARKER", date: when},
		{file: "yaml-draft-string.md", line: 6, field: "draft", reason: "cannot unmarshal !!str `true` into bool"},
		{file: "yaml-draft-yes.md", hidden: `status "draft"`},
		{file: "yaml-binary-title.md", title: "Binary title HOSTILE-YAML-BINARY-MARKER", date: when},
		{file: "yaml-mismatched-tag.md", line: 6, field: "draft", reason: "as a !!null"},
		{file: "yaml-alias-key.md", title: "Alias key HOSTILE-YAML-ALIAS-KEY-MARKER", date: when},
		{file: "yaml-date-rfc1123.md", title: "Date RFC 1123 HOSTILE-YAML-DATE-RFC1123-MARKER", date: when},
		{file: "yaml-date-rfc1123z.md", title: "Date RFC 1123Z HOSTILE-YAML-DATE-RFC1123Z-MARKER", date: when},
		{file: "yaml-date-rfc850.md", title: "Date RFC 850 HOSTILE-YAML-DATE-RFC850-MARKER", date: when},
		{file: "yaml-date-ansic.md", title: "Date ANSI C HOSTILE-YAML-DATE-ANSIC-MARKER", date: when},
		{file: "yaml-date-unixdate.md", title: "Date Unix HOSTILE-YAML-DATE-UNIX-MARKER", date: when},
		{file: "yaml-date-rfc822.md", title: "Date RFC 822 HOSTILE-YAML-DATE-RFC822-MARKER", date: when.Truncate(time.Minute)},
		{file: "yaml-date-wordpress.md", title: "Date WordPress HOSTILE-YAML-DATE-WORDPRESS-MARKER", date: when},
		{file: "yaml-date-unknown-zone.md", line: 3, field: "date", reason: `unknown time zone "CET"`},
		{file: "yaml-empty-file.md", hidden: "not a record: empty file"},
		{file: "yaml-toml.md", line: 1, field: "front matter", reason: "TOML"},
		{file: "yaml-garbage.md", line: 1, field: "front matter", reason: "never closed"},
		{file: "yaml-utf16.md", field: "", reason: "UTF-16"},
		{file: "yaml-binary-file.md", field: "", reason: "not UTF-8 text"},
	} {
		t.Run(strings.TrimSuffix(c.file, ".md"), func(t *testing.T) {
			data, err := os.ReadFile(path.Join("testdata/hostile", c.file))
			require.NoError(t, err)
			if len(data) > 0 && !strings.Contains(c.file, "utf16") {
				marker := "HOSTILE-YAML-"
				assert.Contains(t, string(data), marker, "every record but the empty file carries a marker")
			}
			it, e := published[c.file], rejected[c.file]
			switch {
			case c.title != "":
				require.NotNil(t, it, "want published; error %v, skipped %q", e, skipped[c.file])
				assert.Equal(t, c.title, it.Title)
				assert.Equal(t, c.date, it.Published)
				assert.Equal(t, time.UTC, it.Published.Location())
			case c.hidden != "":
				assert.Nil(t, it, "want hidden")
				assert.Nil(t, e, "want hidden")
				assert.Contains(t, skipped[c.file], c.hidden)
			default:
				assert.Nil(t, it, "want rejected")
				require.NotNil(t, e, "want rejected; skipped %q", skipped[c.file])
				assert.Equal(t, c.line, e.Line, e.Error())
				assert.Equal(t, c.field, e.Field, e.Error())
				assert.Contains(t, e.Error(), c.reason)
				prefix := c.file + ":"
				if c.line > 0 {
					prefix += strconv.Itoa(c.line) + ":"
				}
				if c.field != "" {
					prefix += " " + c.field + ":"
				}
				assert.True(t, strings.HasPrefix(e.Error(), prefix), "%q does not start with %q", e.Error(), prefix)
			}
		})
	}
	// The merged description is absent from the record itself: merged in.
	if it := published["yaml-merge-explicit.md"]; it != nil {
		assert.Equal(t, "Merged description HOSTILE-YAML-MERGE-EXPLICIT-MARKER", it.Summary)
		assert.Equal(t, "", it.Status, "the explicit status wins over the merged one")
	}
	if it := published["yaml-alias-key.md"]; it != nil {
		assert.Equal(t, "Alias key description HOSTILE-YAML-ALIAS-KEY-MARKER", it.Summary)
	}
	if it := published["yaml-case-keys.md"]; it != nil {
		assert.Equal(t, "https://www.example.org/communities/hostile-yaml/curated-content/yaml-case-keys/", it.URL, "Slug: is not slug:")
		assert.Equal(t, "", it.Status)
	}
}
