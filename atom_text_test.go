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
	fsys := fstest.MapFS{"communities/security/curated-content/a.md": {Data: []byte(
		"---\ntitle: Only a title\ndate: 2024-01-01\nbasePath: /communities/security/curated-content/\nslug: a\n---\n")}}
	recs, err := Load(fsys, testConfig)
	require.NoError(t, err)
	require.Len(t, recs.Items, 1)
	cat, err := Build(recs.All(), testConfig)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, cat.Feed("communities/security").WriteAtom(&b))
	assert.Contains(t, b.String(), `<summary type="text">Only a title</summary>`)
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
		fsys := fstest.MapFS{"communities/security/curated-content/a.md": {Data: []byte(
			"---\ntitle: '" + c.title + "'\ndescription: '" + c.title + "'\ndate: 2024-01-01\nbasePath: /communities/security/curated-content/\nslug: a\n---\n")}}
		recs, err := Load(fsys, testConfig)
		require.NoError(t, err)
		require.Len(t, recs.Items, 1)
		cat, err := Build(recs.All(), testConfig)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, cat.Feed("communities/security").WriteAtom(&b))
		assert.Contains(t, b.String(), c.want)
		assert.Contains(t, b.String(), strings.NewReplacer("<title", "<summary", "</title>", "</summary>").Replace(c.want))
	}
}
