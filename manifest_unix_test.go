//go:build unix

package curafeed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestManifestNotFollowed requires the manifest, its journal and the files
// they list never to be read or replaced through a symbolic link, and a
// manifest that lists a path out of the folder to stop the build before it
// writes anything.
func TestManifestNotFollowed(t *testing.T) {
	base := t.TempDir()
	victim := filepath.Join(base, "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	keep := func(t *testing.T) {
		t.Helper()
		data, err := os.ReadFile(victim)
		require.NoError(t, err)
		require.Equal(t, "keep me", string(data))
	}
	for _, m := range outputModes(t) {
		t.Run(m.name, func(t *testing.T) {
			for _, name := range []string{ManifestName, journalName} {
				out := t.TempDir()
				require.NoError(t, os.Symlink(victim, filepath.Join(out, name)))
				_, err := m.build(t, "testdata/records", sampleConfig, out)
				assert.ErrorContains(t, err, name)
				keep(t)
				assert.NoFileExists(t, filepath.Join(out, "all", "rss.xml"), "nothing is written")
			}

			out := filepath.Join(base, "out-"+strings.ReplaceAll(m.name, " ", "-"))
			require.NoError(t, os.Mkdir(out, 0o755))
			line := manifestLine("../victim.txt", manifestEntry{size: 7, sum: fileSum([]byte("keep me"))})
			require.NoError(t, os.WriteFile(filepath.Join(out, ManifestName), []byte(manifestHeader+line), 0o644))
			_, err := m.build(t, "testdata/records", sampleConfig, out)
			assert.ErrorContains(t, err, "../victim.txt")
			keep(t)
			assert.NoFileExists(t, filepath.Join(out, "all", "rss.xml"), "nothing is written")
			require.NoError(t, os.Remove(filepath.Join(out, ManifestName)))

			// A link in the place of a file of the tree: left alone.
			_, err = m.build(t, "testdata/records", sampleConfig, out)
			require.NoError(t, err)
			link := filepath.Join(out, "all", "rss.xml")
			require.NoError(t, os.Remove(link))
			require.NoError(t, os.Symlink(victim, link))
			st, err := m.build(t, "testdata/records", sampleConfig, out)
			require.NoError(t, err)
			assert.Equal(t, []string{"all/rss.xml"}, st.Foreign)
			assert.Equal(t, []string{"all/rss.xml"}, st.Blocked)
			keep(t)
			fi, err := os.Lstat(link)
			require.NoError(t, err)
			assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link stays")
		})
	}
}
