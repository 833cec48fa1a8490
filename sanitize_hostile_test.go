package curafeed

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/curafeed/curafeed/internal/sanitizetest"
	"github.com/mmcdole/gofeed"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileSanitizeRecords returns the testdata/hostile/sanitize-*.md records
// in a file system of their own, laid out as in a site export.
func hostileSanitizeRecords(t testing.TB) fs.FS {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "hostile", "sanitize-*.md"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 4)
	fsys := fstest.MapFS{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		fsys[path.Base(p)] = &fstest.MapFile{Data: data}
	}
	return fsys
}

// TestHostileSanitizeRecords loads the hostile HTML records through the
// library, builds their feeds and reads every feed back in all three formats:
// each record's marker is in its entry's content, and no content holds
// anything executable, a tracking pixel or an unwanted character.
func TestHostileSanitizeRecords(t *testing.T) {
	cfg := Config{SiteURL: "https://hostile.example", Title: "Hostile"}
	recs, err := Load(hostileSanitizeRecords(t), cfg)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	require.Len(t, recs.Items, 4)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	markers := map[string]string{
		"HOSTILE-SANITIZE-FRAMESET-MARKER": "",
		"HOSTILE-SANITIZE-XSS-MARKER":      "",
		"HOSTILE-SANITIZE-PIXEL-MARKER":    "",
		"HOSTILE-SANITIZE-C1BIDI-MARKER":   "",
	}
	parser := gofeed.NewParser()
	checked := 0
	for _, f := range cat.Feeds {
		for _, format := range Formats() {
			data, err := f.render(format)
			require.NoError(t, err)
			sanitizetest.RequireNoUnwantedRunes(t, string(data))
			pf, err := parser.ParseString(string(data))
			require.NoError(t, err, "%s %s", f.Path, format.fileName())
			for _, it := range pf.Items {
				content := it.Content
				if content == "" {
					content = it.Description
				}
				require.NotEmpty(t, content, "%s %s %s", f.Path, format.fileName(), it.Title)
				sanitizetest.RequireNothingExecutable(t, content)
				sanitizetest.RequireNoUnwantedRunes(t, content)
				sanitizetest.RequireNoUnwantedRunes(t, it.Title)
				for _, tracker := range []string{"tracker.example", "doubleclick", "facebook.com/tr", "stats.wordpress.com", "pixel.wp.com",
					"feedburner.com/~r", "google-analytics", "quantserve", "scorecardresearch", "list-manage.com/track", "track.hubspot"} {
					assert.NotContains(t, content, tracker, "a tracking pixel in %s %s", f.Path, format.fileName())
				}
				found := false
				for m := range markers {
					if strings.Contains(it.Title, m) {
						assert.Contains(t, content, m+"-AFTER", "%s %s", f.Path, format.fileName())
						found = true
					}
				}
				require.True(t, found, "entry without a marker: %q", it.Title)
				if strings.Contains(it.Title, "PIXEL") {
					assert.Contains(t, content, "https://hostile.example/icons/rss-16.png", "legitimate icon lost")
					assert.Contains(t, content, "chart.png", "legitimate chart lost")
				}
				checked++
			}
		}
	}
	require.GreaterOrEqual(t, checked, 4*len(Formats()))
}
