package curafeed

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A Reloader with Config.CacheDir saves there, on Save, the feed documents
// it serves: their bytes as it holds them (the gzip form, or the file as it
// is when gzip does not make it smaller), and for each its path, type,
// content key (Feed.docKey in its format), updated time, ETags and the
// content hash of the bytes saved (see fileSum). The next Reloader made
// with that folder and the same configuration renders, on its first load,
// only the documents whose content key changed since: the others are taken
// from the saved bytes, once they are found to be the bytes saved (their
// content hash, which takes a tenth of the time of the SHA-256 an ETag is
// made of). The index file names
// the data file it describes, so a state is never read half old, half new:
// a data file is written under a name of its own first, then the index is
// replaced atomically, then the data files no index names are removed.
const (
	stateVersion   = "curafeed-serve-state-2"
	stateIndexName = "serve.state"
	stateDataGlob  = "serve-*.data"
)

// stateKey is what a saved state must have been saved with to be used: the
// configuration's fingerprint, as the build cache takes it.
func stateKey(cfg Config) string { return stateVersion + "\x00" + configKey(cfg) }

// saveState writes the feed documents h serves into dir, as described
// above, for a catalog made with cfg.
func saveState(dir string, cfg Config, h *handler) error {
	if err := writeState(dir, cfg, h); err != nil {
		return fmt.Errorf("curafeed: saving the served feeds in %s: %w", dir, err)
	}
	return nil
}

// writeState is saveState, with errors as they come.
func writeState(dir string, cfg Config, h *handler) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := os.CreateTemp(dir, "serve-*.data")
	if err != nil {
		return err
	}
	dataName := filepath.Base(data.Name())
	ok := false
	defer func() {
		if !ok {
			data.Close()
			os.Remove(data.Name())
		}
	}()
	var idx []byte
	idx = appendHeldString(idx, stateKey(cfg))
	idx = appendHeldString(idx, dataName)
	paths := make([]string, 0, len(h.files))
	for p, e := range h.files {
		if e.key != 0 && !e.capped {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	idx = binary.AppendUvarint(idx, uint64(len(paths)))
	var off int64
	w := bufio.NewWriterSize(data, 1<<20)
	for _, p := range paths {
		e := h.files[p]
		held := e.plain
		if e.gz != nil {
			held = e.gz
		}
		c, ieee := crc32.New(castagnoli), crc32.NewIEEE()
		n, err := io.Copy(io.MultiWriter(w, c, ieee), held.reader())
		if err != nil {
			return err
		}
		idx = appendHeldString(idx, p)
		idx = appendHeldString(idx, e.contentType)
		styled := byte(0)
		if e.styled {
			styled = 1
		}
		idx = append(idx, styled)
		idx = binary.AppendUvarint(idx, uint64(e.size))
		idx = binary.AppendUvarint(idx, e.key)
		idx = binary.AppendVarint(idx, e.updated.UnixNano())
		idx = appendHeldString(idx, e.plain.etag)
		gzEtag := ""
		if e.gz != nil {
			gzEtag = e.gz.etag
		}
		idx = appendHeldString(idx, gzEtag)
		idx = binary.LittleEndian.AppendUint64(idx, uint64(c.Sum32())<<32|uint64(ieee.Sum32())) // fileSum of the bytes
		idx = binary.AppendUvarint(idx, uint64(off))
		idx = binary.AppendUvarint(idx, uint64(n))
		off += n
	}
	for _, step := range []func() error{w.Flush, data.Sync, data.Close} {
		if err := step(); err != nil {
			return err
		}
	}
	idx = binary.AppendUvarint(idx, uint64(off)) // the data file's size
	sum := sha256.Sum256(idx)
	idx = append(idx, sum[:]...)
	if err := writeFileAtomic(filepath.Join(dir, stateIndexName), idx); err != nil {
		return err
	}
	ok = true
	// The data files of earlier saves (and of saves cut short) go.
	if old, err := filepath.Glob(filepath.Join(dir, stateDataGlob)); err == nil {
		for _, p := range old {
			if filepath.Base(p) != dataName {
				os.Remove(p)
			}
		}
	}
	return nil
}

// readState returns the feed documents saved in dir for a catalog made with
// cfg, as a handler whose entries have no headers yet (see entry.bare),
// with their bytes copied from the saved data file into a fresh temporary
// store, where the first load keeps those it takes; nil when dir holds no
// state, or one saved with another configuration or damaged.
func readState(dir string, cfg Config) *handler {
	idx, err := os.ReadFile(filepath.Join(dir, stateIndexName))
	if err != nil || len(idx) < sha256.Size {
		return nil
	}
	body := idx[:len(idx)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], idx[len(body):]) {
		return nil
	}
	r := &heldReader{varintReader{b: body, bad: errState}}
	if r.str() != stateKey(cfg) {
		return nil
	}
	dataName := r.str()
	if r.err != nil || dataName != filepath.Base(dataName) || !strings.HasPrefix(dataName, "serve-") {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, dataName))
	if err != nil {
		return nil
	}
	keep := false // f: the handler's base (see handler.base)
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	saved := &spillFile{f: f}
	h := &handler{files: map[string]*entry{}}
	sums := map[string]uint64{} // by path: the content hash of the bytes saved
	count := r.uvarint()
	for i := uint64(0); i < count && r.err == nil; i++ {
		e := &entry{bare: true}
		p := r.str()
		e.contentType = r.str()
		e.styled = r.byte() == 1
		e.size = int(r.uvarint())
		e.key = r.uvarint()
		e.updated = time.Unix(0, r.varint()).UTC()
		plain, gz := r.str(), r.str()
		sums[p] = r.fixed()
		span := spillSpan{off: int64(r.uvarint()), n: int64(r.uvarint())}
		e.plain = &variant{etag: plain}
		held := e.plain
		if gz != "" {
			e.gz = &variant{etag: gz}
			held = e.gz
		}
		held.stored, held.span = saved, span
		h.files[p] = e
	}
	size := int64(r.uvarint())
	fi, err := f.Stat()
	if r.err != nil || len(r.b) != 0 || err != nil || fi.Size() != size {
		return nil
	}
	for _, e := range h.files {
		if sp := e.storedSpan(); sp.off < 0 || sp.n < 0 || sp.n > size || sp.off > size-sp.n {
			return nil
		}
	}
	// Bytes that are not those saved (a damaged disk, a hand edit) are not
	// served: the document is rendered again. The hashes are taken on
	// every worker.
	paths := slices.Collect(maps.Keys(h.files))
	bad := make([]bool, len(paths))
	parallel(len(paths), cfg.Workers, func(i int) {
		e := h.files[paths[i]]
		b, err := saved.read(e.storedSpan())
		bad[i] = err != nil || fileSum(b) != sums[paths[i]]
	})
	for i, p := range paths {
		if bad[i] {
			delete(h.files, p)
		}
	}
	// The files keep their bytes in the data file, which stays open, read
	// only (a later save writes another and removes this one's name); the
	// handler's store, for the bytes of the files rendered from now on, is
	// a temporary file.
	if h.store, err = newSpillFile(""); err != nil {
		return nil
	}
	saved.end.Store(size)
	h.base = saved
	keep = true
	return h
}

// storedSpan is where the entry's held bytes are in its store.
func (e *entry) storedSpan() spillSpan {
	if e.gz != nil {
		return e.gz.span
	}
	return e.plain.span
}

// errState is the error of a saved index that does not read back.
var errState = errors.New("curafeed: a saved state that does not read")
