package curafeed

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// treeBytes reads every file under dir, by slash path.
func treeBytes(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	}))
	return out
}

// TestBuildDirSameBytes requires the bounded-memory build to write exactly
// what Load, Build and WriteDir write, for the sample records and for a
// larger corpus made from them.
func TestBuildDirSameBytes(t *testing.T) {
	big := benchCorpus(t, 600)
	for name, fsys := range map[string]fstest.MapFS{"sample": nil, "600": big} {
		t.Run(name, func(t *testing.T) {
			var src = os.DirFS("testdata/records")
			if fsys != nil {
				src = fsys
			}
			recs, err := Load(src, sampleConfig)
			require.NoError(t, err)
			cat, err := Build(recs.Items, sampleConfig)
			require.NoError(t, err)
			a := t.TempDir()
			_, err = cat.WriteDir(a)
			require.NoError(t, err)

			b := t.TempDir()
			got, st, err := BuildDir(src, Config{SiteURL: sampleConfig.SiteURL, Title: sampleConfig.Title, Workers: 3}, b)
			require.NoError(t, err)
			assert.Nil(t, got.Items)
			assert.Equal(t, len(recs.Items), got.Published)
			assert.Equal(t, recs.Errors.Error(), got.Errors.Error())
			assert.Equal(t, recs.Skipped, got.Skipped)
			assert.Equal(t, st.Files, st.Written)

			want, have := treeBytes(t, a), treeBytes(t, b)
			require.Equal(t, len(want), len(have))
			for p, w := range want {
				require.True(t, bytes.Equal(w, have[p]), "%s differs", p)
			}

			// A second run writes nothing.
			_, st, err = BuildDir(src, sampleConfig, b)
			require.NoError(t, err)
			assert.Equal(t, 0, st.Written)
			assert.Equal(t, st.Files, st.Unchanged)
		})
	}
}
