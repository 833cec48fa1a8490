package curafeed

import (
	"bufio"
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// The record pack keeps, in the cache folder, the bytes of every record
// published or retracted at the last cached build, so that a record whose
// file is then damaged can still be rendered in its last good version.
//
// It is one file, written only by appending: a magic line, then entries of
// the record's content hash (8 bytes), its length (8 bytes) and its bytes.
// The build cache indexes the entries by content hash (buildCache.Pack); a
// build appends the records whose hash the index lacks, and rewrites the
// pack with only the live entries once the dead bytes outweigh them. The
// pack is never trusted beyond the content hash of an entry: a pack that is
// missing, cut short or overwritten only means that damaged records cannot
// be kept, never a failed build.
const (
	packFileName = "records.pack"
	packMagic    = "curafeed-pack-1\n"
	packHead     = 16 // content hash and length before each entry's bytes
)

// packSpan locates an entry: Off is where its head begins, Len the length
// of its bytes.
type packSpan struct {
	Off, Len int64
}

// recordPack is the pack of a build: the index the cache gave, less the
// entries found bad.
type recordPack struct {
	path  string
	tmp   string   // the new pack being written, until it is renamed to path
	f     *os.File // nil when there is no usable pack
	size  int64
	index map[uint64]packSpan
}

// openPack opens the pack in dir that the cache prev indexes. A pack that
// is missing, shorter than the cache says or not a pack is started anew by
// update, with an empty index.
func openPack(dir string, prev *buildCache) *recordPack {
	p := &recordPack{path: filepath.Join(dir, packFileName), index: map[uint64]packSpan{}}
	if prev.PackSize < int64(len(packMagic)) || len(prev.Pack) == 0 {
		return p
	}
	f, err := os.Open(p.path)
	if err != nil {
		return p
	}
	fi, err := f.Stat()
	head := make([]byte, len(packMagic))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < prev.PackSize {
		f.Close()
		return p
	}
	if _, err := f.ReadAt(head, 0); err != nil || string(head) != packMagic {
		f.Close()
		return p
	}
	p.f, p.size = f, fi.Size()
	for sum, s := range prev.Pack {
		if s.Off >= int64(len(packMagic)) && s.Len >= 0 && s.Off+packHead+s.Len <= prev.PackSize {
			p.index[sum] = s
		}
	}
	return p
}

// read returns the bytes of the entry with content hash sum, checked
// against it. An entry that does not check is dropped from the index, so
// that the record is written again if it is still live.
func (p *recordPack) read(sum uint64) ([]byte, bool) {
	s, ok := p.index[sum]
	if !ok || p.f == nil {
		return nil, false
	}
	data, ok := readEntry(p.f, sum, s)
	if !ok {
		delete(p.index, sum)
	}
	return data, ok
}

func readEntry(r io.ReaderAt, sum uint64, s packSpan) ([]byte, bool) {
	buf := make([]byte, packHead+s.Len)
	if _, err := r.ReadAt(buf, s.Off); err != nil {
		return nil, false
	}
	data := buf[packHead:]
	if binary.LittleEndian.Uint64(buf) != sum || int64(binary.LittleEndian.Uint64(buf[8:])) != s.Len || fileSum(data) != sum {
		return nil, false
	}
	return data, true
}

func (p *recordPack) close() {
	if p != nil && p.f != nil {
		p.f.Close()
		p.f = nil
	}
}

// packBatch is how many records update reads at once.
const packBatch = 256

// update makes the pack hold the bytes of the live items (each with its
// path and content hash): it appends those the index lacks, read again from
// fsys (a file that no longer has the hash is left out), and rewrites the
// pack with only the live entries when its dead bytes outweigh them. It
// returns the new index and the pack's size; when the pack cannot be
// written, an empty index.
func (p *recordPack) update(fsys fs.FS, live []*Item, workers int, maxBytes int64) (map[uint64]packSpan, int64) {
	defer p.close()
	index := make(map[uint64]packSpan, len(live))
	var need []*Item
	for _, it := range live {
		if _, ok := index[it.sum]; ok {
			continue
		}
		if s, ok := p.index[it.sum]; ok && p.f != nil {
			index[it.sum] = s
			continue
		}
		index[it.sum] = packSpan{Off: -1}
		need = append(need, it)
	}
	sort.Slice(need, func(i, j int) bool { return need[i].Path < need[j].Path })
	for sum, s := range index {
		if s.Off < 0 {
			delete(index, sum)
		}
	}
	if len(need) == 0 && p.f != nil && !p.wasteful(index) {
		return index, p.size
	}

	var f *os.File
	var err error
	if p.f == nil {
		// No usable pack: start a new one, in a temporary file renamed
		// into place once written, never through whatever the name holds.
		f, err = os.CreateTemp(filepath.Dir(p.path), tempPrefix+packFileName+".*")
		if err == nil {
			p.tmp = f.Name()
			_, err = f.WriteString(packMagic)
		}
		p.size = int64(len(packMagic))
	} else {
		p.f.Close()
		f, err = os.OpenFile(p.path, os.O_RDWR, 0)
		p.f = f
		if err == nil {
			_, err = f.Seek(p.size, io.SeekStart)
		}
	}
	if err != nil {
		return p.fail(f)
	}
	p.f = f
	w := bufio.NewWriterSize(f, 1<<20)
	off := p.size
	datas := make([][]byte, packBatch)
	for start := 0; start < len(need); start += packBatch {
		batch := need[start:min(start+packBatch, len(need))]
		parallel(len(batch), workers, func(i int) {
			data, err := readRecord(fsys, batch[i].Path, 0, maxBytes)
			if err != nil || fileSum(data) != batch[i].sum {
				data = nil // changed since it was parsed: left out
			}
			datas[i] = data
		})
		for i, it := range batch {
			data := datas[i]
			datas[i] = nil
			if data == nil {
				continue
			}
			var head [packHead]byte
			binary.LittleEndian.PutUint64(head[:], it.sum)
			binary.LittleEndian.PutUint64(head[8:], uint64(len(data)))
			if _, err := w.Write(head[:]); err != nil {
				return p.fail(f)
			}
			if _, err := w.Write(data); err != nil {
				return p.fail(f)
			}
			index[it.sum] = packSpan{Off: off, Len: int64(len(data))}
			off += packHead + int64(len(data))
		}
	}
	if err := w.Flush(); err != nil {
		return p.fail(f)
	}
	if p.tmp != "" {
		if err := os.Chmod(p.tmp, 0o644); err != nil {
			return p.fail(f)
		}
		if err := os.Rename(p.tmp, p.path); err != nil {
			return p.fail(f)
		}
		p.tmp = ""
	}
	p.size = off
	if p.wasteful(index) {
		return p.compact(index)
	}
	return index, p.size
}

// wasteful reports whether the pack holds more dead bytes than live ones.
func (p *recordPack) wasteful(index map[uint64]packSpan) bool {
	var live int64
	for _, s := range index {
		live += packHead + s.Len
	}
	return p.size-int64(len(packMagic))-live > live
}

// compact rewrites the pack with only the entries of index, in the order
// they were written, replacing it atomically. Entries that do not check are
// left out.
func (p *recordPack) compact(index map[uint64]packSpan) (map[uint64]packSpan, int64) {
	sums := make([]uint64, 0, len(index))
	for sum := range index {
		sums = append(sums, sum)
	}
	sort.Slice(sums, func(i, j int) bool { return index[sums[i]].Off < index[sums[j]].Off })
	tmp, err := os.CreateTemp(filepath.Dir(p.path), tempPrefix+packFileName+".*")
	if err != nil {
		return p.fail(nil)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	next := make(map[uint64]packSpan, len(index))
	off := int64(len(packMagic))
	_, err = w.WriteString(packMagic)
	for _, sum := range sums {
		if err != nil {
			break
		}
		data, ok := readEntry(p.f, sum, index[sum])
		if !ok {
			continue
		}
		var head [packHead]byte
		binary.LittleEndian.PutUint64(head[:], sum)
		binary.LittleEndian.PutUint64(head[8:], uint64(len(data)))
		if _, err = w.Write(head[:]); err == nil {
			_, err = w.Write(data)
		}
		next[sum] = packSpan{Off: off, Len: int64(len(data))}
		off += packHead + int64(len(data))
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return p.fail(nil)
	}
	return next, off
}

// fail drops a pack that could not be written: the cache then indexes
// nothing, and the next build starts a new pack.
func (p *recordPack) fail(f *os.File) (map[uint64]packSpan, int64) {
	if f != nil && f != p.f {
		f.Close()
	}
	p.close()
	if p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
	os.Remove(p.path) // were it left, the empty index keeps it from being read
	return map[uint64]packSpan{}, 0
}
