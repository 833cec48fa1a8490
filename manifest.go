package curafeed

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The output folder's manifest (ManifestName) lists every file curafeed
// wrote there, one line each, sorted by path: the checksum of its bytes (as
// fileSum, 16 hexadecimal digits: CRC-32C then CRC-32), its size, and its
// slash-separated path. It is replaced atomically at the end of every
// build, and only when it changes. While a build writes, each file it is
// about to write is first appended, in the same form, to the journal
// (journalName), so that a build that stops before its manifest is written
// leaves what it wrote known as curafeed's; the next build that ends removes
// the journal. Lists of the first version, whose checksums are CRC-64
// (ECMA), are still read: the files they name stay curafeed's, and the
// next build lists them anew.
const (
	journalName    = "curafeed-journal.txt"
	manifestHeader = "# curafeed manifest 2: the files curafeed wrote in this folder (CRC-32C and CRC-32, size, path); it leaves every other file alone\n"
	journalHeader  = "# curafeed journal 2: files a build wrote before its manifest\n"

	// The headers of the first version's lists.
	manifestHeader1 = "# curafeed manifest 1: the files curafeed wrote in this folder (CRC-64 ECMA, size, path); it leaves every other file alone\n"
	journalHeader1  = "# curafeed journal 1: files a build wrote before its manifest\n"

	// maxManifestBytes bounds the manifest and journal read: about ten
	// million files.
	maxManifestBytes = 1 << 30
)

// manifestEntry is what the manifest knows of a file curafeed wrote.
type manifestEntry struct {
	size int64
	sum  uint64 // fileSum of the bytes; legacySum's when legacy is set
	// legacy marks an entry read from a list of the first version.
	legacy bool
}

// entryOf is the manifest entry of data.
func entryOf(data []byte) manifestEntry {
	return manifestEntry{size: int64(len(data)), sum: fileSum(data)}
}

// legacyTable is the CRC-64 table of the first version's lists.
var legacyTable = crc64.MakeTable(crc64.ECMA)

// legacySum is the checksum of the first version's lists.
func legacySum(data []byte) uint64 { return crc64.Checksum(data, legacyTable) }

// holds reports whether data are the bytes e lists.
func (e manifestEntry) holds(data []byte) bool {
	if int64(len(data)) != e.size {
		return false
	}
	if e.legacy {
		return legacySum(data) == e.sum
	}
	return fileSum(data) == e.sum
}

// manifestLine is one line of the manifest or the journal.
func manifestLine(rel string, e manifestEntry) string {
	return string(appendManifestLine(nil, rel, e))
}

// appendManifestLine appends the manifest line of rel to b.
func appendManifestLine(b []byte, rel string, e manifestEntry) []byte {
	const hex = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hex[e.sum>>uint(shift)&0xf])
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, e.size, 10)
	b = append(b, ' ')
	b = append(b, rel...)
	return append(b, '\n')
}

// openTree returns a writer of c's tree into dir that knows, from the
// folder's manifest and journal, which files there curafeed wrote. Either
// being anything but a regular file curafeed wrote (a symbolic link, a
// folder, other contents, a path out of dir) is an error: nothing is then
// written. A journal left by a build that stopped is taken in, and the
// temporary files that build left beside the files it wrote are removed.
func openTree(c *Catalog, dir string) (*treeWriter, error) {
	tw := newTreeWriter(c, dir)
	tw.fresh = emptyDir(dir)
	raw, ok, err := readControl(dir, ManifestName)
	if err != nil {
		return nil, err
	}
	if ok {
		tw.prevRaw = raw
		if err := tw.parseManifest(raw); err != nil {
			return nil, err
		}
	}
	raw, ok, err = readControl(dir, journalName)
	if err != nil {
		return nil, err
	}
	if ok {
		tw.journaled = true
		if err := tw.parseJournal(raw); err != nil {
			return nil, err
		}
		tw.removeTemps()
	}
	return tw, nil
}

// emptyDir reports whether the folder dir has no entries at all.
func emptyDir(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	return len(names) == 0 && errors.Is(err, io.EOF)
}

// readControl reads the manifest or the journal, name, of dir: ok is false
// when there is none. Neither is ever read through a symbolic link.
func readControl(dir, name string) (data []byte, ok bool, err error) {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil && !fi.Mode().IsRegular() {
		err = notOwnList(fi.Mode())
	}
	if err == nil && fi.Size() > maxManifestBytes {
		err = fmt.Errorf("over %d bytes: not a list curafeed wrote; move it away", maxManifestBytes)
	}
	if err == nil {
		data, err = readNoFollow(p)
	}
	if err != nil {
		return nil, false, fmt.Errorf("curafeed: %s: %w", p, err)
	}
	return data, true, nil
}

// notOwnList is the error of a manifest or journal that is not a regular
// file.
func notOwnList(m fs.FileMode) error {
	return fmt.Errorf("not a regular file (%s): curafeed keeps there the list of the files it wrote, and follows no link to it; move it away", fileKind(m))
}

// readNoFollow reads the regular file p, never through a symbolic link
// where the system can refuse one, and never blocking on a named pipe.
func readNoFollow(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|openNoFollow|openNonblock, 0)
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
	var b bytes.Buffer
	b.Grow(int(min(fi.Size(), maxManifestBytes)) + bytes.MinRead)
	_, err = b.ReadFrom(f)
	return b.Bytes(), err
}

// parseManifest reads the manifest's entries into tw.prev.
func (tw *treeWriter) parseManifest(raw []byte) error {
	p := filepath.Join(tw.dir, ManifestName)
	body, ok := bytes.CutPrefix(raw, []byte(manifestHeader))
	legacy := false
	if !ok {
		body, legacy = bytes.CutPrefix(raw, []byte(manifestHeader1))
	}
	if !ok && !legacy {
		return fmt.Errorf("curafeed: %s: not a manifest of this curafeed version (its first line differs); move it away", p)
	}
	for i, line := range lines(body) {
		rel, e, err := parseEntry(tw.dir, line, legacy)
		if _, dup := tw.prev[rel]; err == nil && dup {
			err = fmt.Errorf("%s: listed twice", rel)
		}
		if err != nil {
			return fmt.Errorf("curafeed: %s:%d: %w; move it away", p, i+2, err)
		}
		tw.prev[rel] = e
	}
	return nil
}

// parseJournal reads the journal's entries into tw.pending. A line cut
// short by a build that stopped while appending it is left out.
func (tw *treeWriter) parseJournal(raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	body, ok := bytes.CutPrefix(raw, []byte(journalHeader))
	legacy := false
	if !ok {
		body, legacy = bytes.CutPrefix(raw, []byte(journalHeader1))
	}
	tw.legacyJournal = legacy
	if !ok && !legacy {
		return fmt.Errorf("curafeed: %s: not a journal of this curafeed version (its first line differs); move it away", filepath.Join(tw.dir, journalName))
	}
	if i := bytes.LastIndexByte(body, '\n'); i < len(body)-1 {
		body = body[:i+1]
	}
	for _, line := range lines(body) {
		if rel, e, err := parseEntry(tw.dir, line, legacy); err == nil {
			tw.pending[rel] = append(tw.pending[rel], e)
		}
	}
	return nil
}

// lines splits text into its lines, without their ends.
func lines(text []byte) []string {
	if len(text) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
}

// parseEntry reads one line of the manifest or the journal; legacy tells
// a list of the first version.
func parseEntry(dir, line string, legacy bool) (string, manifestEntry, error) {
	f := strings.SplitN(line, " ", 3)
	if len(f) != 3 || len(f[0]) != 16 {
		return "", manifestEntry{}, fmt.Errorf("want CRC SIZE PATH, have %q", line)
	}
	sum, err1 := strconv.ParseUint(f[0], 16, 64)
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || size < 0 {
		return "", manifestEntry{}, fmt.Errorf("want CRC SIZE PATH, have %q", line)
	}
	rel := f[2]
	if _, err := outputPath(dir, rel); err != nil {
		return "", manifestEntry{}, fmt.Errorf("%q: not a path inside the output folder", rel)
	}
	if rel == ManifestName || rel == journalName {
		return "", manifestEntry{}, fmt.Errorf("%q: curafeed's own list", rel)
	}
	return rel, manifestEntry{size: size, sum: sum, legacy: legacy}, nil
}

// wrote reports whether data are what curafeed wrote at rel, by the
// manifest or the journal.
func (tw *treeWriter) wrote(rel string, data []byte) bool {
	if old, ok := tw.prev[rel]; ok && old.holds(data) {
		return true
	}
	return slices.ContainsFunc(tw.pending[rel], func(e manifestEntry) bool { return e.holds(data) })
}

// wroteSize reports whether curafeed wrote a file of size bytes at rel.
func (tw *treeWriter) wroteSize(rel string, size int64) bool {
	if old, ok := tw.prev[rel]; ok && old.size == size {
		return true
	}
	for _, e := range tw.pending[rel] {
		if e.size == size {
			return true
		}
	}
	return false
}

// placeState is what is at the path of a file to write.
type placeState int

const (
	placeFree    placeState = iota // nothing, or a file curafeed wrote: write
	placeSame                      // already the bytes to write
	placeForeign                   // a file curafeed did not write, or one changed since: leave it alone
)

// place tells what is at p, the path of the file rel to hold data. Only a
// regular file whose size is that of data or of a version curafeed wrote is
// read: the read that tells unchanged bytes also tells an edited file.
func (tw *treeWriter) place(rel, p string, data []byte) placeState {
	if tw.fresh {
		return placeFree // nothing was there: no need to look
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return placeFree // absent, or its folder cannot be: the write tells why
	}
	if !fi.Mode().IsRegular() {
		return placeForeign
	}
	if fi.Size() != int64(len(data)) && !tw.wroteSize(rel, fi.Size()) {
		return placeForeign
	}
	old, err := readNoFollow(p)
	switch {
	case err != nil:
		return placeForeign
	case bytes.Equal(old, data):
		return placeSame
	case tw.wrote(rel, old):
		return placeFree
	}
	return placeForeign
}

// owned returns the manifest's entry of the file rel when the file there is
// regular and of the size curafeed wrote: a file a cached build may keep
// without reading it. A file a stopped build may have rewritten is not, nor
// one a list of the first version names (its entry must be made anew).
func (tw *treeWriter) owned(rel string) (manifestEntry, bool) {
	e, ok := tw.listed(rel)
	if !ok || e.legacy {
		return manifestEntry{}, false
	}
	return e, true
}

// listed returns the manifest's entry of the file rel when the file there
// is regular and of the size curafeed wrote (see owned).
func (tw *treeWriter) listed(rel string) (manifestEntry, bool) {
	e, ok := tw.prev[rel]
	if !ok || len(tw.pending[rel]) > 0 {
		return manifestEntry{}, false
	}
	p, err := outputPath(tw.dir, rel)
	if err != nil {
		return manifestEntry{}, false
	}
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.size {
		return manifestEntry{}, false
	}
	return e, true
}

// intact returns the manifest's entry of the file rel when the file there
// is owned (see owned) and its bytes are still those curafeed wrote: a
// file a cached build may keep after reading it, for the few files where
// an edit that keeps the size must be found. The entry of a list of the
// first version is made anew from the bytes read.
func (tw *treeWriter) intact(rel string) (manifestEntry, bool) {
	e, ok := tw.listed(rel)
	if !ok {
		return manifestEntry{}, false
	}
	p, err := outputPath(tw.dir, rel)
	if err != nil {
		return manifestEntry{}, false
	}
	data, err := readNoFollow(p)
	if err != nil || !e.holds(data) {
		return manifestEntry{}, false
	}
	if e.legacy {
		e = entryOf(data) // listed anew
	}
	return e, true
}

// log appends rel, to hold data (whose entry is e), to the journal before
// its file is written, opening the journal at the first file. A journal of
// the first version that a stopped build left is appended to in its own
// form.
func (tw *treeWriter) log(rel string, e manifestEntry, data []byte) error {
	tw.jmu.Lock()
	defer tw.jmu.Unlock()
	header := journalHeader
	if tw.legacyJournal {
		header = journalHeader1
		e = manifestEntry{size: int64(len(data)), sum: legacySum(data), legacy: true}
	}
	line := manifestLine(rel, e)
	if tw.journal == nil {
		p := filepath.Join(tw.dir, journalName)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE|openNoFollow, 0o644)
		if err == nil {
			var fi os.FileInfo
			if fi, err = f.Stat(); err == nil && !fi.Mode().IsRegular() {
				err = notOwnList(fi.Mode())
			}
			if err == nil && fi.Size() == 0 {
				line = header + line
			}
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("curafeed: writing %s: %w", p, err)
		}
		tw.journal = f
	}
	if _, err := tw.journal.WriteString(line); err != nil {
		return fmt.Errorf("curafeed: writing %s: %w", tw.journal.Name(), err)
	}
	return nil
}

// finish removes the files of earlier builds that this one no longer has
// and that still hold what curafeed wrote, writes the manifest of what this
// build wrote or found right, and removes the journal.
func (tw *treeWriter) finish() error {
	var stale []string
	for rel := range tw.prev {
		if !tw.want[rel] {
			stale = append(stale, rel)
		}
	}
	for rel := range tw.pending {
		if _, ok := tw.prev[rel]; !ok && !tw.want[rel] {
			stale = append(stale, rel)
		}
	}
	if err := tw.remove(stale); err != nil {
		return err
	}
	rels := make([]string, 0, len(tw.next))
	for rel := range tw.next {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	var b bytes.Buffer
	b.Grow(len(manifestHeader) + 64*len(rels))
	b.WriteString(manifestHeader)
	line := make([]byte, 0, 256)
	for _, rel := range rels {
		line = appendManifestLine(line[:0], rel, tw.next[rel])
		b.Write(line)
	}
	p := filepath.Join(tw.dir, ManifestName)
	if tw.prevRaw == nil || !bytes.Equal(tw.prevRaw, b.Bytes()) {
		if err := tw.write(p, b.Bytes()); err != nil {
			return fmt.Errorf("curafeed: writing %s: %w", p, err)
		}
	}
	return tw.closeJournal(true)
}

// closeJournal closes the journal, and removes it when drop is set and a
// manifest now lists what it did.
func (tw *treeWriter) closeJournal(drop bool) error {
	tw.jmu.Lock()
	defer tw.jmu.Unlock()
	if tw.journal != nil {
		tw.journal.Close()
		tw.journal = nil
		tw.journaled = true
	}
	if !drop || !tw.journaled {
		return nil
	}
	p := filepath.Join(tw.dir, journalName)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("curafeed: removing %s: %w", p, err)
	}
	tw.journaled = false
	return nil
}

// remove removes the named files of an earlier build that still hold what
// curafeed wrote there; the others are left alone and reported. A path that
// would leave the tree is an error, and nothing is removed.
func (tw *treeWriter) remove(rels []string) error {
	slices.Sort(rels)
	for _, rel := range rels {
		p, err := outputPath(tw.dir, rel)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			continue
		case err != nil:
			return fmt.Errorf("curafeed: removing old feeds: %w", err)
		case !fi.Mode().IsRegular() || !tw.wroteSize(rel, fi.Size()):
			tw.leftAlone(rel, false)
			continue
		}
		if old, err := readNoFollow(p); err != nil || !tw.wrote(rel, old) {
			tw.leftAlone(rel, false)
			continue
		}
		switch err := os.Remove(p); {
		case err == nil:
			tw.st.Removed++
			removeEmptyParents(tw.dir, filepath.Dir(p))
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("curafeed: removing old feeds: %w", err)
		}
	}
	return nil
}

// leftAlone reports the file rel, which curafeed did not write or which
// changed since, as left alone; feed tells a feed document that could not
// be written.
func (tw *treeWriter) leftAlone(rel string, feed bool) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.st.Foreign = append(tw.st.Foreign, rel)
	if feed {
		tw.st.Blocked = append(tw.st.Blocked, rel)
	}
}

// removeTemps removes the temporary files a build that stopped left beside
// the files its journal lists and beside the manifest: only files named as
// the writer names them (tempPrefix, the file's name, ".", process and
// sequence numbers), and only where the folder's lock keeps other builds
// out.
func (tw *treeWriter) removeTemps() {
	if !dirLocks {
		return
	}
	names := map[string]map[string]bool{".": {ManifestName: true}} // by folder
	for rel := range tw.pending {
		d, name := path.Split(rel)
		if d = strings.TrimSuffix(d, "/"); d == "" {
			d = "."
		}
		if names[d] == nil {
			names[d] = map[string]bool{}
		}
		names[d][name] = true
	}
	for d, in := range names {
		entries, err := os.ReadDir(filepath.Join(tw.dir, filepath.FromSlash(d)))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.Type().IsRegular() && isTempOf(e.Name(), in) {
				os.Remove(filepath.Join(tw.dir, filepath.FromSlash(d), e.Name()))
			}
		}
	}
}

// isTempOf reports whether name is that of a temporary file the writer
// makes for one of the files names.
func isTempOf(name string, names map[string]bool) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix)
	i := strings.LastIndexByte(rest, '.')
	if !ok || i < 0 || !names[rest[:i]] {
		return false
	}
	pid, seq, ok := strings.Cut(rest[i+1:], "-")
	return ok && digits(pid) && digits(seq)
}

// digits reports whether s is a non-empty string of ASCII digits.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
