//go:build !unix

package main

import "os"

// peakRSS returns 0: this system reports no peak resident memory of a child.
func peakRSS(*os.ProcessState) int64 { return 0 }
