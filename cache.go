package curafeed

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"
)

// cacheVersion names the layout of the build cache and of everything whose
// bytes it vouches for; a cache written under another version is ignored.
// Change it whenever parsing, sanitizing or encoding changes what a record
// becomes.
const cacheVersion = "curafeed-cache-13"

var crcTable = crc64.MakeTable(crc64.ECMA)

// castagnoli is the CRC-32C table; like the IEEE one, the processors this
// runs on compute it in hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileSum is the content hash records and outputs are known by: the CRC-32C
// of data in the high 32 bits and its CRC-32 (IEEE) in the low ones, two
// checks of different polynomials, computed about ten times as fast as one
// CRC-64 (which needs tables).
func fileSum(data []byte) uint64 {
	return uint64(crc32.Checksum(data, castagnoli))<<32 | uint64(crc32.ChecksumIEEE(data))
}

// buildCache is what a build keeps for the next one: what each record file
// parsed to, keyed by the file's content hash (and its size and modification
// time, so that unchanged files need not be read), and a fingerprint of
// every feed file it wrote, so that feeds whose inputs did not change are
// not rendered again.
type buildCache struct {
	Records map[string]*cachedRecord // by record path
	Live    []string                 // paths of the records published or retracted, sorted
	Gone    map[string]*Item         // by item ID: records found gone, with Updated set to when, while their tombstones last

	// Pack locates in the record pack (see packFileName) the bytes of each
	// live record, by content hash; PackSize is the pack's length then.
	Pack     map[uint64]packSpan
	PackSize int64

	// OutputsKey is the configuration Outputs were made under (configKey);
	// the rest holds for every configuration with the same recordsKey.
	OutputsKey string
	Outputs    map[string]cachedOutput // by output path

	// As read from the log (see cacheSegment): the entries it holds, and
	// its length; 0 when the next write must write the log anew.
	logged int
	size   int64
}

// cachedOutput is what a feed file was made of, and what meeting the size
// budget took, so that a build that keeps the file still reports it.
type cachedOutput struct {
	Key       uint64 // fingerprint of everything the bytes are made of
	Truncated int    // items cut to their summary
	Over      bool   // still over the budget
}

// cachedRecord is one record file's parse outcome.
type cachedRecord struct {
	Size    int64
	ModTime int64 // its fileStamp; 0 when the file system gives no time
	Sum     uint64
	Item    *Item // the light item, or nil
	Warns   []cachedError
	Err     *cachedError

	// Kept is the last good light item of a rejected record still
	// published in that version, and KeptSum its content hash: the pack
	// holds its bytes.
	Kept    *Item
	KeptSum uint64

	// Whole marks an entry a Reloader saved (see Reloader.Save): its Item
	// holds every field of the record's item but the body, which Body
	// says there is, and ParsedCommunity is the community the record
	// itself names, before collecting the records joined it to another.
	// A Reloader restarted from the cache takes such an item without
	// reading its record, and reads the body when it first renders it
	// (see bodySource); a build takes its light part.
	Whole           bool
	Body            bool
	ParsedCommunity Community
}

// good returns the light item and content hash of the last version of the
// record that was good: the file's own, or the one kept.
func (e *cachedRecord) good() (*Item, uint64) {
	switch {
	case e == nil:
		return nil, 0
	case e.Err == nil && e.Item != nil:
		return e.Item, e.Sum
	}
	return e.Kept, e.KeptSum
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
	// Where and how fast, not what; the size cap decides which records
	// there are, and each feed's fingerprint covers its records.
	cfg.CacheDir, cfg.Workers, cfg.MaxRecordBytes = "", 0, 0
	// Progress is no configuration, and %#v would show its address.
	cfg.Progress = nil
	cfg.Now = time.Time{} // which records are due shows in the feeds themselves
	cfg.Progress = nil    // a func prints as its address
	return fmt.Sprintf("%#v\x00%s", cfg, cacheVersion)
}

// recordsKey is a fingerprint of what in cfg changes what records parse to
// and which are published or retracted: what the records part of a cache
// (Records, Live, Gone) depends on. Another title, limit or hub keeps it.
func recordsKey(cfg Config) string {
	return fmt.Sprintf("%q\x00%q\x00%q\x00%q\x00%s", cfg.SiteURL, cfg.PublishedStatuses, cfg.RetractedStatuses, cfg.Archetypes, cacheVersion)
}

const (
	cacheFileName = "build.cache"
	// dirtyFileName marks a build that was writing feed files when it
	// stopped: the files on disk may then not be those the cache's outputs
	// describe, so the next build does not trust them.
	dirtyFileName = "build.cache.dirty"
)

// markDirty records, before a build writes feed files, that the cache's
// outputs may no longer describe them; clean removes the mark once the
// cache says again what is on disk.
func markDirty(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, dirtyFileName), nil, 0o644); err != nil {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	return nil
}

func markClean(dir string) error {
	if err := os.Remove(filepath.Join(dir, dirtyFileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	return nil
}

// The cache file is a log: a head line (cacheVersion and recordsKey), then
// segments, each one cacheSegment (as encodeSegment writes it) after its
// length (8 bytes, big-endian) and SHA-256. The first segment holds the whole cache;
// each build after it appends what changed, so that a rebuild after a few
// edits writes a few entries, not the whole corpus again. When the log
// holds more than twice the entries of the cache, it is written anew, with
// one segment.
type cacheSegment struct {
	Records        map[string]*cachedRecord // added or changed
	DroppedRecords []string
	Outputs        map[string]cachedOutput // added or changed
	DroppedOutputs []string
	Pack           map[uint64]packSpan // added or changed
	DroppedPack    []uint64
	Live           []string // when LiveSet
	LiveSet        bool
	Gone           map[string]*Item // all of them
	PackSize       int64
	OutputsKey     string
}

// readCache reads the cache in dir, or returns an empty one when there is
// none, or it is damaged or was written for another version or records
// configuration.
func readCache(dir string, cfg Config) *buildCache {
	empty := &buildCache{Records: map[string]*cachedRecord{}, Outputs: map[string]cachedOutput{}}
	data, err := os.ReadFile(filepath.Join(dir, cacheFileName))
	if err != nil {
		return empty
	}
	head := cacheVersion + "\n" + recordsKey(cfg) + "\n"
	if len(data) < len(head) || string(data[:len(head)]) != head {
		return empty
	}
	c := &buildCache{Records: map[string]*cachedRecord{}, Outputs: map[string]cachedOutput{}, Pack: map[uint64]packSpan{}, Gone: map[string]*Item{}}
	rest := data[len(head):]
	for len(rest) > 0 {
		if len(rest) < 8+sha256.Size {
			return empty
		}
		n := binary.BigEndian.Uint64(rest)
		if n > uint64(len(rest)-8-sha256.Size) {
			return empty
		}
		body := rest[8+sha256.Size : 8+sha256.Size+int(n)]
		if sum := sha256.Sum256(body); !bytes.Equal(sum[:], rest[8:8+sha256.Size]) {
			return empty
		}
		seg, err := decodeSegment(body)
		if err != nil || !c.apply(seg) {
			return empty
		}
		rest = rest[8+sha256.Size+int(n):]
	}
	if c.logged == 0 {
		return empty
	}
	c.size = int64(len(data))
	if c.OutputsKey != configKey(cfg) {
		c.Outputs, c.size = map[string]cachedOutput{}, 0 // the next write starts the log anew
	} else if _, err := os.Stat(filepath.Join(dir, dirtyFileName)); err == nil {
		c.Outputs, c.size = map[string]cachedOutput{}, 0
	}
	return c
}

// apply replays one segment of the log; false when it is not a sound one.
func (c *buildCache) apply(seg *cacheSegment) bool {
	for _, e := range seg.Records {
		if e == nil {
			return false
		}
	}
	// The first segment's maps are taken over, not copied.
	c.Records = merged(c.Records, seg.Records)
	for _, p := range seg.DroppedRecords {
		delete(c.Records, p)
	}
	c.Outputs = merged(c.Outputs, seg.Outputs)
	for _, p := range seg.DroppedOutputs {
		delete(c.Outputs, p)
	}
	c.Pack = merged(c.Pack, seg.Pack)
	for _, k := range seg.DroppedPack {
		delete(c.Pack, k)
	}
	if seg.LiveSet {
		c.Live = seg.Live
	}
	for _, it := range seg.Gone {
		if it == nil {
			return false
		}
	}
	c.Gone = seg.Gone
	if c.Gone == nil {
		c.Gone = map[string]*Item{}
	}
	c.PackSize, c.OutputsKey = seg.PackSize, seg.OutputsKey
	c.logged += len(seg.Records) + len(seg.DroppedRecords) + len(seg.Outputs) + len(seg.DroppedOutputs) + 1
	return true
}

// merged returns dst with the entries of src added: src itself when dst is
// empty.
func merged[K comparable, V any](dst, src map[K]V) map[K]V {
	if len(dst) == 0 && src != nil {
		return src
	}
	maps.Copy(dst, src)
	return dst
}

// writeCache writes next, the cache of this build, to dir: it appends what
// changed since prev (the cache this build read) to the log, or writes the
// log anew, atomically, when prev was not read from it or the log is more
// than twice the size it needs.
func writeCache(dir string, cfg Config, next, prev *buildCache) error {
	next.OutputsKey = configKey(cfg)
	entries := len(next.Records) + len(next.Outputs) + 1
	if prev == nil || prev.size == 0 || prev.logged > 2*entries+64 {
		var out bytes.Buffer
		out.WriteString(cacheVersion + "\n" + recordsKey(cfg) + "\n")
		appendSegment(&out, delta(&buildCache{}, next))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("curafeed: writing the build cache: %w", err)
		}
		if err := writeFileAtomic(filepath.Join(dir, cacheFileName), out.Bytes()); err != nil {
			return fmt.Errorf("curafeed: writing the build cache: %w", err)
		}
		return nil
	}
	var out bytes.Buffer
	appendSegment(&out, delta(prev, next))
	p := filepath.Join(dir, cacheFileName)
	f, err := os.OpenFile(p, os.O_WRONLY|openNoFollow, 0)
	if err == nil {
		// Written at the end the log had when it was read: a segment torn
		// by a build that stopped is never followed by another.
		_, err = f.WriteAt(out.Bytes(), prev.size)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	return nil
}

// appendSegment appends seg to out, with its length and SHA-256.
func appendSegment(out *bytes.Buffer, seg *cacheSegment) {
	body := encodeSegment(seg)
	sum := sha256.Sum256(body)
	out.Write(binary.BigEndian.AppendUint64(nil, uint64(len(body))))
	out.Write(sum[:])
	out.Write(body)
}

// delta is the segment that turns prev into next.
func delta(prev, next *buildCache) *cacheSegment {
	seg := &cacheSegment{Gone: next.Gone, PackSize: next.PackSize, OutputsKey: next.OutputsKey}
	seg.Records, seg.DroppedRecords = mapDelta(prev.Records, next.Records)
	seg.Outputs, seg.DroppedOutputs = mapDelta(prev.Outputs, next.Outputs)
	seg.Pack, seg.DroppedPack = mapDelta(prev.Pack, next.Pack)
	if !slices.Equal(prev.Live, next.Live) || (prev.Live == nil) != (next.Live == nil) {
		seg.Live, seg.LiveSet = next.Live, true
	}
	return seg
}

// mapDelta returns the entries of next that prev lacks or holds otherwise,
// and the keys of prev that next lacks, sorted.
func mapDelta[K cmp.Ordered, V comparable](prev, next map[K]V) (map[K]V, []K) {
	changed := map[K]V{}
	for k, v := range next {
		if old, ok := prev[k]; !ok || old != v {
			changed[k] = v
		}
	}
	var dropped []K
	for k := range prev {
		if _, ok := next[k]; !ok {
			dropped = append(dropped, k)
		}
	}
	slices.Sort(dropped)
	return changed, dropped
}

// parseCached is parseAll with a cache: a file whose size and stamp (see
// fileStamp; from infos, what the walk saw, when it has the file) are those
// recorded, or whose content hash is, is not parsed again:
// its item is the entry's, light (see formLight). A file that is not regular, or
// over cfg.MaxRecordBytes, is refused whatever the cache holds. Each item
// parsed is passed to keep, with the file's bytes, and its entry holds its
// light copy. It returns the results and the new cache entries.
func parseCached(fsys fs.FS, names []string, types []fs.FileMode, infos []fs.FileInfo, cfg Config, opts parseOptions, old map[string]*cachedRecord, keep func(*Item, []byte) *Item) ([]parsed, []*cachedRecord) {
	results := make([]parsed, len(names))
	entries := make([]*cachedRecord, len(names))
	prog := newProgress(cfg.Progress, "records", len(names))
	parallel(len(names), cfg.Workers, func(i int) {
		defer prog.add()
		name, typ := names[i], types[i]
		prev := old[name]
		var size, mod int64
		if typ != walkFailed {
			var fi fs.FileInfo
			var err error
			if i < len(infos) && infos[i] != nil {
				fi = infos[i] // a regular file, as the walk saw it
			} else {
				fi, err = fs.Stat(fsys, name)
			}
			if err == nil {
				size, mod = fi.Size(), fileStamp(fi)
				typ = fi.Mode().Type() // looked through a link
				if !typ.IsRegular() {
					results[i].err = &RecordError{Path: name, Err: notRegular(typ)}
					return
				}
				if cfg.MaxRecordBytes >= 0 && size > cfg.MaxRecordBytes {
					results[i].err = &RecordError{Path: name, Err: overCap(size, cfg.MaxRecordBytes)}
					return
				}
			}
		}
		if prev != nil && mod != 0 && prev.Size == size && prev.ModTime == mod {
			results[i], entries[i] = prev.parsed(name), prev
			return
		}
		data, err := readRecord(fsys, name, typ, cfg.MaxRecordBytes)
		if err != nil {
			results[i].err = &RecordError{Path: name, Err: err}
			return
		}
		sum := fileSum(data)
		if prev != nil && prev.Sum == sum && prev.Size == int64(len(data)) {
			e := *prev
			e.Size, e.ModTime = size, mod
			results[i], entries[i] = prev.parsed(name), &e
			return
		}
		it, warns, err := parseRecord(name, data, opts)
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
			e.Item = it.light(sum)
			it.sum = sum
			it = keep(it, data)
		}
		results[i], entries[i] = parsed{item: it, warnings: warns, err: err}, e
	})
	return results, entries
}

// heldRecord reports whether the file at path read as a record (published
// or not, rejected or not) at the build that wrote the cache.
func (c *buildCache) heldRecord(path string) bool {
	e := c.Records[path]
	return e != nil && (e.Item != nil || (e.Err != nil && !e.Err.NotRecord))
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
	it.Path, it.sum, it.form = path, e.Sum, formLight
	p.item = &it
	return p
}

// contentKey fingerprints everything a document's bytes are made of, in
// any format: the feed's own fields and links, its tombstones and the
// itemKey of each item.
func (f *Feed) contentKey() uint64 {
	return f.contentKeyWith(f.cat.itemKey)
}

// contentKeyWith is contentKey with the items' keys from itemKey.
func (f *Feed) contentKeyWith(itemKey func(*Item) uint64) uint64 {
	var k keyHash
	k.str(cacheVersion, f.Path, f.Title, f.Description, f.HomeURL)
	k.num(uint64(f.updated().UnixNano()))
	cur := f
	if f.Current != nil {
		cur = f.Current
	}
	k.num(uint64(f.Archive))
	k.num(uint64(len(cur.Archives)))
	for _, t := range f.Tombstones {
		k.str(t.ID)
		k.num(uint64(t.When.UnixNano()))
	}
	for _, it := range f.Items {
		k.num(itemKey(it))
	}
	return k.sum
}

// itemKey fingerprints what an item brings to a document: its record's
// content hash, the updated time and community the catalog gives it, and
// its topics as the catalog publishes them.
func (c *Catalog) itemKey(it *Item) uint64 {
	var k keyHash
	k.num(it.sum)
	k.num(uint64(c.itemUpdated(it).UnixNano()))
	k.str(it.ID, it.Community.Slug, it.Community.Name)
	for _, t := range it.Topics {
		ti := c.topics[t.Key]
		k.str(ti.Vocabulary, ti.Term, ti.Slug)
	}
	return k.sum
}

// docKeys returns the content key of each document that has a trustworthy
// one (see docKey), computing each item's key once, on cfg.Workers
// goroutines.
func (c *Catalog) docKeys(docs []*Feed) map[*Feed]uint64 {
	index := map[*Item]int{}
	var items []*Item
	for _, f := range docs {
		for _, it := range f.Items {
			if _, ok := index[it]; !ok {
				index[it] = len(items)
				items = append(items, it)
			}
		}
	}
	ikeys := make([]uint64, len(items))
	parallel(len(items), c.cfg.Workers, func(i int) { ikeys[i] = c.itemKey(items[i]) })
	dkeys := make([]uint64, len(docs))
	trusted := make([]bool, len(docs))
	parallel(len(docs), c.cfg.Workers, func(i int) {
		for _, it := range docs[i].Items {
			if it.sum == 0 {
				return
			}
		}
		dkeys[i] = docs[i].contentKeyWith(func(it *Item) uint64 { return ikeys[index[it]] })
		trusted[i] = true
	})
	out := make(map[*Feed]uint64, len(docs))
	for i, f := range docs {
		if trusted[i] {
			out[f] = dkeys[i]
		}
	}
	return out
}

// formatKey is the fingerprint of a document in one format.
func formatKey(content uint64, format Format) uint64 {
	k := keyHash{sum: content}
	k.num(uint64(format) + 1)
	return k.sum
}

// keyHash is a CRC-64 fed with strings and numbers, each delimited, without
// allocating.
type keyHash struct {
	sum uint64
	buf [8]byte
}

func (k *keyHash) str(parts ...string) {
	for _, p := range parts {
		k.sum = crc64.Update(k.sum, crcTable, unsafeBytes(p))
		k.sum = crc64.Update(k.sum, crcTable, zero[:])
	}
}

func (k *keyHash) num(v uint64) {
	binary.LittleEndian.PutUint64(k.buf[:], v)
	k.sum = crc64.Update(k.sum, crcTable, k.buf[:])
}

var zero = [1]byte{0}

// unsafeBytes is s's bytes, without a copy; the hash only reads them.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// sameCache reports whether next records exactly what prev does, so that
// writing it again can be skipped. Record entries are compared by identity:
// an entry taken over unchanged from prev is the same pointer.
func sameCache(prev, next *buildCache) bool {
	if prev.OutputsKey != next.OutputsKey || len(prev.Records) != len(next.Records) || len(prev.Outputs) != len(next.Outputs) ||
		len(prev.Gone) != len(next.Gone) || !slices.Equal(prev.Live, next.Live) ||
		prev.PackSize != next.PackSize || !maps.Equal(prev.Pack, next.Pack) {
		return false
	}
	for p, e := range next.Records {
		if prev.Records[p] != e {
			return false
		}
	}
	for p, k := range next.Outputs {
		if old, ok := prev.Outputs[p]; !ok || old != k {
			return false
		}
	}
	for id, it := range next.Gone {
		if prev.Gone[id] != it {
			return false
		}
	}
	return true
}
