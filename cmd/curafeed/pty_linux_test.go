package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openPTY opens a pseudo-terminal: the terminal side, which curafeed
// writes to, and the other side, which the test reads.
func openPTY(t *testing.T) (term, reader *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		ptmx.Close()
		t.Skipf("no pseudo-terminal: unlock: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ptmx.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		ptmx.Close()
		t.Skipf("no pseudo-terminal: number: %v", e)
	}
	term, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		ptmx.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { term.Close(); ptmx.Close() })
	return term, ptmx
}

// TestProgressOnTerminal requires a build whose stderr is a terminal to
// show its progress on one line rewritten in place, and to erase it before
// the lines that stay.
func TestProgressOnTerminal(t *testing.T) {
	term, reader := openPTY(t)
	require.True(t, isTerminal(term))
	defer func(d time.Duration) { progressInterval = d }(progressInterval)
	progressInterval = 0 // every update is drawn

	got := make(chan []byte, 1)
	go func() {
		var all bytes.Buffer
		io.Copy(&all, reader) // until the terminal side closes
		got <- all.Bytes()
	}()
	var stdout bytes.Buffer
	code := run([]string{"build", "-site", defaultSite, "-records", "../../testdata/records", "-out", t.TempDir()}, &stdout, term)
	term.Close()
	out := string(<-got)
	assert.Equal(t, 0, code, out)
	assert.Regexp(t, `\rcurafeed: records \d+/51, \S+`, out)
	assert.Regexp(t, `\rcurafeed: records 51/51, feeds \d+/\d+, \S+`, out)
	assert.Regexp(t, `\r +\r`, out, "the line is erased")
	last := regexp.MustCompile(`curafeed: \d+ records, \d+ files in \S+\r?\n$`)
	assert.Regexp(t, last, out, "the timing line ends the run")
	assert.Contains(t, stdout.String(), "records read 51")
}
