// Package frontmatter reads curation record files: it splits a file into its
// YAML front matter and its body, and reads the front matter into the node
// tree yaml.v3 would give, with a fast reader for the subset curation
// exports write and yaml.v3 for the rest. [Parse] is its one entry point.
package frontmatter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/curafeed/curafeed/sanitize"
	"go.yaml.in/yaml/v3"
)

// Doc is a record file as Parse read it.
type Doc struct {
	// Node is the front matter as the document node yaml.Unmarshal would
	// give; its Content is empty when the front matter is. Its lines are
	// those of the front matter: its line n is line n+Line-1 of the file.
	Node *yaml.Node
	// Front is the front matter that was read: the text between the fences,
	// cleaned when Cleaned is set.
	Front []byte
	// Body is the text after the closing fence.
	Body []byte
	// Line is the 1-based line of the file on which the front matter
	// starts, the one after the opening fence.
	Line int
	// Fast reports that the fast reader read the front matter: Node then
	// has no anchors, aliases, explicit tags or duplicate keys.
	Fast bool
	// Cleaned reports that the front matter held characters YAML refuses,
	// which were removed before it was read.
	Cleaned bool

	slab *fmSlab // the memory of Node's tree, for Release
}

// Release hands the memory of the node tree back for the next Parse, and
// sets Node to nil: neither Node nor any node under it may be used after
// it (the strings read from them may). A Doc never released leaves its
// memory to the garbage collector.
func (d *Doc) Release() {
	d.slab.release()
	d.slab, d.Node = nil, nil
}

// Kind sorts the problems Parse reports.
type Kind int

const (
	// NotRecord is a file without front matter, which is not a record: an
	// empty or blank file ([ErrEmpty]), or text that does not start with a
	// --- line ([ErrNoFrontMatter]).
	NotRecord Kind = iota + 1
	// NotText is a file that is not UTF-8 text: UTF-16 or UTF-32, or bytes
	// that are not text at all.
	NotText
	// BadFence is front matter that is opened on the error's line but not
	// as YAML front matter must be: never closed, TOML (+++), or an opening
	// --- that is not alone on its line.
	BadFence
	// BadYAML is front matter that is not valid YAML. The error's line is
	// the one yaml.v3 names, or 0.
	BadYAML
)

// Error is a problem Parse met: its kind, its line and its cause.
type Error struct {
	Kind Kind
	Line int   // 1-based line of the file, or 0 when unknown
	Err  error // the cause, worded for the record's report
}

// Error returns the cause's message, without the line.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// The causes of NotRecord errors.
var (
	ErrEmpty         = errors.New("empty file")
	ErrNoFrontMatter = errors.New("no front matter")
)

// Parse splits the record file data into its front matter and its body, and
// reads the front matter into a YAML node tree, exactly as yaml.v3 would
// read it.
//
// The front matter is the text between a first line "---" and the next line
// "---" or "..."; blank lines and a UTF-8 byte-order mark may come before
// it. Front matter that holds characters YAML refuses or would take for
// line breaks (invalid UTF-8, control characters other than tab and line
// breaks, U+FFFE, U+FFFF, NEL and the Unicode line and paragraph
// separators) is cleaned before it is read, and Cleaned reports it:
// mojibake is repaired first (C1 characters are often what is left of it),
// then the refused characters are removed and the line breaks become
// spaces.
//
// The error is an *Error. With a BadYAML error, Doc holds all but Node.
func Parse(data []byte) (Doc, error) {
	front, body, line, ok := splitFrontMatter(data)
	if !ok {
		return Doc{}, noFrontMatter(data)
	}
	d := Doc{Front: front, Body: body, Line: line}
	if !yamlSafe(front) {
		d.Front, d.Cleaned = cleanFrontMatter(front), true
	}
	node, slab, fast, err := parseFrontMatter(d.Front)
	if err != nil {
		return d, syntaxError(err, line-1)
	}
	d.Node, d.slab, d.Fast = node, slab, fast
	return d, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// syntaxError is the BadYAML error for err, an error of yaml.v3's parser,
// whose line is offset lines before the file's.
func syntaxError(err error, offset int) *Error {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
			line += offset
		}
		msg = msg[len(m[0]):]
	}
	return &Error{Kind: BadYAML, Line: line, Err: errors.New("invalid YAML: " + msg)}
}

// noFrontMatter says why data, in which splitFrontMatter found no front
// matter, is a bad record, or that it is not a record at all.
func noFrontMatter(data []byte) *Error {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		// Not a record; a file that held one before is a damaged record,
		// which the loader knows from its previous load or cache.
		return &Error{Kind: NotRecord, Err: ErrEmpty}
	case bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")) || bytes.HasPrefix(data, []byte("\x00\x00\xfe\xff")):
		return &Error{Kind: NotText, Err: errors.New("encoded as UTF-16 or UTF-32: records must be UTF-8")}
	}
	first, line := firstContentLine(data)
	t := string(bytes.TrimRight(first, " \t\r"))
	switch {
	case t == "---":
		return &Error{Kind: BadFence, Line: line, Err: fmt.Errorf("opened on line %d and never closed (no --- or ... line ends it)", line)}
	case t == "+++":
		return &Error{Kind: BadFence, Line: line, Err: errors.New("TOML front matter (+++) is not supported: write it in YAML between --- lines")}
	case strings.HasPrefix(t, "---") && !strings.HasPrefix(t, "----"):
		return &Error{Kind: BadFence, Line: line, Err: errors.New("the opening --- must be alone on its line")}
	case bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data):
		// Not a Markdown file that merely has no front matter: most likely
		// a record overwritten with other bytes.
		return &Error{Kind: NotText, Err: errors.New("not UTF-8 text: a record file must be Markdown with front matter")}
	}
	return &Error{Kind: NotRecord, Err: ErrNoFrontMatter}
}

// firstContentLine returns the first line of data that is not blank, after
// a UTF-8 byte-order mark, and its 1-based number.
func firstContentLine(data []byte) ([]byte, int) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for n := 1; ; n++ {
		l, rest, found := cutLine(data)
		if len(bytes.TrimLeft(l, " \t\r")) > 0 || !found {
			return l, n
		}
		data = rest
	}
}

// splitFrontMatter splits a record into its YAML front matter and body. line
// is the 1-based file line on which the front matter starts. Blank lines
// before the opening --- are allowed.
func splitFrontMatter(data []byte) (front, body []byte, line int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	line = 1
	for {
		first, rest, found := cutLine(data)
		if isFence(first) {
			if !found {
				return nil, nil, 0, false
			}
			data = rest
			break
		}
		if !found || len(bytes.TrimLeft(first, " \t\r")) > 0 {
			return nil, nil, 0, false
		}
		data = rest
		line++
	}
	start := data
	rest := data
	off := 0
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if isFence(l) || string(bytes.TrimRight(l, " \t\r")) == "..." {
			return start[:off], next, line + 1, true
		}
		off += len(rest) - len(next)
		rest = next
	}
	return nil, nil, 0, false
}

func cutLine(b []byte) (line, rest []byte, found bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	return b[:i], b[i+1:], true
}

func isFence(l []byte) bool {
	return string(bytes.TrimRight(l, " \t\r")) == "---"
}

// yamlSafe reports whether front holds only characters the YAML parser
// accepts: valid UTF-8 without C0 or C1 control characters (other than tab,
// line feed and carriage return), DEL, U+FFFE, U+FFFF, or the Unicode line
// separators that YAML would take for line breaks.
func yamlSafe(front []byte) bool {
	for i := 0; i < len(front); {
		// Eight bytes at a time while they are ASCII from ' ' to '~'.
		for i+8 <= len(front) {
			x := binary.LittleEndian.Uint64(front[i:])
			const ones, highs = 0x0101010101010101, 0x8080808080808080
			if (x-ones*0x20)&^x&highs|x&highs|fmZeroByte(x^ones*0x7f) != 0 {
				break
			}
			i += 8
		}
		if i >= len(front) {
			break
		}
		c := front[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(front[i:])
		if r == utf8.RuneError && n == 1 || r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}

// cleanFrontMatter repairs mojibake (whose C1 characters YAML rejects), then
// drops what is left of the characters yamlSafe refuses; line separators
// become spaces.
func cleanFrontMatter(front []byte) []byte {
	s := sanitize.RepairMojibake(strings.ToValidUTF8(string(front), ""))
	var b bytes.Buffer
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r >= 0x7f && r <= 0x84 || r >= 0x86 && r <= 0x9f || r == 0xfffe || r == 0xffff:
			continue
		case r == 0x85 || r == 0x2028 || r == 0x2029:
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.Bytes()
}
