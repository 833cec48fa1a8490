package curafeed

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAtomEntryAlwaysHasText requires an Atom entry whose record has neither
// a body nor a description to carry a summary all the same (its title):
// RFC 4287 asks an entry without content for a summary, and the W3C
// validator warns MissingTextualContent without one.
func TestAtomEntryAlwaysHasText(t *testing.T) {
	atom := securityAtom(t, "title: Only a title\n")
	assert.Contains(t, atom, `<summary type="text">Only a title</summary>`)
}

// securityAtom loads one record of the security community with the given
// fields and returns the community's Atom feed.
func securityAtom(t *testing.T, fields string) string {
	t.Helper()
	fsys := fstest.MapFS{"communities/security/curated-content/a.md": {Data: []byte(
		"---\n" + fields + "date: 2024-01-01\nbasePath: /communities/security/curated-content/\nslug: a\n---\n")}}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	require.Len(t, recs.Items, 1)
	cat, err := Build(recs.All(), testConfig)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, feedOf(cat, "communities/security").Write(&b, Atom))
	return b.String()
}

// TestAtomTextThatLooksLikeMarkup requires plain text that reads like
// markup ("</p>", "&amp;") to reach Atom as type="html", escaped, so that
// readers show it as typed and no validator takes it for undeclared HTML;
// other text stays type="text" as written.
func TestAtomTextThatLooksLikeMarkup(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"Use &lt;/p&gt; to close", `<title type="html">Use &amp;lt;/p&amp;gt; to close</title>`},
		{"The &amp;amp; entity", `<title type="html">The &amp;amp;amp; entity</title>`},
		{"Write &amp;#169; for ©", `<title type="html">Write &amp;amp;#169; for ©</title>`},
		{"R&amp;D and M&amp;A, 5 &lt; 6", `<title type="text">R&amp;D and M&amp;A, 5 &lt; 6</title>`},
	} {
		atom := securityAtom(t, "title: '"+c.title+"'\ndescription: '"+c.title+"'\n")
		assert.Contains(t, atom, c.want)
		assert.Contains(t, atom, strings.NewReplacer("<title", "<summary", "</title>", "</summary>").Replace(c.want))
	}
}
