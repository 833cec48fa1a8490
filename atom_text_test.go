package curafeed

import (
	"bytes"
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
