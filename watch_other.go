//go:build !linux

package curafeed

// remoteFS returns "": only on Linux are network file systems told apart.
func remoteFS(string) string { return "" }

// watchLimit reports false: only inotify has a limit of watches.
func watchLimit(error) bool { return false }

// notFolder reports false: only inotify refuses to watch a file.
func notFolder(error) bool { return false }
