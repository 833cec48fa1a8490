//go:build !unix

package curafeed

import (
	"io/fs"
	"os"
)

// openNonblock is 0 where named pipes cannot appear in a folder.
const openNonblock = 0

// openNoFollow is 0 where opening cannot refuse a symbolic link: the file
// is looked at (os.Lstat) before it is opened instead.
const openNoFollow = 0

// dirLocks says whether lockDir locks.
const dirLocks = false

// lockDir does not lock where flock is missing: temporary files have
// unique names, so concurrent builds still never tear a file, but the last
// to write a file wins.
func lockDir(dir string) (func(), error) { return func() {}, nil }

// fileIdentity is 0: this system gives no inode numbers.
func fileIdentity(fs.FileInfo) uint64 { return 0 }

// createFile makes the file p, which must not exist, holding data; when
// writing fails, the file is removed.
func createFile(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
	}
	return err
}

// renameFile renames the regular file from over to.
func renameFile(from, to string) error { return os.Rename(from, to) }
