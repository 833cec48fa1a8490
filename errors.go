package curafeed

import (
	"fmt"
	"sort"
	"strings"
)

// RecordError is a problem with one record file. It is formatted as
// "path:line: field: cause" (line and field are left out when unknown), so
// editors and CI logs can link to it.
type RecordError struct {
	Path  string // the file's path within the records file system
	Line  int    // 1-based line in the file, or 0 when unknown
	Field string // the front-matter field at fault, or "" for the whole record
	Err   error  // the cause
}

// Error implements the error interface.
func (e *RecordError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// ErrorList is a list of record errors, sorted by path, then line, then
// field. The zero value is an empty list.
type ErrorList []*RecordError

// add appends a record error.
func (l *ErrorList) add(path string, line int, field string, err error) {
	*l = append(*l, &RecordError{Path: path, Line: line, Field: field, Err: err})
}

// sortByPlace orders the list by path, then line, then field.
func (l ErrorList) sortByPlace() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Field < b.Field
	})
}

// Error implements the error interface: the first error, and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
