package frontmatter

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parseFrontMatter decodes YAML front matter into a document node. It reads the
// block-style subset that curation exports produce itself and hands anything
// else to yaml.v3, so the result is always what yaml.Unmarshal would give.
// fast reports whether the fast reader read it.
func parseFrontMatter(front []byte) (doc *yaml.Node, slab *fmSlab, fast bool, err error) {
	if doc, slab, why, _ := fastFrontMatterSlab(front); why == "" {
		return doc, slab, true, nil
	}
	doc, err = slowFrontMatter(front)
	return doc, nil, false, err
}

// slowFrontMatter is yaml.Unmarshal into a node, with any panic of the general
// parser turned into an error.
func slowFrontMatter(front []byte) (doc *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	doc = new(yaml.Node)
	if err := yaml.Unmarshal(front, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// fastFrontMatter is the specialised reader alone: ok is false when front uses
// anything outside its subset (then the caller falls back to yaml.v3).
//
// The subset is what curation exports write: a block mapping of ASCII keys
// (plain, or quoted on one line without escapes) whose values are plain,
// single-quoted or double-quoted scalars (also over several lines), literal
// and folded block scalars, the empty flow collections [] and {}, block
// sequences (indented or not) of such scalars or of compact mappings
// ("- key: value"), nested block mappings, empty values and blank lines,
// with LF or CRLF line ends. Comments, anchors, aliases, tags, non-empty flow
// collections, complex keys, duplicate keys, document markers, directives,
// tabs, control characters, byte-order marks, line separators and invalid
// UTF-8 are refused.
func fastFrontMatter(front []byte) (doc *yaml.Node, ok bool) {
	doc, why := fastFrontMatterWhy(front)
	return doc, why == ""
}

// fastFrontMatterWhy is fastFrontMatter that says why it refused front: the
// reason is "" when it did not.
func fastFrontMatterWhy(front []byte) (*yaml.Node, string) {
	doc, why, _ := fastFrontMatterAt(front)
	return doc, why
}

// fastFrontMatterAt is fastFrontMatterWhy that also says on which line of
// front it gave up (0 when it did not look at lines).
func fastFrontMatterAt(front []byte) (doc *yaml.Node, why string, line int) {
	doc, _, why, line = fastFrontMatterSlab(front)
	return doc, why, line
}

// fastFrontMatterSlab is fastFrontMatterAt that also returns the slab the
// nodes were carved from, for Doc.Release.
func fastFrontMatterSlab(front []byte) (doc *yaml.Node, slab *fmSlab, why string, line int) {
	nodes, why := fmCheck(front)
	if why != "" {
		return nil, nil, why, 0
	}
	p := fmParsers.Get().(*fmParser)
	doc = p.parse(string(front), nodes)
	why, line, slab = p.why, p.line, p.slab
	p.reset()
	fmParsers.Put(p)
	if why != "" {
		slab.release()
		return nil, nil, why, line
	}
	return doc, slab, "", 0
}

// Reasons fastFrontMatter gives for refusing front matter.
const (
	fmWhyEmpty       = "empty"
	fmWhyMarker      = "document marker (--- or ...)"
	fmWhyCR          = "carriage return outside CRLF"
	fmWhyTab         = "tab"
	fmWhyControl     = "control character"
	fmWhyUTF8        = "invalid UTF-8"
	fmWhySpecialChar = "BOM, NEL, line separator or non-character"
	fmWhyRoot        = "root is not a block mapping"
	fmWhyIndent      = "unexpected indentation"
	fmWhyKey         = "key that is neither plain nor quoted on one line"
	fmWhyLongKey     = "key longer than 512 bytes"
	fmWhyDupKey      = "duplicate key"
	fmWhyDeep        = "collections nested more than 64 deep"
	fmWhyComment     = "comment"
	fmWhyBlockHeader = "block scalar with an indentation indicator or comment"
	fmWhyFlow        = "non-empty flow collection"
	fmWhyAnchor      = "anchor, alias or tag"
	fmWhyIndicator   = "scalar starting with a reserved indicator"
	fmWhyColon       = "': ' inside a plain scalar"
	fmWhyNested      = "nested or next-line sequence entry"
	fmWhyAfterScalar = "text after a quoted scalar or flow collection"
	fmWhyUnclosed    = "unterminated quoted scalar"
	fmWhyEscape      = "unsupported escape in a double-quoted scalar"
)

// fmCheck checks that front holds only characters the reader handles the way
// yaml.v3 does and no document markers. It estimates the number of nodes
// from the keys (a ':' before a blank) and the sequence entries (a line
// that starts with '-').
func fmCheck(b []byte) (nodes int, why string) {
	keys, entries := 0, 0
	for i := 0; i < len(b); {
		// At the start of a line.
		if c := b[i]; (c == '-' || c == '.') && i+2 < len(b) && b[i+1] == c && b[i+2] == c {
			return 0, fmWhyMarker
		}
		j := i
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if j < len(b) && b[j] == '-' {
			entries++
		}
	line:
		for i = j; i < len(b); {
			// Skip 8 bytes at a time while they are printable ASCII
			// other than ':'.
			for i+8 <= len(b) {
				x := binary.LittleEndian.Uint64(b[i:])
				const ones, highs = 0x0101010101010101, 0x8080808080808080
				if (x-ones*0x20)&^x&highs|x&highs|fmZeroByte(x^ones*0x7f)|fmZeroByte(x^ones*':') != 0 {
					break
				}
				i += 8
			}
			for i < len(b) && fmClass[b[i]] == 0 {
				i++
			}
			if i >= len(b) {
				break
			}
			switch c := b[i]; fmClass[c] {
			case ':':
				if i+1 >= len(b) || b[i+1] == ' ' || b[i+1] == '\n' || b[i+1] == '\r' {
					keys++
				}
				i++
			case '\n':
				i++
				break line
			case '\r':
				if i+1 >= len(b) || b[i+1] != '\n' {
					return 0, fmWhyCR
				}
				i++
			case '\t':
				return 0, fmWhyTab
			case 'c':
				return 0, fmWhyControl
			default:
				r, n := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && n <= 1 {
					return 0, fmWhyUTF8
				}
				// yaml.v3 rejects C1 controls and non-characters, takes NEL
				// and the Unicode separators for line breaks, and skips
				// byte-order marks: all of them are left to it.
				if r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
					return 0, fmWhySpecialChar
				}
				i += n
			}
		}
	}
	return 2*keys + entries + 2, ""
}

// fmZeroByte is not 0 when a byte of x is 0.
func fmZeroByte(x uint64) uint64 {
	return (x - 0x0101010101010101) &^ x & 0x8080808080808080
}

// fmClass sorts bytes for fmCheck: 0 for printable ASCII other than ':'.
var fmClass = func() (t [256]byte) {
	for c := 0; c < 0x20; c++ {
		t[c] = 'c'
	}
	t[0x7f] = 'c'
	for c := 0x80; c < 0x100; c++ {
		t[c] = 'u'
	}
	t['\n'], t['\r'], t['\t'], t[':'] = '\n', '\r', '\t', ':'
	return t
}()

// fmParsers pools the parsers' scratch space.
var fmParsers = sync.Pool{New: func() any { return new(fmParser) }}

// fmParser reads one front matter. It is pooled: only its scratch space
// outlives a parse.
type fmParser struct {
	src       string
	lineStart int  // offset of the current content line
	line      int  // 1-based number of the current line
	indent    int  // indentation of the current content line
	eof       bool // no content line is left
	depth     int  // collections being read
	why       string

	slab  *fmSlab       // the first slab of nodes and Content slices
	nodes []yaml.Node   // slab the nodes are carved from
	ptrs  []*yaml.Node  // slab the Content slices are carved from
	chunk int           // size of a new slab
	stack []*yaml.Node  // children of the collections being read
	buf   []byte        // values that are not slices of src
	built []fmBuiltNode // nodes whose values are in buf
}

// fmBuiltNode is a node whose value was unescaped or folded into
// fmParser.buf, at buf[start:end].
type fmBuiltNode struct {
	n          *yaml.Node
	start, end int
	resolve    bool // a plain scalar: its tag is resolved from the value
}

// reset forgets the parse for the pool, keeping the scratch space unless it
// grew large.
func (p *fmParser) reset() {
	clear(p.stack)
	clear(p.built)
	p.stack, p.built, p.buf = p.stack[:0], p.built[:0], p.buf[:0]
	if cap(p.buf) > 64<<10 || cap(p.stack) > 4<<10 || cap(p.built) > 4<<10 {
		p.stack, p.built, p.buf = nil, nil, nil
	}
	p.slab, p.nodes, p.ptrs = nil, nil, nil
	p.src, p.why = "", ""
}

// fmSlab is the memory a parse first carves its nodes and their Content
// slices from. Doc.Release hands it back, cleared, for the next parse: a
// record's tree is most of what reading its front matter allocates, and
// is garbage once the record's fields are read.
type fmSlab struct {
	nodes []yaml.Node
	ptrs  []*yaml.Node
}

var fmSlabs sync.Pool // of *fmSlab

// fmSlabMax bounds the slabs kept for reuse, in nodes.
const fmSlabMax = 4096

// newSlab returns a slab of at least n nodes and Content entries.
func newSlab(n int) *fmSlab {
	if s, ok := fmSlabs.Get().(*fmSlab); ok && cap(s.nodes) >= n && cap(s.ptrs) >= n {
		return s
	}
	return &fmSlab{nodes: make([]yaml.Node, 0, n), ptrs: make([]*yaml.Node, 0, n)}
}

// release clears s and keeps it for the next parse; s must not be used
// after it.
func (s *fmSlab) release() {
	if s == nil || cap(s.nodes) > fmSlabMax || cap(s.ptrs) > fmSlabMax {
		return
	}
	clear(s.nodes[:cap(s.nodes)])
	clear(s.ptrs[:cap(s.ptrs)])
	fmSlabs.Put(s)
}

// fail records why the parse gave up (the first reason counts) and returns
// nil.
func (p *fmParser) fail(why string) *yaml.Node {
	if p.why == "" {
		p.why = why
	}
	return nil
}

// parse reads src, whose node count fmCheck estimated, into a document node,
// or returns nil and sets p.why.
func (p *fmParser) parse(src string, nodes int) *yaml.Node {
	p.src, p.line, p.eof, p.depth, p.why = src, 1, false, 0, ""
	p.slab = newSlab(nodes)
	p.nodes, p.ptrs = p.slab.nodes[:0], p.slab.ptrs[:0]
	p.chunk = nodes/4 + 16 // for more nodes than estimated
	p.seek(0)
	if p.eof {
		return p.fail(fmWhyEmpty)
	}
	i := p.lineStart + p.indent
	if !p.isKey(i) {
		return p.fail(fmWhyRoot)
	}
	doc := p.node(yaml.DocumentNode, "", p.line, p.indent)
	root := p.mapping(i, p.indent)
	if root == nil {
		return nil
	}
	if !p.eof {
		return p.fail(fmWhyIndent)
	}
	p.stack = append(p.stack, root)
	doc.Content = p.children(0)
	if len(p.built) > 0 {
		all := string(p.buf)
		for _, b := range p.built {
			b.n.Value = all[b.start:b.end]
			if b.resolve {
				b.n.Tag = fmResolve(b.n.Value)
			}
		}
	}
	return doc
}

// node returns a new node from the slab; col is 0-based.
func (p *fmParser) node(kind yaml.Kind, tag string, line, col int) *yaml.Node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]yaml.Node, 0, p.chunk)
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	n.Kind, n.Tag, n.Line, n.Column = kind, tag, line, col+1
	return n
}

// children moves the nodes stacked since base into a Content slice.
func (p *fmParser) children(base int) []*yaml.Node {
	kids := p.stack[base:]
	n := len(kids)
	if cap(p.ptrs)-len(p.ptrs) < n {
		p.ptrs = make([]*yaml.Node, 0, max(n, p.chunk))
	}
	start := len(p.ptrs)
	p.ptrs = append(p.ptrs, kids...)
	clear(kids)
	p.stack = p.stack[:base]
	return p.ptrs[start:len(p.ptrs):len(p.ptrs)]
}

// seek moves to the first content line at or after the line starting at i,
// counting the blank lines it skips.
func (p *fmParser) seek(i int) {
	s := p.src
	for {
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) {
			p.eof = true
			return
		}
		if c := s[j]; c != '\n' && c != '\r' {
			p.lineStart, p.indent = i, j-i
			return
		}
		if s[j] == '\r' {
			j++
		}
		i = j + 1
		p.line++
	}
}

// next moves past the line break at le to the next content line.
func (p *fmParser) next(le int) {
	if le >= len(p.src) {
		p.eof = true
		return
	}
	if p.src[le] == '\r' {
		le++
	}
	p.line++
	p.seek(le + 1)
}

// endLine accepts only spaces from i to the end of the line, then moves to
// the next content line.
func (p *fmParser) endLine(i int) bool {
	s := p.src
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] != '\n' && s[i] != '\r' {
		if s[i] == '#' {
			p.fail(fmWhyComment)
		} else {
			p.fail(fmWhyAfterScalar)
		}
		return false
	}
	p.next(i)
	return true
}

// fmBreakOrEnd reports whether a line ends at s[i].
func fmBreakOrEnd(s string, i int) bool {
	return i >= len(s) || s[i] == '\n' || s[i] == '\r'
}

// fmBlankOrEnd reports whether s[i] is a space or the end of a line.
func fmBlankOrEnd(s string, i int) bool {
	return i >= len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\r'
}

// fmIsEntry reports whether a block sequence entry ("- " or a lone "-") starts at i.
func fmIsEntry(s string, i int) bool {
	return i < len(s) && s[i] == '-' && fmBlankOrEnd(s, i+1)
}

// fmKeyChar holds the bytes of simple keys; 1 marks those that may start one.
var fmKeyChar = func() (t [256]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = 1, 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 1
	}
	t['_'] = 1
	t['-'], t['.'], t['/'] = 2, 2, 2
	return t
}()

// keyEnd returns the offset of the ':' that ends the simple key at i, or -1.
// A simple key is plain, or quoted on one line without escapes; its bytes
// are ASCII.
func (p *fmParser) keyEnd(i int) int {
	s := p.src
	if i >= len(s) {
		return -1
	}
	j := i + 1
	switch c := s[i]; {
	case c == '\'' || c == '"':
		// ASCII only, so that columns after the key are byte offsets.
		for j < len(s) && s[j] != c && s[j] != '\\' && ' ' <= s[j] && s[j] < utf8.RuneSelf {
			j++
		}
		if j >= len(s) || s[j] != c || j+1 < len(s) && s[j+1] == c {
			return -1
		}
		j++
	case fmKeyChar[c] == 1:
		for j < len(s) {
			if fmKeyChar[s[j]] != 0 {
				j++
			} else if s[j] == ':' && j+1 < len(s) && fmKeyChar[s[j+1]] != 0 {
				j += 2
			} else {
				break
			}
		}
	default:
		return -1
	}
	if j >= len(s) || s[j] != ':' || !fmBlankOrEnd(s, j+1) {
		return -1
	}
	return j
}

// isKey reports whether a simple key followed by ':' starts at i.
func (p *fmParser) isKey(i int) bool { return p.keyEnd(i) >= 0 }

// mapping reads a block mapping whose first key starts at i, in column col.
func (p *fmParser) mapping(i, col int) *yaml.Node {
	if p.depth++; p.depth > 64 {
		return p.fail(fmWhyDeep)
	}
	defer func() { p.depth-- }()
	m := p.node(yaml.MappingNode, "!!map", p.line, col)
	base := len(p.stack)
	for {
		j := p.keyEnd(i)
		if j < 0 {
			return p.fail(fmWhyKey)
		}
		if j-i > 512 {
			return p.fail(fmWhyLongKey)
		}
		k := p.node(yaml.ScalarNode, "", p.line, col)
		switch p.src[i] {
		case '\'':
			k.Value, k.Tag, k.Style = p.src[i+1:j-1], "!!str", yaml.SingleQuotedStyle
		case '"':
			k.Value, k.Tag, k.Style = p.src[i+1:j-1], "!!str", yaml.DoubleQuotedStyle
		default:
			k.Value = p.src[i:j]
			k.Tag = fmResolve(k.Value)
		}
		p.stack = append(p.stack, k)
		v := p.value(j+1, col, true)
		if v == nil {
			return nil
		}
		p.stack = append(p.stack, v)
		if p.eof || p.indent < col {
			break
		}
		if p.indent > col {
			return p.fail(fmWhyIndent)
		}
		i = p.lineStart + col
	}
	if !fmUniqueKeys(p.stack[base:]) {
		return p.fail(fmWhyDupKey)
	}
	m.Content = p.children(base)
	return m
}

// fmUniqueKeys reports whether the keys of a mapping's content differ. Exports
// sort their keys, which makes the check linear.
func fmUniqueKeys(c []*yaml.Node) bool {
	sorted := true
	for i := 2; i < len(c); i += 2 {
		if c[i].Value <= c[i-2].Value {
			sorted = false
			break
		}
	}
	if sorted {
		return true
	}
	if len(c) > 64 {
		seen := make(map[string]bool, len(c)/2)
		for i := 0; i < len(c); i += 2 {
			if seen[c[i].Value] {
				return false
			}
			seen[c[i].Value] = true
		}
		return true
	}
	for i := 0; i < len(c); i += 2 {
		for j := i + 2; j < len(c); j += 2 {
			if c[i].Value == c[j].Value {
				return false
			}
		}
	}
	return true
}

// sequence reads a block sequence whose first '-' is at i, in column col.
// An indentless sequence (a mapping value in its key's column) ends at the
// mapping's next key.
func (p *fmParser) sequence(i, col int, indentless bool) *yaml.Node {
	if p.depth++; p.depth > 64 {
		return p.fail(fmWhyDeep)
	}
	defer func() { p.depth-- }()
	seq := p.node(yaml.SequenceNode, "!!seq", p.line, col)
	base := len(p.stack)
	for {
		v := p.value(i+1, col, false)
		if v == nil {
			return nil
		}
		p.stack = append(p.stack, v)
		if p.eof || p.indent < col {
			break
		}
		if p.indent > col {
			return p.fail(fmWhyIndent)
		}
		i = p.lineStart + col
		if !fmIsEntry(p.src, i) {
			if indentless {
				break
			}
			return p.fail(fmWhyIndent)
		}
	}
	seq.Content = p.children(base)
	return seq
}

// value reads what follows the ':' of a key (inMap) or the '-' of a sequence
// entry, at j, in a collection whose entries are in column col. On return
// the parser is at the next content line.
func (p *fmParser) value(j, col int, inMap bool) *yaml.Node {
	s := p.src
	line, markCol := p.line, j-p.lineStart
	i := j
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if !fmBreakOrEnd(s, i) {
		if !inMap && p.isKey(i) {
			return p.mapping(i, i-p.lineStart)
		}
		return p.scalar(i, col)
	}
	// Nothing more on this line: the value is on the next lines, or empty.
	p.next(i)
	if !p.eof {
		at := p.lineStart + p.indent
		if p.indent > col {
			if !inMap {
				return p.fail(fmWhyNested)
			}
			if fmIsEntry(s, at) {
				return p.sequence(at, p.indent, false)
			}
			if p.isKey(at) {
				return p.mapping(at, p.indent)
			}
			return p.scalar(at, col)
		}
		if inMap && p.indent == col && fmIsEntry(s, at) {
			return p.sequence(at, col, true)
		}
	}
	return p.node(yaml.ScalarNode, "!!null", line, markCol)
}

// scalar reads the scalar or empty flow collection starting at i; col is
// the column of the entries of the enclosing collection, which continuation
// lines of a plain scalar must be indented past.
func (p *fmParser) scalar(i, col int) *yaml.Node {
	s := p.src
	switch s[i] {
	case '\'', '"':
		return p.quoted(i)
	case '[', '{':
		kind, tag, end := yaml.SequenceNode, "!!seq", byte(']')
		if s[i] == '{' {
			kind, tag, end = yaml.MappingNode, "!!map", '}'
		}
		if i+1 >= len(s) || s[i+1] != end {
			return p.fail(fmWhyFlow)
		}
		n := p.node(kind, tag, p.line, i-p.lineStart)
		n.Style = yaml.FlowStyle
		if !p.endLine(i + 2) {
			return nil
		}
		return n
	case '|', '>':
		return p.block(i, col)
	case '&', '*', '!':
		return p.fail(fmWhyAnchor)
	case '#':
		return p.fail(fmWhyComment)
	case '-':
		if fmBlankOrEnd(s, i+1) {
			return p.fail(fmWhyNested)
		}
	case '?', ':', ',', ']', '}', '%', '@', '`':
		return p.fail(fmWhyIndicator)
	}
	return p.plain(i, col)
}

// plainLine scans the plain scalar text from i to the end of its line. It
// returns where the text ends (trailing spaces excluded) and where the line
// ends, or -1 when the text holds something that would end the scalar.
func (p *fmParser) plainLine(i int) (end, le int) {
	s := p.src
	end = i
	for j := i; j < len(s); j++ {
		for j < len(s) && !fmPlainStop[s[j]] {
			j++
		}
		if j > i && s[j-1] != ' ' {
			end = j
		}
		if j >= len(s) {
			break
		}
		switch s[j] {
		case '\n', '\r':
			return end, j
		case ':':
			if fmBlankOrEnd(s, j+1) {
				p.fail(fmWhyColon)
				return -1, -1
			}
			end = j + 1
		case '#':
			if j == i || s[j-1] == ' ' {
				p.fail(fmWhyComment)
				return -1, -1
			}
			end = j + 1
		}
	}
	return end, len(s)
}

// fmPlainStop marks the bytes plainLine looks at.
var fmPlainStop = func() (t [256]bool) {
	t['\n'], t['\r'], t[' '], t[':'], t['#'] = true, true, true, true, true
	return t
}()

// plain reads a plain scalar starting at i: its continuation lines are those
// indented past col; they are folded as yaml.v3 folds them.
func (p *fmParser) plain(i, col int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "", p.line, i-p.lineStart)
	end, le := p.plainLine(i)
	if end < 0 {
		return nil
	}
	line := p.line
	p.next(le)
	if p.eof || p.indent <= col {
		n.Value = p.src[i:end]
		n.Tag = fmResolve(n.Value)
		return n
	}
	start := len(p.buf)
	b := append(p.buf, p.src[i:end]...)
	for !p.eof && p.indent > col {
		if gap := p.line - line - 1; gap == 0 {
			b = append(b, ' ')
		} else {
			for ; gap > 0; gap-- {
				b = append(b, '\n')
			}
		}
		i = p.lineStart + p.indent
		end, le = p.plainLine(i)
		if end < 0 {
			return nil
		}
		b = append(b, p.src[i:end]...)
		line = p.line
		p.next(le)
	}
	p.buf = b
	p.built = append(p.built, fmBuiltNode{n, start, len(b), true})
	return n
}

// block reads a literal (|) or folded (>) block scalar whose indicator is at
// i, as yaml.v3's scanner does; col is the column of the entries of the
// enclosing collection, past which the content must be indented.
func (p *fmParser) block(i, col int) *yaml.Node {
	s := p.src
	literal := s[i] == '|'
	n := p.node(yaml.ScalarNode, "!!str", p.line, i-p.lineStart)
	n.Style = yaml.FoldedStyle
	if literal {
		n.Style = yaml.LiteralStyle
	}
	j := i + 1
	chomp := 0
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		chomp = 1
		if s[j] == '-' {
			chomp = -1
		}
		j++
	}
	if j < len(s) && '0' <= s[j] && s[j] <= '9' {
		return p.fail(fmWhyBlockHeader)
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if !fmBreakOrEnd(s, j) {
		return p.fail(fmWhyBlockHeader)
	}
	ls := j // start of the current line
	if j < len(s) {
		j = p.skipBreak(j)
		ls = j
	}
	// breaks eats the indentation (up to indent, or all of it while the
	// indentation is not known) and the empty lines before the next line
	// of content, counting them.
	indent, trailing := 0, 0
	breaks := func() {
		maxIndent := 0
		for {
			k := j
			for (indent == 0 || k-ls < indent) && k < len(s) && s[k] == ' ' {
				k++
			}
			maxIndent = max(maxIndent, k-ls)
			j = k
			if k >= len(s) || s[k] != '\n' && s[k] != '\r' {
				break
			}
			trailing++
			j = p.skipBreak(k)
			ls = j
		}
		if indent == 0 {
			indent = max(maxIndent, col+1)
		}
	}
	breaks()
	start := len(p.buf)
	b := p.buf
	leadingBreak, leadingBlank := false, false
	for j-ls == indent && j < len(s) {
		trailingBlank := s[j] == ' '
		if !literal && !leadingBlank && !trailingBlank && leadingBreak {
			if trailing == 0 {
				b = append(b, ' ')
			}
		} else if leadingBreak {
			b = append(b, '\n')
		}
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
		leadingBlank = trailingBlank
		e := j
		for e < len(s) && s[e] != '\n' && s[e] != '\r' {
			e++
		}
		b = append(b, s[j:e]...)
		j, leadingBreak = e, false
		if j < len(s) {
			leadingBreak = true
			j = p.skipBreak(j)
			ls = j
		}
		breaks()
	}
	if chomp != -1 && leadingBreak {
		b = append(b, '\n')
	}
	if chomp == 1 {
		for ; trailing > 0; trailing-- {
			b = append(b, '\n')
		}
	}
	p.buf = b
	p.built = append(p.built, fmBuiltNode{n, start, len(b), false})
	if j >= len(s) {
		p.eof = true
	} else {
		p.seek(ls)
	}
	return n
}

// skipBreak returns the offset after the line break at i, counting the line.
func (p *fmParser) skipBreak(i int) int {
	if p.src[i] == '\r' {
		i++
	}
	p.line++
	return i + 1
}

// quoted reads a single- or double-quoted scalar starting at i.
func (p *fmParser) quoted(i int) *yaml.Node {
	s := p.src
	q := s[i]
	n := p.node(yaml.ScalarNode, "!!str", p.line, i-p.lineStart)
	if q == '\'' {
		n.Style = yaml.SingleQuotedStyle
	} else {
		n.Style = yaml.DoubleQuotedStyle
	}
	// The usual case: one line, nothing to fmUnescape.
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c == q {
			if q == '\'' && j+1 < len(s) && s[j+1] == '\'' {
				break
			}
			n.Value = s[i+1 : j]
			if !p.endLine(j + 1) {
				return nil
			}
			return n
		}
		if c == '\n' || c == '\r' || c == '\\' && q == '"' {
			break
		}
	}
	start := len(p.buf)
	j, ok := p.quotedSlow(i+1, q)
	if !ok {
		return nil
	}
	p.built = append(p.built, fmBuiltNode{n, start, len(p.buf), false})
	if !p.endLine(j) {
		return nil
	}
	return n
}

// quotedSlow unescapes and folds a quoted scalar whose text starts at i into
// p.buf, as yaml.v3's scanner does; it returns the offset after the closing
// quote.
func (p *fmParser) quotedSlow(i int, q byte) (int, bool) {
	s := p.src
	b := p.buf
	for {
		if i >= len(s) {
			p.fail(fmWhyUnclosed)
			return 0, false
		}
		leadingBlanks := false
		// Non-blank characters.
		for i < len(s) {
			c := s[i]
			if c == ' ' || c == '\n' || c == '\r' {
				break
			}
			if q == '\'' {
				if c == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b = append(b, '\'')
						i += 2
						continue
					}
					break
				}
			} else if c == '"' {
				break
			} else if c == '\\' {
				if i+1 < len(s) && (s[i+1] == '\n' || s[i+1] == '\r') {
					// An escaped line break: the lines join without a space.
					i++
					if s[i] == '\r' {
						i++
					}
					i++
					p.line++
					p.lineStart = i
					leadingBlanks = true
					break
				}
				var ok bool
				if b, i, ok = fmUnescape(b, s, i); !ok {
					p.fail(fmWhyEscape)
					return 0, false
				}
				continue
			}
			b = append(b, c)
			i++
		}
		if i < len(s) && s[i] == q {
			break
		}
		// Blanks and line breaks.
		spaces, leadingBreak, trailing := 0, false, 0
		for i < len(s) {
			c := s[i]
			if c == ' ' {
				if !leadingBlanks {
					spaces++
				}
				i++
				continue
			}
			if c != '\n' && c != '\r' {
				break
			}
			if !leadingBlanks {
				spaces, leadingBreak, leadingBlanks = 0, true, true
			} else {
				trailing++
			}
			if c == '\r' {
				i++
			}
			i++
			p.line++
			p.lineStart = i
		}
		switch {
		case leadingBlanks && leadingBreak && trailing == 0:
			b = append(b, ' ')
		case leadingBlanks:
			for ; trailing > 0; trailing-- {
				b = append(b, '\n')
			}
		default:
			for ; spaces > 0; spaces-- {
				b = append(b, ' ')
			}
		}
	}
	p.buf = b
	return i + 1, true
}

// fmUnescape appends the character of the escape sequence at s[i] ('\\') to b,
// as yaml.v3 decodes it, and returns the offset after the sequence.
func fmUnescape(b []byte, s string, i int) ([]byte, int, bool) {
	if i+1 >= len(s) {
		return b, i, false
	}
	var r rune
	digits := 0
	switch s[i+1] {
	case '0':
		r = 0
	case 'a':
		r = '\a'
	case 'b':
		r = '\b'
	case 't':
		r = '\t'
	case 'n':
		r = '\n'
	case 'v':
		r = '\v'
	case 'f':
		r = '\f'
	case 'r':
		r = '\r'
	case 'e':
		r = 0x1b
	case ' ', '"', '\'', '\\':
		r = rune(s[i+1])
	case 'N':
		r = 0x85
	case '_':
		r = 0xa0
	case 'L':
		r = 0x2028
	case 'P':
		r = 0x2029
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return b, i, false
	}
	i += 2
	if digits > 0 {
		if i+digits > len(s) {
			return b, i, false
		}
		v := 0
		for k := 0; k < digits; k++ {
			c := s[i+k]
			switch {
			case '0' <= c && c <= '9':
				v = v<<4 + int(c-'0')
			case 'a' <= c && c <= 'f':
				v = v<<4 + int(c-'a'+10)
			case 'A' <= c && c <= 'F':
				v = v<<4 + int(c-'A'+10)
			default:
				return b, i, false
			}
		}
		if v >= 0xd800 && v <= 0xdfff || v > 0x10ffff {
			return b, i, false
		}
		r = rune(v)
		i += digits
	}
	return utf8.AppendRune(b, r), i, true
}

// fmHint is yaml.v3's resolve table: what the first byte of a plain scalar
// says it might be.
var fmHint = func() (t [256]byte) {
	t['+'], t['-'] = 'S', 'S'
	for c := '0'; c <= '9'; c++ {
		t[c] = 'D'
	}
	for _, c := range "yYnNtTfFoO~" {
		t[c] = 'M'
	}
	t['<'] = 'M'
	t['.'] = '.'
	return t
}()

// fmFloatChar marks the bytes strconv.ParseFloat accepts after a leading '.'.
var fmFloatChar = func() (t [256]bool) {
	for _, c := range "0123456789eE+-._" {
		t[c] = true
	}
	return t
}()

// fmMaybeNumber reports whether s, a plain scalar without underscores that
// starts with a digit or a sign, might be read as a number by the strconv
// calls of yaml.v3's resolve. It only rules out what none of them accepts,
// so that common strings like UUIDs skip the calls, and their errors'
// allocations: a number is a hex, octal or binary integer after its prefix,
// or digits and dots with an optional exponent.
func fmMaybeNumber(s string) bool {
	i := 0
	if s[0] == '+' || s[0] == '-' {
		i = 1
	}
	if i+1 < len(s) && s[i] == '0' {
		switch s[i+1] {
		case 'x', 'X':
			for _, c := range []byte(s[i+2:]) {
				if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
					return false
				}
			}
			return true
		case 'b', 'B', 'o', 'O':
			i += 2
			if i < len(s) && (s[i] == '+' || s[i] == '-') {
				i++
			}
			for ; i < len(s); i++ {
				if s[i] < '0' || s[i] > '9' {
					return false
				}
			}
			return true
		}
	}
	for ; i < len(s) && ('0' <= s[i] && s[i] <= '9' || s[i] == '.'); i++ {
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		for ; i < len(s) && '0' <= s[i] && s[i] <= '9'; i++ {
		}
	}
	return i == len(s)
}

// fmYAMLFloat is yaml.v3's pattern of a float.
var fmYAMLFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// fmResolve returns the tag yaml.v3 gives the plain scalar s: its resolve
// rules, without building the value.
func fmResolve(s string) string {
	if s == "" {
		return "!!null"
	}
	hint := fmHint[s[0]]
	if hint == 0 {
		return "!!str"
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case "~", "null", "Null", "NULL":
		return "!!null"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	case "<<":
		return "!!merge"
	}
	switch hint {
	case 'M':
		return "!!str"
	case '.':
		for i := 0; i < len(s); i++ {
			if !fmFloatChar[s[i]] {
				return "!!str"
			}
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
		return "!!str"
	}
	if fmTimestamp(s) {
		return "!!timestamp"
	}
	plain := s
	if strings.IndexByte(s, '_') >= 0 {
		plain = strings.ReplaceAll(s, "_", "")
	}
	if !fmMaybeNumber(plain) {
		return "!!str"
	}
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return "!!int"
	}
	if fmYAMLFloat.MatchString(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return "!!float"
		}
	}
	for _, p := range [...]struct {
		prefix string
		base   int
	}{{"0b", 2}, {"0o", 8}} {
		if strings.HasPrefix(plain, p.prefix) {
			if _, err := strconv.ParseInt(plain[2:], p.base, 64); err == nil {
				return "!!int"
			}
			if _, err := strconv.ParseUint(plain[2:], p.base, 64); err == nil {
				return "!!int"
			}
		} else if strings.HasPrefix(plain, "-"+p.prefix) {
			if _, err := strconv.ParseInt("-"+plain[3:], p.base, 64); err == nil {
				return "!!int"
			}
		}
	}
	return "!!str"
}

// fmTimestampLayouts are yaml.v3's timestamp formats, the date alone first
// (only whether one matches matters).
var fmTimestampLayouts = []string{
	"2006-1-2",
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
}

// fmTimestamp reports whether yaml.v3 reads the plain scalar s as a timestamp.
func fmTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range fmTimestampLayouts {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
