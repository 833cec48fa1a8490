package curafeed

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// cacheVersion names the layout of the build cache and of everything whose
// bytes it vouches for; a cache written under another version is ignored.
// Change it whenever parsing, sanitizing or encoding changes what a record
// becomes.
const cacheVersion = "curafeed-cache-3"

var crcTable = crc64.MakeTable(crc64.ECMA)

// fileSum is the content hash records and outputs are known by.
func fileSum(data []byte) uint64 { return crc64.Checksum(data, crcTable) }

// buildCache is what a build keeps for the next one: what each record file
// parsed to, keyed by the file's content hash (and its size and modification
// time, so that unchanged files need not be read), and a fingerprint of
// every feed file it wrote, so that feeds whose inputs did not change are
// not rendered again.
type buildCache struct {
	Records map[string]*cachedRecord // by record path
	Outputs map[string]uint64        // by output path: fingerprint of what made it
	Live    []string                 // paths of the records published or retracted, sorted
	Gone    map[string]*Item         // by item ID: records found gone, with Updated set to when, while their tombstones last
}

// cachedRecord is one record file's parse outcome.
type cachedRecord struct {
	Size    int64
	ModTime int64 // UnixNano; 0 when the file system gives none
	Sum     uint64
	Item    *Item // the light item, or nil
	Warns   []cachedError
	Err     *cachedError
}

type cachedError struct {
	Line      int
	Field     string
	Msg       string
	NotRecord bool
}

func toCached(e *RecordError) cachedError {
	return cachedError{Line: e.Line, Field: e.Field, Msg: unwrapRecord(e).Error(), NotRecord: IsNotRecord(e)}
}

func (c cachedError) record(path string) *RecordError {
	err := error(errors.New(c.Msg))
	if c.NotRecord {
		err = errNotRecord{c.Msg}
	}
	return &RecordError{Path: path, Line: c.Line, Field: c.Field, Err: err}
}

// configKey is a fingerprint of everything in cfg that changes what records
// parse to or what feeds contain.
func configKey(cfg Config) string {
	cfg.CacheDir, cfg.Workers = "", 0 // where and how fast, not what
	return fmt.Sprintf("%#v\x00%s", cfg, cacheVersion)
}

const cacheFileName = "build.cache"

// readCache returns the cache in dir for cfg, or an empty cache when there
// is none, it was written by another version or configuration, or it is
// damaged: a cache is never trusted beyond its checksum.
func readCache(dir string, cfg Config) *buildCache {
	empty := &buildCache{Records: map[string]*cachedRecord{}, Outputs: map[string]uint64{}}
	data, err := os.ReadFile(filepath.Join(dir, cacheFileName))
	if err != nil {
		return empty
	}
	head := cacheVersion + "\n" + configKey(cfg) + "\n"
	if len(data) < len(head)+sha256.Size || string(data[:len(head)]) != head {
		return empty
	}
	body := data[len(head)+sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(head):len(head)+sha256.Size]) {
		return empty
	}
	var c buildCache
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&c); err != nil || c.Records == nil || c.Outputs == nil {
		return empty
	}
	for _, it := range c.Gone {
		if it == nil {
			return empty
		}
	}
	return &c
}

// writeCache replaces the cache in dir atomically.
func writeCache(dir string, cfg Config, c *buildCache) error {
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(c); err != nil {
		return fmt.Errorf("curafeed: encoding the build cache: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	var out bytes.Buffer
	out.WriteString(cacheVersion + "\n" + configKey(cfg) + "\n")
	out.Write(sum[:])
	out.Write(body.Bytes())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, cacheFileName), out.Bytes()); err != nil {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	return nil
}

// parseCached is parseAll with a cache: a file whose size and modification
// time are those recorded, or whose content hash is, is not parsed again.
// It returns the results and the new cache entries.
func parseCached(fsys fs.FS, names []string, workers int, opts ParseOptions, old map[string]*cachedRecord) ([]parsed, []*cachedRecord) {
	results := make([]parsed, len(names))
	entries := make([]*cachedRecord, len(names))
	parallel(len(names), workers, func(i int) {
		name := names[i]
		prev := old[name]
		var size, mod int64
		if fi, err := fs.Stat(fsys, name); err == nil {
			size, mod = fi.Size(), fi.ModTime().UnixNano()
			if fi.ModTime().IsZero() {
				mod = 0
			}
		}
		if prev != nil && mod != 0 && prev.Size == size && prev.ModTime == mod {
			results[i], entries[i] = prev.parsed(name), prev
			return
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			results[i].err = &RecordError{Path: name, Err: err}
			return
		}
		sum := fileSum(data)
		if prev != nil && prev.Sum == sum {
			e := *prev
			e.Size, e.ModTime = size, mod
			results[i], entries[i] = prev.parsed(name), &e
			return
		}
		it, warns, err := ParseRecord(name, data, opts)
		e := &cachedRecord{Size: size, ModTime: mod, Sum: sum}
		for _, w := range warns {
			e.Warns = append(e.Warns, toCached(w))
		}
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				re = &RecordError{Path: name, Err: err}
			}
			ce := toCached(re)
			e.Err = &ce
		} else {
			it = it.light(sum)
			e.Item = it
		}
		results[i], entries[i] = parsed{item: it, warnings: warns, err: err}, e
	})
	return results, entries
}

// parsed rebuilds the parse result the entry records.
func (e *cachedRecord) parsed(path string) parsed {
	var p parsed
	for _, w := range e.Warns {
		p.warnings = append(p.warnings, w.record(path))
	}
	if e.Err != nil {
		p.err = e.Err.record(path)
		return p
	}
	it := *e.Item
	it.Path, it.sum = path, e.Sum
	p.item = &it
	return p
}

// outputKey fingerprints everything a feed file's bytes are made of: the
// feed's own fields and, for each item, its record's content hash, the
// updated time and community the catalog gives it, and its topics as the
// catalog publishes them.
func (f *Feed) outputKey(format Format) uint64 {
	h := crc64.New(crcTable)
	w := func(parts ...string) {
		for _, p := range parts {
			io.WriteString(h, p)
			h.Write([]byte{0})
		}
	}
	num := func(h hash.Hash64, v uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	c := f.cat
	w(cacheVersion, format.String(), f.Path, f.Title, f.Description, f.HomeURL, f.updated().Format(time.RFC3339Nano))
	cur := f
	if f.Current != nil {
		cur = f.Current
	}
	num(h, uint64(f.Archive))
	num(h, uint64(len(cur.Archives)))
	for _, t := range f.Tombstones {
		w(t.ID, t.When.Format(time.RFC3339Nano))
	}
	for _, it := range f.Items {
		num(h, it.sum)
		w(it.ID, c.itemUpdated(it).Format(time.RFC3339Nano), it.Community.Slug, it.Community.Name)
		for _, t := range it.Topics {
			ti := c.topics[t.Key]
			w(ti.Vocabulary, ti.Term, ti.Slug)
		}
	}
	return h.Sum64()
}

// stale lists the outputs of the previous build that this one did not make.
func stale(prev, now map[string]uint64) []string {
	var out []string
	for p := range prev {
		if _, ok := now[p]; !ok && !strings.Contains(p, "..") {
			out = append(out, p)
		}
	}
	return out
}
