package curafeed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// spillFile is an append-only temporary file for the bytes a build needs
// again later but need not hold in memory meanwhile: BuildDir keeps there
// the body of every record it reads, and each item's encodings once made.
// Appends from many goroutines take disjoint ranges of the file and write
// them at once (WriteAt); reads are ReadAt. The file loses its name as soon
// as it is made where an open file can, and is removed by close otherwise.
type spillFile struct {
	f    *os.File
	name string // "" once the file has no name
	end  atomic.Int64
	err  atomic.Pointer[error] // the first write error
}

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

// add appends b and returns where it went. After a write error every add
// fails with that error, and so does failed.
func (s *spillFile) add(b []byte) (spillSpan, error) {
	if len(b) == 0 {
		return spillSpan{}, nil
	}
	off := s.end.Add(int64(len(b))) - int64(len(b))
	if _, err := s.f.WriteAt(b, off); err != nil {
		err = fmt.Errorf("curafeed: writing a temporary file: %w", err)
		s.err.CompareAndSwap(nil, &err)
		return spillSpan{}, s.failed()
	}
	return spillSpan{off, int64(len(b))}, s.failed()
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
	if sp.n == 0 {
		return nil, nil
	}
	b := make([]byte, sp.n)
	if _, err := s.f.ReadAt(b, sp.off); err != nil {
		return nil, fmt.Errorf("curafeed: reading a temporary file: %w", err)
	}
	return b, nil
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
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
		s.name = ""
	}
	return err
}

// fragmentStore keeps the encodings of a build's items in a spill file, so
// that each item is rendered and sanitized once, when a document first needs
// it, and encoded then in every format a document wants it in; the documents
// after it, in any group, read the bytes back. Cut encodings (see readMore)
// are made on first need, and kept the same way. It is safe for concurrent
// use once made.
type fragmentStore struct {
	spill *spillFile
	items map[string]*storedItem // by item ID
}

// storedItem is where one item's encodings are.
type storedItem struct {
	formats uint8 // the formats documents want the item in, a bit each
	once    sync.Once
	full    [3]spillSpan // by format
	err     error

	// Cut encodings, by format: few items need them (see Feed.write).
	shortOnce sync.Once
	short     *[3]storedShort
}

type storedShort struct {
	once sync.Once
	span spillSpan
	err  error
}

// newFragmentStore plans a store for the items of docs, in the formats todo
// names for each document.
func newFragmentStore(s *spillFile, docs []*Feed, todo map[*Feed][]Format) *fragmentStore {
	st := &fragmentStore{spill: s, items: map[string]*storedItem{}}
	for _, f := range docs {
		var bits uint8
		for _, format := range todo[f] {
			bits |= 1 << format
		}
		if bits == 0 {
			continue
		}
		for _, it := range f.Items {
			e := st.items[it.ID]
			if e == nil {
				e = &storedItem{}
				st.items[it.ID] = e
			}
			e.formats |= bits
		}
	}
	return st
}

// item returns the encoding of it in format, as encodeItem does.
func (st *fragmentStore) item(c *Catalog, it *Item, format Format, short bool) ([]byte, error) {
	e := st.items[it.ID]
	if e == nil || e.formats&(1<<format) == 0 {
		return nil, fmt.Errorf("curafeed: item %s was not planned in %s", it.Path, format)
	}
	var fresh []byte
	made := false
	if short {
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
		return st.spill.read(sh.span)
	}
	e.once.Do(func() {
		made = true
		fresh, e.err = st.encode(c, it, e, format)
	})
	if made || e.err != nil {
		return fresh, e.err
	}
	return st.spill.read(e.full[format])
}

// encode reads the item's held fields back, renders its body, encodes the
// item in every format planned for it, keeps the encodings in the spill file, and returns the one in
// format.
func (st *fragmentStore) encode(c *Catalog, it *Item, e *storedItem, format Format) ([]byte, error) {
	it, err := st.full(it)
	if err != nil {
		return nil, err
	}
	body := ""
	if it.content != nil {
		if body, err = it.content.render(); err != nil {
			return nil, err
		}
	}
	var out []byte
	for _, f := range Formats() {
		if e.formats&(1<<f) == 0 {
			continue
		}
		b, err := c.encodeContent(it, f, body, false)
		if err == nil {
			e.full[f], err = st.spill.add(b)
		}
		if err != nil {
			return nil, err
		}
		if f == format {
			out = b
		}
	}
	return out, nil
}

// full returns it with the fields it holds in the spill file, if any.
func (st *fragmentStore) full(it *Item) (*Item, error) {
	if it.held.n == 0 {
		return it, nil
	}
	b, err := st.spill.read(it.held)
	if err != nil {
		return nil, err
	}
	f := *it
	if err := readHeld(&f, b); err != nil {
		return nil, fmt.Errorf("%w (item %s)", err, it.Path)
	}
	f.held = spillSpan{}
	if f.content != nil {
		f.content = f.content.withPage(f.URL)
	}
	return &f, nil
}

// encodeShort encodes the item cut to its summary, as encodeItem does.
func (st *fragmentStore) encodeShort(c *Catalog, it *Item, format Format) ([]byte, error) {
	it, err := st.full(it)
	if err != nil {
		return nil, err
	}
	body := ""
	if it.Summary == "" && it.content != nil {
		if body, err = it.content.render(); err != nil {
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
	r := heldReader{b: b}
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
type heldReader struct {
	b   []byte
	err error
}

func (r *heldReader) fail() {
	if r.err == nil {
		r.err = errors.New("curafeed: a temporary file holds damaged item fields")
	}
	r.b = nil
}

func (r *heldReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *heldReader) varint() int64 {
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
