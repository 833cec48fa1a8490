package curafeed

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReloaderSaveRestart requires a Reloader made with the CacheDir of one
// that saved to serve every file as a Reloader made without it serves it
// (status, headers and bytes, with gzip and without), rendering only the
// documents whose content changed since the save; and to ignore a state
// saved with another configuration, or damaged.
func TestReloaderSaveRestart(t *testing.T) {
	m := newMemFS()
	communities := []string{"alpha", "beta", "gamma"}
	for n := 1; n <= 18; n++ {
		c := communities[n%3]
		m.set(recordPath(c, n), reloadRecord(n, c, fmt.Sprintf("Record %d", n), fmt.Sprintf("2024-01-%02d", n)))
	}
	cfg := reloadConfig
	cfg.Limit, cfg.ArchiveSize = 4, 4 // archive documents too
	cfg.Now = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg.CacheDir = t.TempDir()

	start := func(cfg Config) (*Reloader, ReloadReport) {
		t.Helper()
		return startReloader(t, m, cfg)
	}
	// same requires r to serve what a Reloader without a saved state serves.
	same := func(name string, r *Reloader, cfg Config) {
		t.Helper()
		cfg.CacheDir = ""
		fresh, _ := start(cfg)
		paths := slices.Sorted(maps.Keys(fresh.cur.Load().h.files))
		require.Equal(t, paths, slices.Sorted(maps.Keys(r.cur.Load().h.files)), name)
		for _, p := range paths {
			for _, hdr := range []map[string]string{nil, {"Accept-Encoding": "gzip"}, {"If-None-Match": fresh.cur.Load().h.files[p].plain.etag}} {
				got, want := do(r, "GET", "/"+p, hdr), do(fresh, "GET", "/"+p, hdr)
				require.Equal(t, want.Code, got.Code, "%s: %s %v", name, p, hdr)
				require.Equal(t, want.Header(), got.Header(), "%s: %s %v", name, p, hdr)
				require.Equal(t, want.Body.String(), got.Body.String(), "%s: %s %v", name, p, hdr)
			}
		}
	}

	first, rep := start(cfg)
	total := rep.Files
	require.Equal(t, total, rep.Rendered)
	require.NoError(t, first.Save())
	data, err := filepath.Glob(filepath.Join(cfg.CacheDir, stateDataGlob))
	require.NoError(t, err)
	require.Len(t, data, 1)

	r, rep := start(cfg)
	same("nothing changed", r, cfg)
	assert.Equal(t, 3, rep.Rendered, "only index.opml, index.html and feed.xsl are made again")

	m.set(recordPath("beta", 4), reloadRecord(4, "beta", "Record 4, edited", "2024-01-04"))
	r, rep = start(cfg)
	same("a record edited", r, cfg)
	assert.Greater(t, rep.Rendered, 3, "the documents holding the edited record")
	assert.Less(t, rep.Rendered, total/2)

	other := cfg
	other.Language = "fr"
	r, rep = start(other)
	same("another configuration", r, other)
	assert.Equal(t, total, rep.Rendered, "a state saved with another configuration is not used")

	// A new save replaces the data file of the one before.
	r, _ = start(cfg)
	require.NoError(t, r.Save())
	again, err := filepath.Glob(filepath.Join(cfg.CacheDir, stateDataGlob))
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.NotEqual(t, data, again)
	r, rep = start(cfg)
	same("after the second save", r, cfg)
	assert.Equal(t, 3, rep.Rendered)

	// Damage: a changed byte of the index, a cut data file, a missing one.
	index := filepath.Join(cfg.CacheDir, stateIndexName)
	raw, err := os.ReadFile(index)
	require.NoError(t, err)
	dataBytes, err := os.ReadFile(again[0])
	require.NoError(t, err)
	for _, c := range []struct {
		name   string
		damage func()
	}{
		{"a byte of the index changed", func() {
			b := slices.Clone(raw)
			b[len(b)/2] ^= 1
			require.NoError(t, os.WriteFile(index, b, 0o644))
		}},
		{"the index cut short", func() { require.NoError(t, os.WriteFile(index, raw[:len(raw)-1], 0o644)) }},
		{"a byte of the data file changed", func() {
			b, err := os.ReadFile(again[0])
			require.NoError(t, err)
			b[len(b)/2] ^= 1
			require.NoError(t, os.WriteFile(again[0], b, 0o644))
		}},
		{"the data file cut short", func() {
			fi, err := os.Stat(again[0])
			require.NoError(t, err)
			require.NoError(t, os.Truncate(again[0], fi.Size()-1))
		}},
		{"the data file gone", func() { require.NoError(t, os.Remove(again[0])) }},
	} {
		c.damage()
		r, rep = start(cfg)
		same(c.name, r, cfg)
		if c.name == "a byte of the data file changed" {
			// Only the document whose bytes changed is made again.
			assert.Greater(t, rep.Rendered, 3, c.name)
			assert.Less(t, rep.Rendered, total/2, c.name)
			require.NoError(t, os.WriteFile(again[0], dataBytes, 0o644))
		} else {
			assert.Equal(t, total, rep.Rendered, "%s: the state is not used", c.name)
		}
		require.NoError(t, os.WriteFile(index, raw, 0o644))
	}
}

// TestReloaderSaveError requires Save to fail, naming the folder, when the
// cache folder cannot be written, and a Reloader to start all the same.
func TestReloaderSaveError(t *testing.T) {
	m := newMemFS()
	m.set(recordPath("alpha", 1), reloadRecord(1, "alpha", "Record 1", "2024-01-01"))
	cfg := reloadConfig
	cfg.CacheDir = filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(cfg.CacheDir, []byte("not a folder"), 0o644))
	r, err := NewReloader(m, cfg, ReloadOptions{})
	require.NoError(t, err)
	defer r.Close()
	err = r.Save()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "saving the served feeds in "+cfg.CacheDir)

	cfg.CacheDir = ""
	plain, err := NewReloader(m, cfg, ReloadOptions{})
	require.NoError(t, err)
	defer plain.Close()
	assert.NoError(t, plain.Save(), "without a cache folder, Save does nothing")
}

// FuzzReadState requires readState never to panic on an index whose
// checksum is right but whose fields are anything, and to keep only
// entries whose bytes are in the data file and have the content hash the
// index gives them, read from it there.
func FuzzReadState(f *testing.F) {
	cfg, _, err := reloadConfig.normalize()
	require.NoError(f, err)
	seed := func(entries ...[]byte) []byte {
		b := appendHeldString(nil, stateKey(cfg))
		b = appendHeldString(b, "serve-1.data")
		b = binary.AppendUvarint(b, uint64(len(entries)))
		for _, e := range entries {
			b = append(b, e...)
		}
		return binary.AppendUvarint(b, 4)
	}
	entry := appendHeldString(nil, "all/rss.xml")
	entry = appendHeldString(entry, "application/rss+xml")
	entry = append(entry, 1)
	entry = binary.AppendUvarint(entry, 4)
	entry = binary.AppendUvarint(entry, 7)
	entry = binary.AppendVarint(entry, 0)
	entry = appendHeldString(entry, etagOf([]byte("feed"), ""))
	entry = appendHeldString(entry, "")
	entry = binary.LittleEndian.AppendUint64(entry, fileSum([]byte("feed")))
	entry = binary.AppendUvarint(entry, 0)
	entry = binary.AppendUvarint(entry, 4)
	f.Add(seed(entry), []byte("feed"))
	f.Add(seed(), []byte("feed"))
	f.Add(seed(entry, entry), []byte("fee"))
	huge := slices.Clone(entry[:len(entry)-2])
	huge = binary.AppendUvarint(huge, 1<<62)
	huge = binary.AppendUvarint(huge, 1<<62)
	f.Add(seed(huge), []byte("feed"))
	f.Fuzz(func(t *testing.T, body, data []byte) {
		dir := t.TempDir()
		sum := sha256.Sum256(body)
		require.NoError(t, os.WriteFile(filepath.Join(dir, stateIndexName), append(slices.Clone(body), sum[:]...), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "serve-1.data"), data, 0o644))
		h := readState(dir, cfg)
		if h == nil {
			return
		}
		defer h.store.close()
		defer h.base.close()
		require.Zero(t, h.store.end.Load(), "the files' bytes stay in the data file")
		require.Zero(t, h.stored)
		for p, e := range h.files {
			sp := e.storedSpan()
			require.LessOrEqual(t, sp.off+sp.n, int64(len(data)), p)
			held := e.plain
			if e.gz != nil {
				held = e.gz
			}
			require.Same(t, h.base, held.stored, p)
			b, err := h.base.read(sp)
			require.NoError(t, err)
			require.True(t, bytes.Contains(body, binary.LittleEndian.AppendUint64(nil, fileSum(b))), "%s: kept, so its bytes have the content hash the index gives", p)
		}
	})
}
