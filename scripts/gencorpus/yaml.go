package main

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The front matter is written the way the exports write it: PyYAML's
// safe_dump(default_flow_style=False, allow_unicode=True) with its default
// width of 80. That means sorted keys (the callers write them in order),
// sequences not indented under their key, empty sequences as [], plain
// scalars where YAML 1.1 would read them back as the same string, single
// quotes otherwise, double quotes only for characters that must be escaped,
// and long scalars folded at a single space once the line has passed column
// 80, continuing two columns deeper than their key.

const yamlWidth = 80

type yamlWriter struct {
	b []byte
}

func (w *yamlWriter) indent(n int) {
	for range n {
		w.b = append(w.b, ' ')
	}
}

// str writes "key: value" at the given indent.
func (w *yamlWriter) str(indent int, key, value string) {
	w.indent(indent)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.scalar(value, indent+len(key)+2, indent+2)
	w.b = append(w.b, '\n')
}

// raw writes "key: value" with value already in YAML form (numbers, booleans).
func (w *yamlWriter) raw(indent int, key, value string) {
	w.indent(indent)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = append(w.b, value...)
	w.b = append(w.b, '\n')
}

// open writes "key:" for a nested mapping or sequence.
func (w *yamlWriter) open(indent int, key string) {
	w.indent(indent)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', '\n')
}

// seq writes a block sequence of strings at the key's own indent.
func (w *yamlWriter) seq(indent int, key string, values []string) {
	if len(values) == 0 {
		w.raw(indent, key, "[]")
		return
	}
	w.open(indent, key)
	for _, v := range values {
		w.indent(indent)
		w.b = append(w.b, '-', ' ')
		w.scalar(v, indent+2, indent+2)
		w.b = append(w.b, '\n')
	}
}

// seqInts writes a block sequence of integers.
func (w *yamlWriter) seqInts(indent int, key string, values ...int) {
	w.open(indent, key)
	for _, v := range values {
		w.indent(indent)
		w.b = append(w.b, '-', ' ')
		w.b = strconv.AppendInt(w.b, int64(v), 10)
		w.b = append(w.b, '\n')
	}
}

// scalar writes s starting at column col; folded lines start at column cont.
func (w *yamlWriter) scalar(s string, col, cont int) {
	switch scalarStyle(s) {
	case stylePlain:
		w.plain(s, col, cont)
	case styleSingle:
		w.single(s, col, cont)
	default:
		w.double(s, col, cont)
	}
}

const (
	stylePlain = iota
	styleSingle
	styleDouble
)

func isBreakOrSpace(r rune) bool {
	switch r {
	case 0, ' ', '\t', '\r', '\n', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

func isLineBreak(r rune) bool {
	return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// printableUnicode reports whether r may appear unescaped with allow_unicode.
func printableUnicode(r rune) bool {
	return r == 0x85 || (r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r < 0x10FFFF)
}

// scalarStyle chooses the style PyYAML's emitter chooses for a string in
// block context.
func scalarStyle(s string) int {
	if s == "" {
		return styleSingle // '' would read back as null
	}
	blockIndicators := strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...")
	special, breaks := false, false
	rs := []rune(s)
	preceded := true
	for i, r := range rs {
		followed := i+1 >= len(rs) || isBreakOrSpace(rs[i+1])
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", r) {
				blockIndicators = true
			}
			if (r == '?' || r == ':' || r == '-') && followed {
				blockIndicators = true
			}
		} else {
			if r == ':' && followed {
				blockIndicators = true
			}
			if r == '#' && preceded {
				blockIndicators = true
			}
		}
		if isLineBreak(r) {
			breaks = true
		}
		if !(r == '\n' || (r >= 0x20 && r <= 0x7E)) && (!printableUnicode(r) || r == 0xFEFF) {
			special = true
		}
		preceded = isBreakOrSpace(r)
	}
	if special || breaks {
		return styleDouble
	}
	if rs[0] == ' ' || rs[len(rs)-1] == ' ' || blockIndicators || !readsAsString(s) {
		return styleSingle
	}
	return stylePlain
}

// The YAML 1.1 implicit types of PyYAML's resolver: a plain scalar matching
// one of them would not read back as a string.
var (
	reBool      = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reNull      = regexp.MustCompile(`^(?:~|null|Null|NULL)$`)
	reInt       = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	reFloat     = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reTimestamp = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)
)

func readsAsString(s string) bool {
	switch c := s[0]; {
	case c == '<' || c == '=':
		return s != "<<" && s != "="
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		return !reBool.MatchString(s) && !reNull.MatchString(s)
	case strings.IndexByte("+-.0123456789", c) >= 0:
		return !reInt.MatchString(s) && !reFloat.MatchString(s) && !reTimestamp.MatchString(s)
	}
	return true
}

// plain writes a plain scalar, breaking at a single space once col > 80.
func (w *yamlWriter) plain(s string, col, cont int) {
	for i := 0; i < len(s); {
		if s[i] == ' ' {
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j-i == 1 && col > yamlWidth && j < len(s) {
				w.b = append(w.b, '\n')
				w.indent(cont)
				col = cont
			} else {
				w.b = append(w.b, s[i:j]...)
				col += j - i
			}
			i = j
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		w.b = append(w.b, s[i:j]...)
		col += utf8.RuneCountInString(s[i:j])
		i = j
	}
}

// single writes a single-quoted scalar; a single space inside it (not first
// or last) is a fold point once col > 80.
func (w *yamlWriter) single(s string, col, cont int) {
	w.b = append(w.b, '\'')
	col++
	for i := 0; i < len(s); {
		switch s[i] {
		case ' ':
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j-i == 1 && col > yamlWidth && i != 0 && j != len(s) {
				w.b = append(w.b, '\n')
				w.indent(cont)
				col = cont
			} else {
				w.b = append(w.b, s[i:j]...)
				col += j - i
			}
			i = j
		case '\'':
			w.b = append(w.b, '\'', '\'')
			col += 2
			i++
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\'' {
				j++
			}
			w.b = append(w.b, s[i:j]...)
			col += utf8.RuneCountInString(s[i:j])
			i = j
		}
	}
	w.b = append(w.b, '\'')
}

var yamlEscapes = map[rune]string{
	0: `\0`, 0x07: `\a`, 0x08: `\b`, 0x09: `\t`, 0x0A: `\n`, 0x0B: `\v`, 0x0C: `\f`, 0x0D: `\r`,
	0x1B: `\e`, '"': `\"`, '\\': `\\`, 0x85: `\N`, 0xA0: `\_`, 0x2028: `\L`, 0x2029: `\P`,
}

func yamlEscape(r rune) string {
	if e, ok := yamlEscapes[r]; ok {
		return e
	}
	const hex = "0123456789ABCDEF"
	var n int
	var b []byte
	switch {
	case r <= 0xFF:
		b, n = []byte(`\x`), 2
	case r <= 0xFFFF:
		b, n = []byte(`\u`), 4
	default:
		b, n = []byte(`\U`), 8
	}
	for k := n - 1; k >= 0; k-- {
		b = append(b, hex[(r>>(4*k))&0xF])
	}
	return string(b)
}

// double writes a double-quoted scalar the way PyYAML does: escapes for
// what cannot be written as is, and folds that end a line with a backslash
// (and start the next with "\ " when the fold falls before a space).
func (w *yamlWriter) double(s string, col, cont int) {
	rs := []rune(s)
	n := len(rs)
	w.b = append(w.b, '"')
	col++
	start := 0
	for end := 0; end <= n; end++ {
		ch := rune(-1)
		if end < n {
			ch = rs[end]
		}
		if ch == -1 || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF ||
			!((ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)) {
			if start < end {
				w.b = append(w.b, string(rs[start:end])...)
				col += end - start
				start = end
			}
			if ch != -1 {
				e := yamlEscape(ch)
				w.b = append(w.b, e...)
				col += len(e)
				start = end + 1
			}
		}
		if end > 0 && end < n-1 && (ch == ' ' || start >= end) && col+max(end-start, 0) > yamlWidth {
			if start < end {
				w.b = append(w.b, string(rs[start:end])...)
				col += end - start
				start = end
			}
			w.b = append(w.b, '\\', '\n')
			w.indent(cont)
			col = cont
			if rs[start] == ' ' {
				w.b = append(w.b, '\\')
				col++
			}
		}
	}
	w.b = append(w.b, '"')
}
