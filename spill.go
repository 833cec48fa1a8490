package curafeed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"
)

// spillFile is an append-only temporary file for the bytes a build needs
// again later but need not hold in memory meanwhile: BuildDir keeps there
// the body of every record it reads, and each item's encodings once made.
// Appends from many goroutines take disjoint ranges of the file; reads are
// ReadAt. The file loses its name as soon as it is made where an open file
// can, and is removed by close otherwise.
//
// A buffered spill file (see newBufferedSpill) gathers its appends in
// memory and writes them spillFlush bytes at a time: a build adds a few
// hundred thousand small pieces, and a system call each costs more than
// copying them. Reads of bytes not written yet are served from memory. A
// failed write loses bytes that earlier adds were told were kept, so it
// fails every later add and read: only a user that gives up on the first
// error (a build) may use one. Otherwise each add is written at once
// (WriteAt), and a failed add fails alone.
type spillFile struct {
	f    *os.File // nil: the bytes are in mem (see memorySpill)
	mu   sync.Mutex
	mem  []byte
	name string // "" once the file has no name
	end  atomic.Int64
	err  atomic.Pointer[error] // the first write error
	// reads counts the reads of bytes (readIn), for tests.
	reads atomic.Int64

	// Buffered, under mu: the bytes from offset bufOff on, not written yet,
	// and the buffers being written (see writeBuffer).
	buffered bool
	buf      []byte
	bufOff   int64
	writing  []pendingWrite
	free     [][]byte // written buffers, to be filled again
}

// pendingWrite is a buffer of a spill file being written at off.
type pendingWrite struct {
	off int64
	b   []byte
}

// spillFlush is how many bytes a buffered spill file gathers before it
// writes them.
const spillFlush = 1 << 20

// spillSpan locates bytes in a spill file.
type spillSpan struct {
	off, n int64
}

// newSpillFile makes a spill file in dir, or in the system's temporary
// folder when dir is "".
func newSpillFile(dir string) (*spillFile, error) {
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("curafeed: making a temporary file: %w", err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+"spill-*")
	if err != nil {
		return nil, fmt.Errorf("curafeed: making a temporary file: %w", err)
	}
	s := &spillFile{f: f, name: f.Name()}
	if os.Remove(s.name) == nil {
		s.name = "" // gone with the last reference, even if the build is killed
	}
	return s, nil
}

// newBufferedSpill is newSpillFile for a buffered spill file (see
// spillFile).
func newBufferedSpill(dir string) (*spillFile, error) {
	s, err := newSpillFile(dir)
	if s != nil {
		s.buffered = true
	}
	return s, err
}

// memorySpill returns a spill file that keeps its bytes in memory, for a
// render that cannot make a temporary file.
func memorySpill() *spillFile { return &spillFile{} }

// add appends b and returns where it went. After a write error every add
// fails with that error, and so does failed; in a buffered file the error
// of a write shows at the add that filled the buffer.
func (s *spillFile) add(b []byte) (spillSpan, error) {
	if len(b) == 0 {
		return spillSpan{}, nil
	}
	if s.f == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.mem = append(s.mem, b...)
		s.end.Store(int64(len(s.mem)))
		return spillSpan{int64(len(s.mem) - len(b)), int64(len(b))}, nil
	}
	if !s.buffered {
		off := s.end.Add(int64(len(b))) - int64(len(b))
		if _, err := s.f.WriteAt(b, off); err != nil {
			s.fail(err)
			return spillSpan{}, s.failed()
		}
		return spillSpan{off, int64(len(b))}, s.failed()
	}
	return s.addBuffered(b, nil)
}

// addBuffered appends a and then b to a buffered spill file and returns
// where the two went, as one span.
func (s *spillFile) addBuffered(a, b []byte) (spillSpan, error) {
	if err := s.failed(); err != nil {
		return spillSpan{}, err
	}
	s.mu.Lock()
	if s.buf == nil {
		s.buf = s.freeBuffer()
	}
	sp := spillSpan{s.bufOff + int64(len(s.buf)), int64(len(a) + len(b))}
	s.buf = append(append(s.buf, a...), b...)
	s.end.Store(sp.off + sp.n)
	if len(s.buf) >= spillFlush {
		s.writeBuffer()
	}
	s.mu.Unlock()
	return sp, s.failed()
}

// addPair appends a and then b, next to each other, in one write, and
// returns where each went; an empty one has an empty span. A reader that
// wants both reads them at once (see fragmentStore.full).
func (s *spillFile) addPair(a, b []byte) (sa, sb spillSpan, err error) {
	var sp spillSpan
	switch {
	case len(a) == 0:
		sp, err = s.add(b)
	case len(b) == 0:
		sp, err = s.add(a)
	case s.f != nil && s.buffered:
		sp, err = s.addBuffered(a, b)
	default:
		sp, err = s.add(append(a[:len(a):len(a)], b...))
	}
	if err != nil || sp.n == 0 {
		return sa, sb, err
	}
	if len(a) > 0 {
		sa = spillSpan{sp.off, int64(len(a))}
	}
	if len(b) > 0 {
		sb = spillSpan{sp.off + int64(len(a)), int64(len(b))}
	}
	return sa, sb, nil
}

// fail keeps err, a write's error, unless one is kept already.
func (s *spillFile) fail(err error) {
	err = fmt.Errorf("curafeed: writing a temporary file: %w", err)
	s.err.CompareAndSwap(nil, &err)
}

// writeBuffer writes s.buf to the file and starts a new one. s.mu is held,
// and released while the bytes are written, so that other adds and reads
// go on; reads of these bytes find them in s.writing meanwhile.
func (s *spillFile) writeBuffer() {
	w := pendingWrite{s.bufOff, s.buf}
	s.writing = append(s.writing, w)
	s.bufOff += int64(len(s.buf))
	s.buf = nil
	s.mu.Unlock()
	_, err := s.f.WriteAt(w.b, w.off)
	s.mu.Lock()
	if err != nil {
		s.fail(err) // before the bytes leave s.writing: no read finds them missing
	}
	for i := range s.writing {
		if s.writing[i].off == w.off {
			s.writing = append(s.writing[:i], s.writing[i+1:]...)
			break
		}
	}
	if len(s.free) < 2 && cap(w.b) <= 2*spillFlush {
		s.free = append(s.free, w.b[:0])
	}
}

// freeBuffer returns a buffer to gather bytes in; s.mu is held.
func (s *spillFile) freeBuffer() []byte {
	if n := len(s.free); n > 0 {
		b := s.free[n-1]
		s.free = s.free[:n-1]
		return b
	}
	return make([]byte, 0, spillFlush+spillFlush/4)
}

// addParts appends all in one write and returns where each of its parts
// went: part i is all[ends[i-1]:ends[i]] (the first from 0); an empty
// part has an empty span.
func (s *spillFile) addParts(all []byte, ends [3]int) (spans [3]spillSpan, err error) {
	if len(all) == 0 {
		return spans, nil
	}
	sp, err := s.add(all)
	if err != nil {
		return spans, err
	}
	start := 0
	for i, end := range ends {
		if end > start {
			spans[i] = spillSpan{sp.off + int64(start), int64(end - start)}
		}
		start = end
	}
	return spans, nil
}

// failed returns the first write error, or nil.
func (s *spillFile) failed() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

// read returns a copy of the bytes at sp.
func (s *spillFile) read(sp spillSpan) ([]byte, error) {
	return s.readIn(sp, nil)
}

// readIn is read into memory from a (a new slice when a is nil).
func (s *spillFile) readIn(sp spillSpan, a *windowArena) ([]byte, error) {
	if sp.n == 0 {
		return nil, nil
	}
	s.reads.Add(1)
	b := a.alloc(sp.n)
	if s.f == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if sp.off < 0 || sp.off+sp.n > int64(len(s.mem)) {
			return nil, errors.New("curafeed: reading past the end of a temporary buffer")
		}
		copy(b, s.mem[sp.off:])
		return b, nil
	}
	if s.buffered {
		s.mu.Lock()
		if err := s.failed(); err != nil {
			s.mu.Unlock()
			return nil, err // the bytes may be among those a write lost
		}
		src := s.unwritten(sp)
		if src != nil {
			copy(b, src)
		}
		s.mu.Unlock()
		if src != nil {
			return b, nil
		}
	}
	if _, err := s.f.ReadAt(b, sp.off); err != nil {
		return nil, fmt.Errorf("curafeed: reading a temporary file: %w", err)
	}
	return b, nil
}

// reader reads the bytes at sp, from the file without a copy when they
// are there.
func (s *spillFile) reader(sp spillSpan) io.Reader {
	if s.f == nil || s.buffered {
		b, err := s.readIn(sp, nil)
		if err != nil {
			return errorReader{err}
		}
		return bytes.NewReader(b)
	}
	return io.NewSectionReader(s.f, sp.off, sp.n)
}

// errorReader is a reader whose every read fails with err.
type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) { return 0, r.err }

// unwritten returns the bytes at sp when they are not in the file yet (in
// the buffer, or being written), or nil; s.mu is held. A span lies in one
// buffer: add puts each piece in one.
func (s *spillFile) unwritten(sp spillSpan) []byte {
	if sp.off >= s.bufOff {
		if sp.off+sp.n > s.bufOff+int64(len(s.buf)) {
			return nil // past the end: ReadAt says so
		}
		return s.buf[sp.off-s.bufOff:][:sp.n]
	}
	for _, w := range s.writing {
		if w.off <= sp.off && sp.off+sp.n <= w.off+int64(len(w.b)) {
			return w.b[sp.off-w.off:][:sp.n]
		}
	}
	return nil
}

// windowArena hands out the memory of the encodings of one window of the
// render (see Catalog.render), those it makes and those it reads back from
// the spill file, in chunks, and takes all of it back at once when the
// window is done, for the next one: the encodings are the largest share
// of what a build allocates, and none outlives its window (documents copy
// them, the spill file too). It is safe for concurrent use.
type windowArena struct {
	mu     sync.Mutex
	chunks [][]byte
	cur    int // the chunk being cut
	off    int // how much of it is cut
}

// arenaChunk is the size of an arena's chunks; larger pieces get memory
// of their own.
const arenaChunk = 1 << 20

// alloc returns n bytes of the arena, or of the heap when a is nil or n is
// large. They are not cleared.
func (a *windowArena) alloc(n int64) []byte {
	if a == nil || n > arenaChunk/8 {
		return make([]byte, n)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cur < len(a.chunks) && a.off+int(n) > len(a.chunks[a.cur]) {
		a.cur, a.off = a.cur+1, 0
	}
	if a.cur == len(a.chunks) {
		a.chunks = append(a.chunks, make([]byte, arenaChunk))
	}
	b := a.chunks[a.cur][a.off : a.off+int(n) : a.off+int(n)]
	a.off += int(n)
	return b
}

// reset takes back all the arena's memory: what alloc returned must no
// longer be used.
func (a *windowArena) reset() {
	if a != nil {
		a.cur, a.off = 0, 0
	}
}

// wasteful reports whether most of the file is garbage: live bytes of it
// are still in use, and the rest (more than spillSlack) is not.
func (s *spillFile) wasteful(live int64) bool {
	return s.end.Load() > 2*live+spillSlack
}

// spillSlack is the garbage a spill file may hold beyond its live bytes
// before wasteful says so (tests lower it).
var spillSlack int64 = 64 << 20

// close closes the file and removes it.
func (s *spillFile) close() error {
	if s.f == nil {
		s.mu.Lock()
		s.mem = nil
		s.mu.Unlock()
		return nil
	}
	s.mu.Lock()
	s.buf, s.free = nil, nil
	s.mu.Unlock()
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
		s.name = ""
	}
	return err
}

// fragmentStore keeps the encodings of a render's items in a spill file,
// so that each item is rendered and sanitized once, when a window of the
// render stage first needs it, and encoded then in every format a document
// wants it in; the windows after it read the bytes back. Cut encodings
// (see readMore) are made on first need, and kept the same way. It is safe
// for concurrent use once made.
type fragmentStore struct {
	spill *spillFile
	items map[string]*storedItem // by item ID

	// resolve returns the whole item of a light one (see formLight),
	// which BuildDir's cached builds read again from its record; nil when
	// the render holds none.
	resolve func(*Item) (*Item, error)
}

// storedItem is where one item's encodings are.
type storedItem struct {
	formats uint8 // the formats documents want the item in, a bit each
	last    int   // the last window of the render that holds the item (see plan)
	kept    bool  // its encodings are in the spill file
	done    atomic.Bool
	once    sync.Once
	full    [3]spillSpan // by format
	err     error

	// Cut encodings, by format: few items need them (see Feed.write).
	shortOnce sync.Once
	short     *[3]storedShort
	wholeOnce sync.Once
	whole     *Item // a light item resolved (see fragmentStore.resolve)
	wholeErr  error
}

type storedShort struct {
	once sync.Once
	span spillSpan
	err  error
}

// newFragmentStore plans a store for the items of tasks, in s.
func newFragmentStore(s *spillFile, tasks []renderTask) *fragmentStore {
	st := &fragmentStore{spill: s, items: map[string]*storedItem{}}
	for _, t := range tasks {
		for _, it := range t.f.Items {
			e := st.items[it.ID]
			if e == nil {
				e = &storedItem{}
				st.items[it.ID] = e
			}
			e.formats |= 1 << t.format
		}
	}
	return st
}

// plan notes the last window of the render that holds each item: tasks
// split at ends. An item no later window holds is not kept in the spill
// file.
func (st *fragmentStore) plan(tasks []renderTask, ends []int) {
	w := 0
	for i, t := range tasks {
		for i >= ends[w] {
			w++
		}
		for _, it := range t.f.Items {
			if e := st.items[it.ID]; e != nil {
				e.last = w
			}
		}
	}
}

// made reports whether the item's encodings were made (or failed).
func (st *fragmentStore) made(it *Item) bool {
	e := st.items[it.ID]
	return e == nil || e.done.Load()
}

// encodeAll makes the item's encodings, once, in every format planned
// for it, and returns them by format; nil if they were made before. Made
// in window w of the render, they are kept in the spill file when a later
// window holds the item.
func (st *fragmentStore) encodeAll(c *Catalog, it *Item, w int, a *windowArena) (enc [3][]byte, err error) {
	e := st.items[it.ID]
	if e == nil {
		return enc, fmt.Errorf("curafeed: item %s was not planned", it.Path)
	}
	e.once.Do(func() {
		e.kept = e.last > w
		enc, e.err = st.encode(c, it, e, a)
		e.done.Store(true)
	})
	return enc, e.err
}

// item returns the encoding of it in format, as encodeItem does; what it
// makes or reads back from the spill file it puts in a (see windowArena).
func (st *fragmentStore) item(c *Catalog, it *Item, format Format, short bool, a *windowArena) ([]byte, error) {
	e := st.items[it.ID]
	if e == nil || e.formats&(1<<format) == 0 {
		return nil, fmt.Errorf("curafeed: item %s was not planned in %s", it.Path, format)
	}
	if short {
		var fresh []byte
		made := false
		e.shortOnce.Do(func() { e.short = new([3]storedShort) })
		sh := &e.short[format]
		sh.once.Do(func() {
			made = true
			fresh, sh.err = st.encodeShort(c, it, format)
			if sh.err == nil {
				sh.span, sh.err = st.spill.add(fresh)
			}
		})
		if made || sh.err != nil {
			return fresh, sh.err
		}
		return st.spill.readIn(sh.span, a)
	}
	enc, err := st.encodeAll(c, it, math.MaxInt, a) // made by prime, unless the render was not planned
	if err != nil || enc[format] != nil {
		return enc[format], err
	}
	if !e.kept {
		return nil, fmt.Errorf("curafeed: item %s is wanted in %s after the last window planned for it", it.Path, format)
	}
	return st.spill.readIn(e.full[format], a)
}

// itemAll returns the encodings of it in every format planned for it, as
// item does, made now or read back from the spill file in one read (see
// encode: they are side by side there).
func (st *fragmentStore) itemAll(c *Catalog, it *Item, a *windowArena) (enc [3][]byte, err error) {
	e := st.items[it.ID]
	if e == nil {
		return enc, fmt.Errorf("curafeed: item %s was not planned", it.Path)
	}
	enc, err = st.encodeAll(c, it, math.MaxInt, a) // made by prime, unless the render was not planned
	if err != nil || enc[0] != nil || enc[1] != nil || enc[2] != nil {
		return enc, err
	}
	if !e.kept {
		return enc, fmt.Errorf("curafeed: item %s is wanted after the last window planned for it", it.Path)
	}
	var all spillSpan
	for _, sp := range e.full {
		switch {
		case sp.n == 0:
		case all.n == 0:
			all = sp
		case sp.off != all.off+all.n:
			return enc, fmt.Errorf("curafeed: item %s: its encodings are not side by side", it.Path)
		default:
			all.n += sp.n
		}
	}
	b, err := st.spill.readIn(all, a)
	if err != nil {
		return enc, err
	}
	for f, sp := range e.full {
		if sp.n > 0 {
			from := sp.off - all.off
			enc[f] = b[from : from+sp.n : from+sp.n]
		}
	}
	return enc, nil
}

// encode reads the item's held fields back, renders its body, encodes the
// item in every format planned for it, in memory from a, and keeps the
// encodings in the spill file.
func (st *fragmentStore) encode(c *Catalog, it *Item, e *storedItem, a *windowArena) (enc [3][]byte, err error) {
	it, src, err := st.full(it)
	if err != nil {
		return enc, err
	}
	body, err := renderBody(it, src)
	if err != nil {
		return enc, err
	}
	// The formats one after the other in one buffer: one allocation, and
	// one write to the spill file, without a copy.
	all := a.alloc(int64(bits.OnesCount8(e.formats) * contentSize(body)))[:0]
	var ends [3]int
	for _, f := range Formats() {
		if e.formats&(1<<f) != 0 {
			if all, err = c.appendContent(all, it, f, body, false); err != nil {
				return enc, err
			}
		}
		ends[f] = len(all)
	}
	start := 0
	for f, end := range ends {
		if end > start {
			enc[f] = all[start:end:end]
		}
		start = end
	}
	if e.kept {
		var spans [3]spillSpan
		spans, err = st.spill.addParts(all, ends)
		for f, sp := range spans {
			if e.formats&(1<<f) != 0 {
				e.full[f] = sp
			}
		}
	}
	return enc, err
}

// full returns it with the fields it holds in the spill file, if any, or,
// for a light item, as its record gives it (resolved once). When the
// body was spilled next to the fields (see holdItem), both are read at
// once, and src is the body's bytes, for renderBody.
func (st *fragmentStore) full(it *Item) (_ *Item, src []byte, err error) {
	if it.form == formLight {
		if st.resolve == nil {
			return nil, nil, fmt.Errorf("curafeed: item %s is light (only what grouping needs)", it.Path)
		}
		e := st.items[it.ID]
		if e == nil {
			return nil, nil, fmt.Errorf("curafeed: item %s was not planned", it.Path)
		}
		e.wholeOnce.Do(func() { e.whole, e.wholeErr = st.resolve(it) })
		if e.wholeErr != nil {
			return nil, nil, e.wholeErr
		}
		it = e.whole
	}
	if it.form != formHeld {
		return it, nil, nil
	}
	at := it.held
	c := it.content
	beside := c != nil && c.spill == st.spill && c.span.n > 0 && c.span.off+c.span.n == at.off
	if beside {
		at = spillSpan{c.span.off, c.span.n + at.n}
	}
	b, err := st.spill.read(at)
	if err != nil {
		return nil, nil, err
	}
	if beside {
		src, b = b[:c.span.n:c.span.n], b[c.span.n:]
	}
	f := *it
	if err := readHeld(&f, b); err != nil {
		return nil, nil, fmt.Errorf("%w (item %s)", err, it.Path)
	}
	f.held, f.form = spillSpan{}, formWhole
	if f.content != nil {
		f.content = f.content.withPage(f.URL)
	}
	return &f, src, nil
}

// renderBody returns the item's sanitized body, rendered from src when
// that holds its bytes (see full).
func renderBody(it *Item, src []byte) (string, error) {
	switch {
	case it.content == nil:
		return "", nil
	case src != nil:
		return it.content.renderFrom(src)
	}
	return it.content.render()
}

// encodeShort encodes the item cut to its summary, as encodeItem does.
func (st *fragmentStore) encodeShort(c *Catalog, it *Item, format Format) ([]byte, error) {
	it, src, err := st.full(it)
	if err != nil {
		return nil, err
	}
	body := ""
	if it.Summary == "" {
		if body, err = renderBody(it, src); err != nil {
			return nil, err
		}
	}
	return c.encodeContent(it, format, c.readMoreOf(it, body), true)
}

// appendHeld appends to b the fields of it that only feeds show, which
// BuildDir holds in its spill file rather than in memory (see Item.held).
func appendHeld(b []byte, it *Item) []byte {
	for _, s := range []string{it.Title, it.Summary, it.URL, it.ExternalURL, it.Brand} {
		b = appendHeldString(b, s)
	}
	for _, list := range [][]string{it.Tags, it.Authors} {
		if list == nil {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(list))+1)
		for _, s := range list {
			b = appendHeldString(b, s)
		}
	}
	if img := it.Image; img == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		for _, s := range []string{img.URL, img.Type, img.Alt} {
			b = appendHeldString(b, s)
		}
		b = binary.AppendVarint(b, int64(img.Width))
		b = binary.AppendVarint(b, int64(img.Height))
	}
	return b
}

func appendHeldString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// readHeld sets in it the fields appendHeld wrote in b.
func readHeld(it *Item, b []byte) error {
	r := heldReader{varintReader{b: b, bad: errHeld}}
	for _, p := range []*string{&it.Title, &it.Summary, &it.URL, &it.ExternalURL, &it.Brand} {
		*p = r.str()
	}
	for _, p := range []*[]string{&it.Tags, &it.Authors} {
		n := r.uvarint()
		if n == 0 || r.err != nil {
			*p = nil
			continue
		}
		if n-1 > uint64(len(r.b)) {
			r.fail()
			break
		}
		*p = make([]string, n-1)
		for i := range *p {
			(*p)[i] = r.str()
		}
	}
	it.Image = nil
	if r.byte() == 1 {
		img := &Image{URL: r.str(), Type: r.str(), Alt: r.str()}
		img.Width, img.Height = int(r.varint()), int(r.varint())
		it.Image = img
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail()
	}
	return r.err
}

// heldReader reads what appendHeld wrote; its first error sticks.
type heldReader struct{ varintReader }

// errHeld is the error of item fields that do not read back.
var errHeld = errors.New("curafeed: a temporary file holds damaged item fields")

// varintReader reads varints from b. Its first error, bad, sticks: every
// read after it returns a zero value.
type varintReader struct {
	b   []byte
	bad error // the error of bytes that do not read
	err error
}

func (r *varintReader) fail() {
	if r.err == nil {
		r.err = r.bad
	}
	r.b = nil
}

func (r *varintReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *varintReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *heldReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// fixed reads a little-endian 64-bit number.
func (r *varintReader) fixed() uint64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *heldReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
