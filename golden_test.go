package curafeed

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// sampleConfig is the configuration the golden files are built with; the
// command's defaults build the same site.
var sampleConfig = Config{SiteURL: "https://community.example.org", Title: "Example Health Community"}

func buildSample(t testing.TB) (*Records, *Catalog) {
	t.Helper()
	recs, err := Load(os.DirFS("testdata/records"), sampleConfig)
	require.NoError(t, err)
	cat, err := Build(recs.All(), sampleConfig)
	require.NoError(t, err)
	return recs, cat
}

// TestGolden builds the sample records and compares every output file with
// testdata/golden. Refresh with: go test -run TestGolden -update, then read
// the diff.
func TestGolden(t *testing.T) {
	_, cat := buildSample(t)
	out := t.TempDir()
	st, err := cat.WriteDir(out)
	require.NoError(t, err)
	require.Equal(t, st.Files, st.Written)
	golden := filepath.Join("testdata", "golden")
	got := map[string]bool{}
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		got[rel] = true
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			gp := filepath.Join(golden, rel)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(gp), 0o755))
				require.NoError(t, os.WriteFile(gp, data, 0o644))
				return
			}
			want, err := os.ReadFile(gp)
			require.NoError(t, err, "no golden file: run go test -run TestGolden -update")
			assert.Equal(t, string(want), string(data))
		})
		return nil
	})
	require.NoError(t, err)
	// Golden files of feeds that no longer exist.
	_ = filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(golden, p)
		if !got[rel] {
			if *update {
				os.Remove(p)
			} else {
				t.Errorf("golden file %s is no longer produced", rel)
			}
		}
		return nil
	})
}

// TestDeterministic builds the sample twice, from scratch, and requires the
// same bytes.
func TestDeterministic(t *testing.T) {
	var outs [2]string
	for i := range outs {
		_, cat := buildSample(t)
		outs[i] = t.TempDir()
		_, err := cat.WriteDir(outs[i])
		require.NoError(t, err)
	}
	n := 0
	err := filepath.WalkDir(outs[0], func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outs[0], p)
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(outs[1], rel))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs between two builds", rel)
		n++
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 100)
}

// TestParsedBack reads every feed of the sample with gofeed, a real parser,
// and checks that it finds the catalog's items, ids, titles, links, dates
// and categories.
func TestParsedBack(t *testing.T) {
	_, cat := buildSample(t)
	parser := gofeed.NewParser()
	for _, f := range cat.Feeds {
		for _, format := range Formats() {
			t.Run(f.Path+"/"+format.fileName(), func(t *testing.T) {
				data, err := f.render(format)
				require.NoError(t, err)
				pf, err := parser.ParseString(string(data))
				require.NoError(t, err)
				assert.Equal(t, f.Title, pf.Title)
				assert.Equal(t, f.URL(format), pf.FeedLink)
				require.Len(t, pf.Items, len(f.Items))
				for i, it := range f.Items {
					pi := pf.Items[i]
					assert.Equal(t, it.ID, pi.GUID)
					assert.Equal(t, it.Title, pi.Title)
					require.NotNil(t, pi.PublishedParsed, it.Path)
					assert.True(t, it.Published.Truncate(time.Second).Equal(pi.PublishedParsed.Truncate(time.Second)), "%s: published %s, read %s", it.Path, it.Published, pi.PublishedParsed)
					switch format {
					case RSS:
						assert.Equal(t, cat.rssLink(it), pi.Link)
						if len(it.Authors) > 0 {
							// gofeed reads the first dc:creator, and takes a
							// name with an "@" in it for an address.
							require.NotEmpty(t, pi.Authors, it.Path)
							assert.Equal(t, it.Authors[0], pi.Authors[0].Name+pi.Authors[0].Email)
						}
					case Atom:
						assert.True(t, pi.UpdatedParsed.Equal(cat.itemUpdated(it)))
						if it.URL != "" {
							assert.Equal(t, it.URL, pi.Link)
						}
					case JSON:
						assert.True(t, pi.UpdatedParsed.Equal(cat.itemUpdated(it)))
						if it.URL != "" {
							assert.Equal(t, it.URL, pi.Link)
						}
					}
					var want []string
					for _, tp := range it.Topics {
						ti := cat.topics[tp.Key]
						if format != RSS {
							// Atom's label and JSON Feed's tags carry "Vocabulary: Term".
							want = append(want, ti.Label())
						} else {
							want = append(want, ti.Term)
						}
					}
					want = append(want, it.Tags...)
					assert.Equal(t, want, pi.Categories, it.Path)
					if it.Image != nil {
						if format == JSON {
							require.NotNil(t, pi.Image, it.Path)
							assert.Equal(t, it.Image.URL, pi.Image.URL)
						} else {
							require.Len(t, pi.Enclosures, 1, it.Path)
							assert.Equal(t, it.Image.URL, pi.Enclosures[0].URL)
							assert.Equal(t, it.Image.Type, pi.Enclosures[0].Type)
						}
					}
					if h := it.ContentHTML(); h != "" {
						assert.Equal(t, strings.TrimSpace(h), strings.TrimSpace(pi.Content))
					}
				}
			})
		}
	}
}
