//go:build !unix

package curafeed

import "io/fs"

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
