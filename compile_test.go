package curafeed

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

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
	for name, fsys := range map[string]fstest.MapFS{"sample": nil, "600": big, "600 in small batches": big} {
		t.Run(name, func(t *testing.T) {
			if strings.HasSuffix(name, "small batches") {
				defer func(n int) { renderWindowItems = n }(renderWindowItems)
				renderWindowItems = 40 // many batches per group, items read again in several
			}
			var src = os.DirFS("testdata/records")
			if fsys != nil {
				src = fsys
			}
			recs, err := Load(src, sampleConfig)
			require.NoError(t, err)
			cat, err := Build(recs.All(), sampleConfig)
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

// copyTree copies the sample records into a fresh folder, so a test can edit them.
func copyTree(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	require.NoError(t, filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	}))
	return to
}

// cleanBuild builds records into a new folder without a cache.
func cleanBuild(t *testing.T, records string) map[string][]byte {
	t.Helper()
	out := t.TempDir()
	_, _, err := BuildDir(os.DirFS(records), sampleConfig, out)
	require.NoError(t, err)
	return treeBytes(t, out)
}

func requireSameTree(t *testing.T, want, have map[string][]byte) {
	t.Helper()
	require.Equal(t, len(want), len(have), "number of files")
	for p, w := range want {
		require.True(t, bytes.Equal(w, have[p]), "%s differs from a clean build", p)
	}
}

// cachedSampleBuild copies testdata/records and returns the copy, an
// output folder, the cached configuration and a function that builds the
// copy into the folder with it.
func cachedSampleBuild(t *testing.T) (records, out string, cfg *Config, build func() WriteStats) {
	records, out = copyTree(t, "testdata/records"), t.TempDir()
	c := sampleConfig
	c.CacheDir = t.TempDir()
	return records, out, &c, func() WriteStats {
		t.Helper()
		_, st, err := BuildDir(os.DirFS(records), c, out)
		require.NoError(t, err)
		return st
	}
}

func TestBuildDirCache(t *testing.T) {
	records, out, cfgp, build := cachedSampleBuild(t)
	cfg, cache := *cfgp, cfgp.CacheDir
	first := build()
	assert.Equal(t, first.Files, first.Written)
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))

	// Nothing changed: nothing is rendered or written, the cache included.
	cacheFile := filepath.Join(cache, cacheFileName)
	before, err := os.Stat(cacheFile)
	require.NoError(t, err)
	st := build()
	assert.Equal(t, 0, st.Written)
	assert.Equal(t, st.Files, st.Unchanged)
	cacheKept, err := os.Stat(cacheFile)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, cacheKept), "an unchanged cache is not written again")

	// Edit one record: only the feeds that hold it change; the rest keep
	// their files (and modification times).
	seed := filepath.Join(records, "communities/chronic-care-management/curated-content/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb.md")
	data, err := os.ReadFile(seed)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(seed, bytes.Replace(data, []byte("title: Improving Cybersecurity"), []byte("title: Improving Cyber Security"), 1), 0o644))
	femtech := filepath.Join(out, "communities/femtech/rss.xml")
	before, err = os.Stat(femtech)
	require.NoError(t, err)
	st = build()
	assert.Positive(t, st.Written)
	assert.Less(t, st.Written, st.Files/4, "only the feeds holding the record are written")
	appended, err := os.Stat(cacheFile)
	require.NoError(t, err)
	assert.True(t, os.SameFile(cacheKept, appended), "the cache of an edited record is appended to, not written anew")
	assert.Greater(t, appended.Size(), cacheKept.Size())
	assert.Less(t, appended.Size()-cacheKept.Size(), cacheKept.Size()/5, "only what changed is appended")
	after, err := os.Stat(femtech)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime(), "an unrelated feed is not rewritten")
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))

	// Rename one record: the same bytes as a clean build.
	require.NoError(t, os.Rename(seed, filepath.Join(records, "news", "moved.md")))
	build()
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))

	// A damaged cache, or one from another version, is ignored.
	cf := filepath.Join(cache, cacheFileName)
	raw, err := os.ReadFile(cf)
	require.NoError(t, err)
	good := bytes.Clone(raw)
	raw[len(raw)-10] ^= 0xff
	require.NoError(t, os.WriteFile(cf, raw, 0o644))
	assert.Empty(t, readCache(cache, mustNormalize(t, cfg)).Records, "a damaged cache is not read")
	st = build()
	assert.Equal(t, 0, st.Written, "a rebuild without a usable cache still writes only changed bytes")
	require.NoError(t, os.WriteFile(cf, bytes.Replace(raw, []byte(cacheVersion), []byte("curafeed-cache-0"), 1), 0o644))
	assert.Empty(t, readCache(cache, mustNormalize(t, cfg)).Records, "a cache of another version is not read")
	requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
	require.NoError(t, os.WriteFile(cf, good, 0o644))

	// Delete a published record: its item leaves every feed, as in a clean
	// build, and the Atom feeds it was in carry its tombstone (RFC 6721),
	// rebuild after rebuild; the other files are those of a clean build.
	victim := filepath.Join(records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md")
	data, err = os.ReadFile(victim)
	require.NoError(t, err)
	gone, _, err := parseRecord("x.md", data, parseOptions{SiteURL: mustNormalizeURL(t, cfg)})
	require.NoError(t, err)
	require.NoError(t, os.Remove(victim))
	st = build()
	tombstone := []byte(`<at:deleted-entry ref="` + gone.ID + `" when="`)
	clean := cleanBuild(t, records)
	have := treeBytes(t, out)
	require.Equal(t, len(clean), len(have))
	changed := map[string]bool{}
	for _, u := range st.Changed {
		changed[strings.TrimPrefix(u, "https://community.example.org/")] = true
	}
	assert.True(t, changed["communities/femtech/atom.xml"], "the community feed changed: %v", st.Changed)
	for p, w := range clean {
		listed := bytes.Contains(have[p], []byte(">"+gone.ID+"<")) || bytes.Contains(have[p], []byte(`"id": "`+gone.ID+`"`))
		assert.False(t, listed, "%s still lists the item", p)
		if strings.HasSuffix(p, "atom.xml") && changed[p] {
			assert.True(t, bytes.Contains(have[p], tombstone), "%s has no tombstone", p)
			continue
		}
		if !changed[p] && !strings.HasPrefix(p, "index.") && p != ManifestName { // the index lists the feeds' updated times, which the tombstones move, and the manifest their hashes
			assert.True(t, bytes.Equal(w, have[p]), "%s differs from a clean build", p)
		}
	}
	assert.True(t, bytes.Contains(have["all/atom.xml"], tombstone))
	again := build()
	assert.Equal(t, 0, again.Written, "the tombstones stay")
	assert.True(t, bytes.Contains(treeBytes(t, out)["all/atom.xml"], tombstone))
}

func mustNormalizeURL(t *testing.T, cfg Config) *url.URL {
	t.Helper()
	_, u, err := cfg.normalize()
	require.NoError(t, err)
	return u
}

func mustNormalize(t *testing.T, cfg Config) Config {
	t.Helper()
	n, _, err := cfg.normalize()
	require.NoError(t, err)
	return n
}

// TestBuildDirCacheRemovesStale requires a build whose cache cannot be used
// (here: written for another configuration) to still remove the files of
// documents that no longer exist.
func TestBuildDirCacheRemovesStale(t *testing.T) {
	out, cache := t.TempDir(), t.TempDir()
	cfg := sampleConfig
	cfg.CacheDir, cfg.Limit, cfg.ArchiveSize = cache, 3, 2
	_, first, err := BuildDir(os.DirFS("testdata/records"), cfg, out)
	require.NoError(t, err)
	require.Positive(t, first.Archives)
	archived := filepath.Join(out, "all", "archive", "1", "rss.xml")
	require.FileExists(t, archived)

	cfg.ArchiveSize = -1
	_, st, err := BuildDir(os.DirFS("testdata/records"), cfg, out)
	require.NoError(t, err)
	assert.Equal(t, 3*first.Archives, st.Removed, "every archive document's three files")
	assert.NoFileExists(t, archived)
	assert.NoDirExists(t, filepath.Join(out, "all", "archive"))
}

// TestBuildDirCacheAfterFailure requires a cached build after one that
// failed while writing feed files to give the bytes of a clean build: the
// files the failed build left are not trusted.
func TestBuildDirCacheAfterFailure(t *testing.T) {
	records := copyTree(t, "testdata/records")
	out, cache := t.TempDir(), t.TempDir()
	cfg := sampleConfig
	cfg.CacheDir, cfg.Limit, cfg.ArchiveSize = cache, 3, 4
	_, _, err := BuildDir(os.DirFS(records), cfg, out)
	require.NoError(t, err)

	// Edit a femtech record, and make the security group fail to write.
	femtech := filepath.Join(records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md")
	original, err := os.ReadFile(femtech)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(femtech, bytes.Replace(original, []byte("title: 'Offering: MamaCare"), []byte("title: 'Offering: MamaCare Edited"), 1), 0o644))
	blocker := filepath.Join(out, "communities", "security", "topics")
	require.NoError(t, os.RemoveAll(blocker))
	require.NoError(t, os.WriteFile(blocker, []byte("not a folder"), 0o644))
	_, _, err = BuildDir(os.DirFS(records), cfg, out)
	require.Error(t, err, "the build cannot write under a file")
	require.FileExists(t, filepath.Join(cache, dirtyFileName))

	// Undo both: the next cached build must not keep the failed build's
	// femtech feeds, which its old fingerprints match again.
	require.NoError(t, os.Remove(blocker))
	require.NoError(t, os.WriteFile(femtech, original, 0o644))
	_, _, err = BuildDir(os.DirFS(records), cfg, out)
	require.NoError(t, err)
	assert.NoFileExists(t, filepath.Join(cache, dirtyFileName))
	clean := t.TempDir()
	c2 := cfg
	c2.CacheDir = ""
	_, _, err = BuildDir(os.DirFS(records), c2, clean)
	require.NoError(t, err)
	requireSameTree(t, treeBytes(t, clean), treeBytes(t, out))
}

// TestBuildDirCacheKeeps requires a cached build to keep what the cache
// knows beyond one configuration: tombstones of deleted records survive a
// change of hubs, a rejected record is not taken for a deleted one, and a
// build that keeps its files still reports what the size budget took.
func TestBuildDirCacheKeeps(t *testing.T) {
	records := copyTree(t, "testdata/records")
	out, cache := t.TempDir(), t.TempDir()
	cfg := sampleConfig
	cfg.CacheDir = cache
	build := func(cfg Config) WriteStats {
		t.Helper()
		_, st, err := BuildDir(os.DirFS(records), cfg, out)
		require.NoError(t, err)
		return st
	}
	build(cfg)
	atom := func() string { return string(treeBytes(t, out)["all/atom.xml"]) }

	// A record whose front matter breaks is rejected, not deleted.
	broken := filepath.Join(records, "communities/femtech/curated-content/3f74710d-6ad2-5b7f-9dae-24a495cb6a86.md")
	data, err := os.ReadFile(broken)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(broken, bytes.Replace(data, []byte("\ntitle:"), []byte("\ntitle: [unclosed\ntitle2:"), 1), 0o644))
	recs, _, err := BuildDir(os.DirFS(records), cfg, out)
	require.NoError(t, err)
	require.Contains(t, recs.Errors.Error(), "3f74710d-6ad2-5b7f-9dae-24a495cb6a86.md", "the record is rejected")
	assert.NotContains(t, atom(), "3f74710d-6ad2-5b7f-9dae-24a495cb6a86\" when=", "a rejected record gets no tombstone")
	require.NoError(t, os.WriteFile(broken, data, 0o644))
	build(cfg)

	// A deleted record's tombstone survives a change of hubs.
	require.NoError(t, os.Remove(filepath.Join(records, "communities/femtech/curated-content/2cf15346-fd38-5a48-9448-fd87d1d3b2ef.md")))
	build(cfg)
	tombstone := `<at:deleted-entry ref="urn:uuid:2cf15346-fd38-5a48-9448-fd87d1d3b2ef"`
	require.Contains(t, atom(), tombstone)
	withHub := cfg
	withHub.Hubs = []string{"https://hub.example/"}
	build(withHub)
	assert.Contains(t, atom(), tombstone, "after a change of hubs")
	build(cfg)
	assert.Contains(t, atom(), tombstone, "and back")

	// The budget report of a build that keeps every file.
	small := cfg
	small.MaxFeedBytes = 3000
	first := build(small)
	require.Positive(t, first.Truncated)
	again := build(small)
	assert.Zero(t, again.Written)
	assert.Equal(t, first.Truncated, again.Truncated)
	assert.Equal(t, first.TruncatedFiles, again.TruncatedFiles)
	assert.Equal(t, first.OverBudget, again.OverBudget)
}

// TestCacheLog requires the build cache, a log of segments, to read back
// as the cache last written whether it was appended to or written anew,
// to be written anew once it holds more than twice the entries it needs,
// and to be ignored whole when its last segment is torn.
func TestCacheLog(t *testing.T) {
	dir := t.TempDir()
	cfg := mustNormalize(t, sampleConfig)
	rec := func(n int) *cachedRecord {
		return &cachedRecord{Size: int64(n), ModTime: int64(n), Sum: uint64(n), Item: &Item{ID: fmt.Sprint(n), Title: fmt.Sprint("Record ", n)}}
	}
	c := &buildCache{Records: map[string]*cachedRecord{}, Outputs: map[string]cachedOutput{}, Pack: map[uint64]packSpan{}, Gone: map[string]*Item{}}
	for n := range 1000 {
		c.Records[fmt.Sprint("r", n)] = rec(n)
		c.Outputs[fmt.Sprint("o", n)] = cachedOutput{Key: uint64(n)}
		c.Pack[uint64(n)] = packSpan{Off: int64(n), Len: 1}
		c.Live = append(c.Live, fmt.Sprint("r", n))
	}
	sort.Strings(c.Live)
	same := func(want *buildCache, got *buildCache) {
		t.Helper()
		require.Equal(t, len(want.Records), len(got.Records))
		for p, e := range want.Records {
			require.NotNil(t, got.Records[p], p)
			assert.Equal(t, e.Sum, got.Records[p].Sum, p)
			assert.Equal(t, e.Item.Title, got.Records[p].Item.Title, p)
		}
		assert.Equal(t, want.Outputs, got.Outputs)
		assert.Equal(t, want.Pack, got.Pack)
		assert.Equal(t, want.Live, got.Live)
		assert.Equal(t, want.PackSize, got.PackSize)
	}
	require.NoError(t, writeCache(dir, cfg, c, nil))
	prev := readCache(dir, cfg)
	same(c, prev)
	path := filepath.Join(dir, cacheFileName)
	first, err := os.Stat(path)
	require.NoError(t, err)

	// Edits, an addition and a removal: appended, and read back whole.
	next := &buildCache{Records: maps.Clone(prev.Records), Outputs: maps.Clone(prev.Outputs), Pack: maps.Clone(prev.Pack), Gone: map[string]*Item{"9": {ID: "9"}}}
	next.Records["r1"], next.Records["r1000"] = rec(1001), rec(1000)
	delete(next.Records, "r2")
	next.Outputs["o1"] = cachedOutput{Key: 7, Truncated: 2}
	delete(next.Outputs, "o3")
	delete(next.Pack, 4)
	next.Pack[1000] = packSpan{Off: 5, Len: 6}
	next.Live, next.PackSize = slices.Clone(prev.Live[1:]), 77
	require.NoError(t, writeCache(dir, cfg, next, prev))
	appended, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, os.SameFile(first, appended))
	assert.Less(t, appended.Size()-first.Size(), first.Size()/4, "only the changes are appended")
	got := readCache(dir, cfg)
	same(next, got)
	assert.Contains(t, got.Gone, "9")

	// Many rounds of changes: the log is written anew before it holds more
	// than twice the entries it needs.
	rewrites := 0
	for round := range 30 {
		prev := readCache(dir, cfg)
		before, err := os.Stat(path)
		require.NoError(t, err)
		next := &buildCache{Records: map[string]*cachedRecord{}, Outputs: maps.Clone(prev.Outputs), Pack: prev.Pack, Live: prev.Live, Gone: prev.Gone}
		for p := range prev.Records {
			next.Records[p] = rec(round*1000 + len(p))
		}
		require.NoError(t, writeCache(dir, cfg, next, prev))
		same(next, readCache(dir, cfg))
		after, err := os.Stat(path)
		require.NoError(t, err)
		if !os.SameFile(before, after) {
			rewrites++
		}
		assert.Less(t, after.Size(), 6*first.Size(), "round %d: the log stays within a few times the cache", round)
	}
	assert.Positive(t, rewrites, "the log is written anew once it holds too many entries")

	// A torn last segment: the whole cache is ignored.
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw[:len(raw)-3], 0o644))
	assert.Empty(t, readCache(dir, cfg).Records)
}

// TestBuildDirCacheIndexFiles requires a cached build to keep index.opml,
// index.html and feed.xsl only while what they are made of is unchanged:
// a record that moves a feed's updated time or brings a new topic changes
// them as in a clean build, and a missing one is written again.
func TestBuildDirCacheIndexFiles(t *testing.T) {
	records, out, cfg, cachedBuild := cachedSampleBuild(t)
	build := func() WriteStats {
		t.Helper()
		st := cachedBuild()
		requireSameTree(t, cleanBuild(t, records), treeBytes(t, out))
		return st
	}
	build()
	index := func() map[string]string {
		tree := treeBytes(t, out)
		return map[string]string{"index.opml": string(tree["index.opml"]), indexPath: string(tree[indexPath])}
	}
	before := index()

	seed := filepath.Join(records, "communities/chronic-care-management/curated-content/8e53e60e-d4f5-5d72-b0c0-707e3f0c5dbb.md")
	edit := func(old, new string) {
		t.Helper()
		data, err := os.ReadFile(seed)
		require.NoError(t, err)
		require.Contains(t, string(data), old)
		require.NoError(t, os.WriteFile(seed, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
	}
	// A newer lastMod: the feeds holding the record are updated later.
	edit("lastMod: '2020-10-01T05:27:51.487094Z'", "lastMod: '2031-10-01T05:27:51.487094Z'")
	cfg.Now = time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)
	build()
	after := index()
	assert.NotEqual(t, before[indexPath], after[indexPath], "index.html shows the feeds' updated dates")
	assert.NotEqual(t, before["index.opml"], after["index.opml"], "index.opml shows the newest date")

	// A topic no other record has: a feed more in the index.
	edit("- 'Gartner: Cybersecurity'", "- 'Gartner: Quantum Triage'")
	build()
	assert.NotEqual(t, after[indexPath], index()[indexPath])
	assert.Contains(t, index()["index.opml"], "Quantum Triage")

	// A missing index file is written again; the others are kept.
	require.NoError(t, os.Remove(filepath.Join(out, "index.opml")))
	st := build()
	assert.Equal(t, 1, st.Written)
}

// TestIndexModelKeys requires the fingerprint of each index file's model to
// change with every field of the model, so that a cached build never keeps
// a file whose bytes would change: a field added to a model and not to its
// key fails here.
func TestIndexModelKeys(t *testing.T) {
	cat := buildSampleCatalog(t)
	for _, f := range cat.indexModels() {
		base := f.model.key()
		leaves := 0
		var visit func(v reflect.Value, where string)
		visit = func(v reflect.Value, where string) {
			switch v.Kind() {
			case reflect.Pointer:
				if !v.IsNil() {
					visit(v.Elem(), where)
				}
			case reflect.Slice:
				for i := range v.Len() {
					visit(v.Index(i), fmt.Sprintf("%s[%d]", where, i))
				}
			case reflect.Struct:
				for i := range v.NumField() {
					if v.Type().Field(i).Type == reflect.TypeFor[xml.Name]() {
						continue // the element's name, fixed by its tag
					}
					visit(v.Field(i), where+"."+v.Type().Field(i).Name)
				}
			case reflect.String:
				leaves++
				old := v.String()
				v.SetString(old + "x")
				assert.NotEqual(t, base, f.model.key(), "%s: %s", f.path, where)
				v.SetString(old)
			case reflect.Int:
				leaves++
				old := v.Int()
				v.SetInt(old + 1)
				assert.NotEqual(t, base, f.model.key(), "%s: %s", f.path, where)
				v.SetInt(old)
			default:
				t.Errorf("%s: %s: a %s the test cannot change", f.path, where, v.Kind())
			}
		}
		visit(reflect.ValueOf(f.model), f.path)
		assert.Equal(t, base, f.model.key(), "%s: restored", f.path)
		assert.Positive(t, leaves, f.path)
		if page, ok := f.model.(*indexPage); ok {
			nested := 0
			for _, g := range page.Groups {
				nested += len(g.Sub)
			}
			assert.Positive(t, nested, "the sample's index has community topics, nested groups whose fields are changed too")
		}
	}
}
