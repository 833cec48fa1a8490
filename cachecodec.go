package curafeed

import (
	"cmp"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"slices"
	"time"
)

// A cache segment (see cacheSegment) is written in a binary form of its own,
// read in one pass: a table of every distinct string it holds, then its
// fields, each string given as its index in the table. Records share their
// communities, topics, statuses and warnings, and each path is written once
// however many lists name it; decoding makes one string of the whole table
// and slices each string out of it, and one array of entries, items and
// topics for the whole segment, instead of one allocation each.
//
// The table is the number of strings, their lengths, then their bytes.
// Numbers are varints; content hashes and fingerprints are 8 bytes,
// little-endian; a time is its Unix seconds and nanoseconds; a list is its
// length, then its elements; maps are written sorted by key, so that the
// same cache makes the same bytes.

// segmentEncoder writes one segment.
type segmentEncoder struct {
	data  []byte
	index map[string]uint64
	table []string
}

func (e *segmentEncoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.table))
		e.index[s] = i
		e.table = append(e.table, s)
	}
	e.uint(i)
}

func (e *segmentEncoder) uint(v uint64)  { e.data = binary.AppendUvarint(e.data, v) }
func (e *segmentEncoder) int(v int64)    { e.data = binary.AppendVarint(e.data, v) }
func (e *segmentEncoder) fixed(v uint64) { e.data = binary.LittleEndian.AppendUint64(e.data, v) }

func (e *segmentEncoder) bool(b bool) {
	if b {
		e.data = append(e.data, 1)
	} else {
		e.data = append(e.data, 0)
	}
}

func (e *segmentEncoder) time(t time.Time) {
	e.int(t.Unix())
	e.uint(uint64(t.Nanosecond()))
}

func (e *segmentEncoder) strs(list []string) {
	e.uint(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

// item writes what a cache holds of an item: its exported fields, the site
// fields a light item keeps (see Item.light) and whether it was checked.
func (e *segmentEncoder) item(it *Item) {
	if it == nil {
		e.bool(false)
		return
	}
	e.bool(true)
	for _, s := range []string{it.ID, it.RecordID, it.Path, it.Title, it.Summary, it.URL, it.ExternalURL, it.Brand} {
		e.str(s)
	}
	e.time(it.Published)
	e.time(it.Updated)
	e.str(it.Community.Slug)
	e.str(it.Community.Name)
	e.uint(uint64(len(it.Topics)))
	for _, t := range it.Topics {
		e.str(t.Key)
		e.str(t.Vocabulary)
		e.str(t.Term)
	}
	e.strs(it.Tags)
	e.strs(it.Authors)
	e.bool(it.Image != nil)
	if im := it.Image; im != nil {
		e.str(im.URL)
		e.str(im.Type)
		e.str(im.Alt)
		e.int(int64(im.Width))
		e.int(int64(im.Height))
	}
	e.str(it.Status)
	e.str(it.Archetype)
	e.str(it.extra.BasePath)
	e.str(it.extra.OGURL)
	e.bool(it.checked)
}

func (e *segmentEncoder) cachedError(ce *cachedError) {
	e.int(int64(ce.Line))
	e.str(ce.Field)
	e.str(ce.Msg)
	e.bool(ce.NotRecord)
}

func (e *segmentEncoder) record(r *cachedRecord) {
	e.int(r.Size)
	e.int(r.ModTime)
	e.fixed(r.Sum)
	e.item(r.Item)
	e.uint(uint64(len(r.Warns)))
	for i := range r.Warns {
		e.cachedError(&r.Warns[i])
	}
	e.bool(r.Err != nil)
	if r.Err != nil {
		e.cachedError(r.Err)
	}
	e.item(r.Kept)
	e.fixed(r.KeptSum)
	e.bool(r.Whole)
	if r.Whole {
		e.bool(r.Body)
		e.str(r.ParsedCommunity.Slug)
		e.str(r.ParsedCommunity.Name)
	}
}

// eachSorted calls fn with each entry of m, in the order of the keys.
func eachSorted[K cmp.Ordered, V any](m map[K]V, fn func(K, V)) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fn(k, m[k])
	}
}

// encodeSegment returns the bytes of seg.
func encodeSegment(seg *cacheSegment) []byte {
	e := &segmentEncoder{index: map[string]uint64{}}
	e.uint(uint64(len(seg.Records)))
	eachSorted(seg.Records, func(p string, r *cachedRecord) {
		e.str(p)
		e.record(r)
	})
	e.strs(seg.DroppedRecords)
	e.uint(uint64(len(seg.Outputs)))
	eachSorted(seg.Outputs, func(p string, o cachedOutput) {
		e.str(p)
		e.fixed(o.Key)
		e.int(int64(o.Truncated))
		e.bool(o.Over)
	})
	e.strs(seg.DroppedOutputs)
	e.uint(uint64(len(seg.Pack)))
	eachSorted(seg.Pack, func(k uint64, s packSpan) {
		e.fixed(k)
		e.int(s.Off)
		e.int(s.Len)
	})
	e.uint(uint64(len(seg.DroppedPack)))
	for _, k := range seg.DroppedPack {
		e.fixed(k)
	}
	e.bool(seg.LiveSet)
	if seg.LiveSet {
		// 0 for a nil list, else its length plus one.
		if seg.Live == nil {
			e.uint(0)
		} else {
			e.uint(uint64(len(seg.Live)) + 1)
			for _, p := range seg.Live {
				e.str(p)
			}
		}
	}
	e.uint(uint64(len(seg.Gone)))
	gone := slices.SortedFunc(maps.Values(seg.Gone), func(a, b *Item) int { return cmp.Compare(a.ID, b.ID) })
	for _, it := range gone {
		e.item(it)
	}
	e.int(seg.PackSize)
	e.str(seg.OutputsKey)

	out := binary.AppendUvarint(nil, uint64(len(e.table)))
	total := 0
	for _, s := range e.table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		total += len(s)
	}
	out = slices.Grow(out, total+len(e.data))
	for _, s := range e.table {
		out = append(out, s...)
	}
	return append(out, e.data...)
}

// errSegment is the error of a segment that is not one encodeSegment wrote.
var errSegment = errors.New("curafeed: damaged cache segment")

// segmentDecoder reads one segment; its first error stops it (every read
// after it returns zero values).
type segmentDecoder struct {
	varintReader
	table []string

	// Arrays the segment's entries, items and topics are taken from.
	records []cachedRecord
	items   []Item
	topics  []Topic
}

// count reads the length of a list whose elements take at least min bytes
// each: a length the rest of the segment cannot hold is an error.
func (d *segmentDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *segmentDecoder) bool() bool {
	if len(d.b) == 0 || d.b[0] > 1 {
		d.fail()
		return false
	}
	b := d.b[0] == 1
	d.b = d.b[1:]
	return b
}

func (d *segmentDecoder) str() string {
	i := d.uvarint()
	if i >= uint64(len(d.table)) {
		d.fail()
		return ""
	}
	return d.table[i]
}

func (d *segmentDecoder) time() time.Time {
	sec, nsec := d.varint(), d.uvarint()
	if nsec >= 1e9 {
		d.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *segmentDecoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = d.str()
	}
	return list
}

// item reads an item (see segmentEncoder.item), or nil.
func (d *segmentDecoder) item() *Item {
	if !d.bool() {
		return nil
	}
	if len(d.items) == 0 {
		d.items = make([]Item, 256)
	}
	it := &d.items[0]
	d.items = d.items[1:]
	for _, p := range []*string{&it.ID, &it.RecordID, &it.Path, &it.Title, &it.Summary, &it.URL, &it.ExternalURL, &it.Brand} {
		*p = d.str()
	}
	it.Published, it.Updated = d.time(), d.time()
	it.Community = Community{Slug: d.str(), Name: d.str()}
	if n := d.count(3); n > 0 {
		if len(d.topics) < n {
			d.topics = make([]Topic, max(n, 1024))
		}
		it.Topics = d.topics[:n:n]
		d.topics = d.topics[n:]
		for i := range it.Topics {
			it.Topics[i] = Topic{Key: d.str(), Vocabulary: d.str(), Term: d.str()}
		}
	}
	it.Tags, it.Authors = d.strs(), d.strs()
	if d.bool() {
		im := &Image{URL: d.str(), Type: d.str(), Alt: d.str()}
		im.Width, im.Height = d.dimension(), d.dimension()
		it.Image = im
	}
	it.Status, it.Archetype = d.str(), d.str()
	it.extra.BasePath, it.extra.OGURL = d.str(), d.str()
	it.checked = d.bool()
	return it
}

func (d *segmentDecoder) dimension() int {
	v := d.varint()
	if v < 0 || v > math.MaxInt32 {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *segmentDecoder) cachedError() cachedError {
	line := d.varint()
	if line < 0 || line > math.MaxInt32 {
		d.fail()
	}
	return cachedError{Line: int(line), Field: d.str(), Msg: d.str(), NotRecord: d.bool()}
}

func (d *segmentDecoder) record() *cachedRecord {
	if len(d.records) == 0 {
		d.records = make([]cachedRecord, 256)
	}
	r := &d.records[0]
	d.records = d.records[1:]
	r.Size, r.ModTime, r.Sum = d.varint(), d.varint(), d.fixed()
	r.Item = d.item()
	if n := d.count(4); n > 0 {
		r.Warns = make([]cachedError, n)
		for i := range r.Warns {
			r.Warns[i] = d.cachedError()
		}
	}
	if d.bool() {
		ce := d.cachedError()
		r.Err = &ce
	}
	r.Kept, r.KeptSum = d.item(), d.fixed()
	if r.Whole = d.bool(); r.Whole {
		r.Body = d.bool()
		r.ParsedCommunity = Community{Slug: d.str(), Name: d.str()}
	}
	return r
}

// decodeSegment reads the segment encodeSegment wrote as data.
func decodeSegment(data []byte) (*cacheSegment, error) {
	d := &segmentDecoder{varintReader: varintReader{b: data, bad: errSegment}}
	n := d.count(1)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		l := d.uvarint()
		if l > uint64(len(d.b)) {
			return nil, errSegment
		}
		lens[i] = int(l)
		total += int(l)
	}
	if d.err != nil || total > len(d.b) {
		return nil, errSegment
	}
	blob := string(d.b[:total])
	d.b = d.b[total:]
	d.table = make([]string, n)
	off := 0
	for i, l := range lens {
		d.table[i] = blob[off : off+l]
		off += l
	}

	seg := &cacheSegment{}
	nrec := d.count(2)
	seg.Records = make(map[string]*cachedRecord, nrec)
	d.records = make([]cachedRecord, nrec)
	d.items = make([]Item, nrec)
	for range nrec {
		p := d.str()
		seg.Records[p] = d.record()
	}
	seg.DroppedRecords = d.strs()
	nout := d.count(11)
	seg.Outputs = make(map[string]cachedOutput, nout)
	for range nout {
		p := d.str()
		o := cachedOutput{Key: d.fixed()}
		truncated := d.varint()
		if truncated < 0 || truncated > math.MaxInt32 {
			d.fail()
		}
		o.Truncated, o.Over = int(truncated), d.bool()
		seg.Outputs[p] = o
	}
	seg.DroppedOutputs = d.strs()
	npack := d.count(10)
	seg.Pack = make(map[uint64]packSpan, npack)
	for range npack {
		k := d.fixed()
		seg.Pack[k] = packSpan{Off: d.varint(), Len: d.varint()}
	}
	if ndrop := d.count(8); ndrop > 0 {
		seg.DroppedPack = make([]uint64, ndrop)
		for i := range seg.DroppedPack {
			seg.DroppedPack[i] = d.fixed()
		}
	}
	if seg.LiveSet = d.bool(); seg.LiveSet {
		if n := d.uvarint(); n > 0 {
			if n-1 > uint64(len(d.b)) {
				return nil, errSegment
			}
			seg.Live = make([]string, n-1)
			for i := range seg.Live {
				seg.Live[i] = d.str()
			}
		}
	}
	ngone := d.count(1)
	seg.Gone = make(map[string]*Item, ngone)
	for range ngone {
		it := d.item()
		if it == nil {
			d.fail()
			break
		}
		seg.Gone[it.ID] = it
	}
	seg.PackSize = d.varint()
	seg.OutputsKey = d.str()
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errSegment
	}
	return seg, nil
}
