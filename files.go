package curafeed

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// readRecord reads a record file of fsys, refusing what a records folder
// should not hold: anything but a regular file (a named pipe would block
// the read forever, a link to a device would never end) and a file over
// limit bytes (no cap when limit is negative). typ is the file's type as the
// walk saw it: a link is looked through before the file is opened, and the
// opened file is checked again, so that a file swapped meanwhile is refused
// too. The file is never read beyond limit+1 bytes, whatever size it
// claims.
func readRecord(fsys fs.FS, name string, typ fs.FileMode, limit int64) ([]byte, error) {
	switch {
	case typ == walkFailed:
		if _, err := fs.ReadDir(fsys, name); err != nil {
			return nil, err
		}
		return nil, errors.New("the folder could not be read")
	case typ&fs.ModeSymlink != 0:
		fi, err := fs.Stat(fsys, name)
		if err != nil {
			return nil, err
		}
		typ = fi.Mode().Type()
	}
	if !typ.IsRegular() {
		return nil, notRegular(typ)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	size := fi.Size()
	if limit >= 0 && size > limit {
		return nil, overCap(size, limit)
	}
	r := io.Reader(f)
	if limit >= 0 {
		r = io.LimitReader(f, limit+1)
	}
	// One byte more than the size, so that the end is seen without growing
	// the buffer; a file that claims a wrong size only costs a regrowth.
	// A read that stops short at the size the file claims ends it: the file
	// then holds what it claimed, and the read that would say so (0 bytes,
	// end of file) is spared.
	buf := make([]byte, 0, max(size, 0)+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == nil && n > 0 && int64(len(buf)) == size && len(buf) < cap(buf) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
	if limit >= 0 && int64(len(buf)) > limit {
		return nil, overCap(-1, limit)
	}
	return buf, nil
}

func overCap(size, limit int64) error {
	if size < 0 {
		return fmt.Errorf("record too large: over the cap of %d bytes (Config.MaxRecordBytes); not read further", limit)
	}
	return fmt.Errorf("record too large: %d bytes, over the cap of %d bytes (Config.MaxRecordBytes); not read", size, limit)
}

// notRegular is the error of a record path that is not a regular file.
func notRegular(m fs.FileMode) error {
	return fmt.Errorf("not a regular file (%s): only regular files are read as records", fileKind(m))
}

// fileKind names the kind of a file that is not regular.
func fileKind(m fs.FileMode) string {
	what := "not a regular file"
	switch t := m.Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case t&fs.ModeCharDevice != 0:
		what = "a character device"
	case t&fs.ModeDevice != 0:
		what = "a device"
	case t&fs.ModeSocket != 0:
		what = "a socket"
	case t&fs.ModeDir != 0:
		what = "a directory"
	case t&fs.ModeSymlink != 0:
		what = "a symbolic link"
	}
	return what
}

// DirFS returns the records folder dir as a file system for Load, BuildDir
// and NewReloader, in place of os.DirFS, hardened against what a folder may
// hold besides records:
//
//   - a symbolic link that leads out of dir (by "..", or by an absolute
//     target) is refused with an error naming it; links that stay inside
//     dir are followed (os.Root resolves them);
//   - files are opened without blocking, so that a named pipe is refused as
//     "not a regular file" instead of hanging the read (os.DirFS would
//     block on one that the walk saw as a regular file a moment before).
//
// The folder is opened at the first use, and again whenever a walk of the
// records begins and dir has come to name another folder (a new release
// renamed into place, or a link to it changed). When it cannot be opened,
// every operation fails with the reason, as with os.DirFS.
func DirFS(dir string) fs.FS {
	return &dirFS{dir: dir}
}

// dirFS is the file system of DirFS.
type dirFS struct {
	dir  string
	mu   sync.Mutex
	root *os.Root // guarded by mu; nil until opened. One replaced is left to the garbage collector, as reads may still use it
	// subs holds folders opened under root, by path, so that opening a
	// record costs one system call rather than one per path element;
	// guarded by mu, emptied at each walk and when full.
	subs map[string]*os.Root
}

// maxSubs bounds the folders dirFS keeps open for opening records.
const maxSubs = 256

// current returns the folder opened, opening it if need be.
func (d *dirFS) current() (*os.Root, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.root == nil {
		root, err := os.OpenRoot(d.dir)
		if err != nil {
			return nil, err
		}
		d.root = root
	}
	return d.root, nil
}

// refresh opens dir again when it no longer names the folder opened.
func (d *dirFS) refresh() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.root == nil {
		return
	}
	clear(d.subs) // dropped ones are closed by the garbage collector once unused
	now, err := os.Stat(d.dir)
	if err != nil {
		return
	}
	if opened, err := d.root.Stat("."); err == nil && os.SameFile(now, opened) {
		return
	}
	if root, err := os.OpenRoot(d.dir); err == nil {
		d.root = root
	}
}

// Open opens name without blocking (see DirFS).
func (d *dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	root, err := d.current()
	if err != nil {
		return nil, err
	}
	if i := strings.LastIndexByte(name, '/'); i > 0 && strings.HasSuffix(strings.ToLower(name), ".md") {
		if sub := d.sub(root, name[:i]); sub != nil {
			f, err := sub.OpenFile(name[i+1:], os.O_RDONLY|openNonblock, 0)
			if err == nil {
				return f, nil
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || !strings.Contains(pe.Err.Error(), "escapes") {
				if pe != nil {
					err = &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
				}
				return nil, err
			}
			// A link out of its folder may stay inside the records
			// folder: the records folder decides.
		}
	}
	f, err := root.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, escaped(err)
	}
	return f, nil
}

// sub returns the folder dir opened under root, or nil when it cannot be.
func (d *dirFS) sub(root *os.Root, dir string) *os.Root {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.root != root {
		return nil // replaced meanwhile
	}
	if sub := d.subs[dir]; sub != nil {
		return sub
	}
	sub, err := root.OpenRoot(dir)
	if err != nil {
		return nil
	}
	if d.subs == nil || len(d.subs) >= maxSubs {
		d.subs = make(map[string]*os.Root)
	}
	d.subs[dir] = sub
	return sub
}

// escaped rewords os.Root's error for a path that leads out of the folder.
func escaped(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: errOutOfFolder}
	}
	return err
}

var errOutOfFolder = errors.New("a link that leads out of the records folder: refused")

// Stat returns name's file info, following links that stay inside the
// folder. A walk of the records begins with Stat("."): the folder is then
// opened again if dir names another one.
func (d *dirFS) Stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		d.refresh()
	}
	root, err := d.current()
	if err != nil {
		return nil, err
	}
	fi, err := root.Stat(name)
	return fi, escaped(err)
}

// outputPath returns the path of the file rel of a tree written into dir,
// or an error when rel is not a local slash-separated path: whatever a
// catalog holds, nothing is written or removed outside dir. A path with a
// control character (a line break would end its line of the manifest) is
// refused too.
func outputPath(dir, rel string) (string, error) {
	if !fs.ValidPath(rel) || rel == "." || !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("curafeed: refusing %q: not a path inside the output folder, and nothing is written or removed outside it", rel)
	}
	if strings.ContainsFunc(rel, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("curafeed: refusing %q: a control character in an output path", rel)
	}
	return filepath.Join(dir, filepath.FromSlash(rel)), nil
}

// lockOutput makes the output folder dir if need be and takes its lock
// (see lockDir). It returns the function that releases it.
func lockOutput(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("curafeed: writing %s: %w", dir, err)
	}
	return lockDir(dir)
}

// lockCache takes the lock of the cache folder, unless it is the output
// folder out, whose lock the caller holds.
func lockCache(cache, out string) (func(), error) {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, fmt.Errorf("curafeed: writing the build cache: %w", err)
	}
	a, errA := os.Stat(cache)
	b, errB := os.Stat(out)
	if errA == nil && errB == nil && os.SameFile(a, b) {
		return func() {}, nil
	}
	return lockDir(cache)
}

// lockWait is how long a build waits for another build into the same
// output folder to end before it fails.
var lockWait = 10 * time.Minute

// fileStamp is what curafeed trusts a file's bytes by without reading them
// again, with its size: its modification time (Unix ns) mixed with its
// identity (device and inode, where the system gives them), so that a file
// replaced by another of the same size and time (a folder swapped for a
// copy written in the same clock tick) is read again. It is 0, trusting
// nothing, when the system gives no modification time.
func fileStamp(fi fs.FileInfo) int64 {
	if fi.ModTime().IsZero() {
		return 0
	}
	s := fi.ModTime().UnixNano() ^ int64(fileIdentity(fi))
	if s == 0 {
		s = 1
	}
	return s
}
