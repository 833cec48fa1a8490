package main

import (
	"bytes"
	"fmt"
	"os"
)

// titleEdit is a record file whose title the cached-rebuild rounds change.
type titleEdit struct {
	path string
	orig []byte // the file as generated
	at   int    // offset in orig where the title's text starts
}

// editMarker is the text a rebuild round puts at the start of a title.
func editMarker(round int) string {
	return fmt.Sprintf("Edited in round %d ", round)
}

// edited returns the record with the marker of round in front of its title.
func (e titleEdit) edited(round int) []byte {
	m := editMarker(round)
	out := make([]byte, 0, len(e.orig)+len(m))
	out = append(out, e.orig[:e.at]...)
	out = append(out, m...)
	return append(out, e.orig[e.at:]...)
}

// titleOffset returns where the text of the front matter's top-level title
// starts: just after "title: " for a plain scalar, just inside the quote for
// a quoted one. It reports false when the record has no front matter, no
// title, or a title the marker cannot be put in front of safely (a block
// scalar, an empty value, an anchor, alias or tag).
func titleOffset(data []byte) (int, bool) {
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return 0, false
	}
	pos := 4
	for pos < len(data) {
		end := bytes.IndexByte(data[pos:], '\n')
		if end < 0 {
			return 0, false
		}
		line := data[pos : pos+end]
		if string(line) == "---" || string(line) == "..." {
			return 0, false
		}
		if v, ok := bytes.CutPrefix(line, []byte("title:")); ok {
			trimmed := bytes.TrimLeft(v, " ")
			at := pos + len("title:") + len(v) - len(trimmed)
			if len(v) == len(trimmed) || len(trimmed) == 0 {
				return 0, false // "title:x" is not a key; an empty value continues below
			}
			switch trimmed[0] {
			case '\'', '"':
				return at + 1, true
			case '|', '>', '&', '*', '!', '#', '{', '[':
				return 0, false
			}
			return at, true
		}
		pos += end + 1
	}
	return 0, false
}

// pickEdits chooses n of the sorted record files, spread evenly over the
// list, each the first file at or after its place whose title can be edited.
// The choice depends only on the files, so every run edits the same records.
func pickEdits(files []string, n int) ([]titleEdit, error) {
	var edits []titleEdit
	used := map[int]bool{}
	for i := 0; i < n; i++ {
		start := (2*i + 1) * len(files) / (2 * n)
		for j := start; j < len(files) && len(edits) == i; j++ {
			if used[j] {
				continue
			}
			data, err := os.ReadFile(files[j])
			if err != nil {
				return nil, err
			}
			if at, ok := titleOffset(data); ok {
				used[j] = true
				edits = append(edits, titleEdit{path: files[j], orig: data, at: at})
			}
		}
	}
	if len(edits) < n {
		return nil, fmt.Errorf("found only %d records with an editable title, want %d", len(edits), n)
	}
	return edits, nil
}
