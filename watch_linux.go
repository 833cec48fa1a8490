package curafeed

import (
	"errors"
	"syscall"
)

// remoteFS names the file system of dir when it is one whose changes made
// elsewhere inotify does not report (a network or FUSE file system); it
// returns "" otherwise, or when that cannot be told.
func remoteFS(dir string) string {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return ""
	}
	switch uint32(st.Type) {
	case 0x6969:
		return "NFS"
	case 0x517b, 0xff534d42, 0xfe534d42:
		return "SMB"
	case 0x65735546:
		return "FUSE"
	case 0x00c36400:
		return "Ceph"
	case 0x01021997:
		return "9P"
	case 0x5346414f, 0x6b414653:
		return "AFS"
	case 0x73757245:
		return "Coda"
	case 0x0bd00bd0:
		return "Lustre"
	case 0x786f4256:
		return "VirtualBox shared folder"
	}
	return ""
}

// watchLimit reports whether err says that the kernel's limit of inotify
// watches is reached.
func watchLimit(err error) bool { return errors.Is(err, syscall.ENOSPC) }

// notFolder reports whether err says that a path is not a folder (it was
// replaced by a file after the walk saw it).
func notFolder(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
