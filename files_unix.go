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
