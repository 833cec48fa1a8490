//go:build unix

package curafeed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// openNonblock opens a named pipe without waiting for a writer, so that
// it can be refused.
const openNonblock = syscall.O_NONBLOCK

// openNoFollow refuses to open a symbolic link.
const openNoFollow = syscall.O_NOFOLLOW

// dirLocks says whether lockDir locks.
const dirLocks = true

// lockDir takes an exclusive lock on the folder dir (flock on the folder
// itself, so nothing is added to it), waiting up to lockWait for another
// build holding it. It returns the function that releases it.
func lockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("curafeed: locking the output folder: %w", err)
	}
	fd := int(f.Fd())
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			// A file system without locks: go on unlocked, as before.
			return func() { f.Close() }, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("curafeed: another build into %s has held it for %v; not writing", dir, lockWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}

// fileIdentity is the device and inode of the file fi describes, mixed
// into one number; 0 when the system gives neither.
func fileIdentity(fi fs.FileInfo) uint64 {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	return uint64(st.Ino)*0x9e3779b97f4a7c15 ^ uint64(st.Dev)
}

// createFile makes the file p, which must not exist, holding data; when
// writing fails, the file is removed. It calls the system directly: a file written once and closed gains nothing
// from os.File's registration with the runtime's poller, which costs a
// build of tens of thousands of files several system calls each.
func createFile(p string, data []byte) error {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: p, Err: err}
	}
	for len(data) > 0 && err == nil {
		var n int
		n, err = syscall.Write(fd, data)
		switch {
		case err == syscall.EINTR:
			err = nil
		case err == nil && n == 0:
			err = syscall.EIO
		case err == nil:
			data = data[n:]
		}
	}
	op := "write"
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		op, err = "close", cerr
	}
	if err != nil {
		syscall.Unlink(p)
		return &fs.PathError{Op: op, Path: p, Err: err}
	}
	return nil
}

// renameFile renames the regular file from over to, as os.Rename does but
// without looking at to first: rename(2) itself refuses to replace a
// folder with a file.
func renameFile(from, to string) error {
	for {
		err := syscall.Rename(from, to)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
		}
		return nil
	}
}
