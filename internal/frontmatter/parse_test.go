package frontmatter

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestParse checks how Parse splits a record file: where the front matter
// starts and ends, what the body is, and which reader read it.
func TestParse(t *testing.T) {
	const minimal = "---\ntitle: A title\ndate: 2021-02-03\n---\nBody text.\n"
	for _, tc := range []struct {
		name, src   string
		front, body string
		line        int
		fast        bool
	}{
		{"plain", minimal, "title: A title\ndate: 2021-02-03\n", "Body text.\n", 2, true},
		{"bom", "\ufeff" + minimal, "title: A title\ndate: 2021-02-03\n", "Body text.\n", 2, true},
		{"crlf", strings.ReplaceAll(minimal, "\n", "\r\n"), "title: A title\r\ndate: 2021-02-03\r\n", "Body text.\r\n", 2, true},
		{"trailing spaces on the fences", "---  \ntitle: x\n--- \t\nbody", "title: x\n", "body", 2, true},
		{"dots end", "---\ntitle: x\n...\nbody\n", "title: x\n", "body\n", 2, true},
		{"blank lines first", "\n  \r\n---\ntitle: x\n---\n", "title: x\n", "", 4, true},
		{"no body", "---\ntitle: x\n---", "title: x\n", "", 2, true},
		{"empty front matter", "---\n---\nbody\n", "", "body\n", 2, false},
		{"a rule in the body", "---\ntitle: x\n---\na\n---\nb\n", "title: x\n", "a\n---\nb\n", 2, true},
		{"anchors go to yaml.v3", "---\na: &x 1\nb: *x\n---\n", "a: &x 1\nb: *x\n", "", 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.src))
			require.NoError(t, err)
			assert.Equal(t, tc.front, string(d.Front))
			assert.Equal(t, tc.body, string(d.Body))
			assert.Equal(t, tc.line, d.Line)
			assert.Equal(t, tc.fast, d.Fast)
			assert.False(t, d.Cleaned)
			require.NotNil(t, d.Node)
			if tc.front != "" {
				assert.Equal(t, yaml.DocumentNode, d.Node.Kind)
			}
			want, err := fmYAMLNode(d.Front)
			require.NoError(t, err)
			requireSameNode(t, want, d.Node)
		})
	}
}

// TestParseErrors checks the kind, line and wording of every problem Parse
// reports, which curafeed passes on to its users as they are.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		kind      Kind
		line      int
		text      string
	}{
		{"empty", "", NotRecord, 0, "empty file"},
		{"blank", " \n\r\n\t\n", NotRecord, 0, "empty file"},
		{"text", "Just some text, no front matter.\n", NotRecord, 0, "no front matter"},
		{"rule after text", "Text, then a rule:\n---\nmore text\n", NotRecord, 0, "no front matter"},
		{"setext heading", "Heading\n----\ntext\n", NotRecord, 0, "no front matter"},
		{"utf-16", "\xff\xfe-\x00-\x00-\x00\n\x00", NotText, 0, "encoded as UTF-16 or UTF-32: records must be UTF-8"},
		{"utf-16 big-endian", "\xfe\xff\x00-\x00-\x00-\x00\n", NotText, 0, "encoded as UTF-16 or UTF-32: records must be UTF-8"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NotText, 0, "not UTF-8 text: a record file must be Markdown with front matter"},
		{"invalid UTF-8", "caf\xe9 au lait\n", NotText, 0, "not UTF-8 text: a record file must be Markdown with front matter"},
		{"unclosed", "---\ntitle: x\ndate: 2021-01-01\n", BadFence, 1, "opened on line 1 and never closed (no --- or ... line ends it)"},
		{"unclosed after blank lines", "\n \n---\ntitle: x\n", BadFence, 3, "opened on line 3 and never closed (no --- or ... line ends it)"},
		{"only a fence", "---", BadFence, 1, "opened on line 1 and never closed"},
		{"bom and unclosed", "\ufeff---\r\ntitle: x\r\n", BadFence, 1, "never closed"},
		{"garbage after the fence", "---\n\x00\xff\xfe garbage", BadFence, 1, "never closed"},
		{"fence with text", "--- title: x\ndate: 2021-01-01\n---\n", BadFence, 1, "the opening --- must be alone on its line"},
		{"toml", "+++\ntitle = 'x'\n+++\n", BadFence, 1, "TOML front matter (+++) is not supported: write it in YAML between --- lines"},
		{"broken yaml", "---\ntitle: x\ndate: 2021-01-01\ndescription: 'unclosed\n---\n", BadYAML, 4, "invalid YAML: found unexpected end of stream"},
		{"bad indentation", "\n---\ntitle: x\n  date: 2021-01-01\n---\n", BadYAML, 4, "invalid YAML: mapping values are not allowed in this context"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.src))
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%T", err)
			assert.Equal(t, tc.kind, e.Kind, err.Error())
			assert.Equal(t, tc.line, e.Line, err.Error())
			assert.Contains(t, err.Error(), tc.text)
			assert.NotContains(t, err.Error(), "yaml:", "yaml.v3's prefix is dropped")
			assert.Nil(t, d.Node)
			if tc.kind == BadYAML {
				assert.NotZero(t, d.Line, "a front matter that is not YAML still has its place")
				assert.NotEmpty(t, d.Front)
			}
		})
	}
	_, err := Parse(nil)
	assert.ErrorIs(t, err, ErrEmpty)
	_, err = Parse([]byte("text\n"))
	assert.ErrorIs(t, err, ErrNoFrontMatter)
}

// TestParseCleans checks that front matter with characters YAML refuses is
// cleaned, not rejected, and says so, also when it is then not valid YAML.
func TestParseCleans(t *testing.T) {
	d, err := Parse([]byte("---\ntitle: Beckerâ€™s\x01 list\u2028x\ndate: 2021-01-01\n---\nbody\n"))
	require.NoError(t, err)
	assert.True(t, d.Cleaned)
	assert.Equal(t, "title: Becker’s list x\ndate: 2021-01-01\n", string(d.Front))
	assert.Equal(t, "Becker’s list x", d.Node.Content[0].Content[1].Value)
	assert.Equal(t, "body\n", string(d.Body))

	d, err = Parse([]byte("---\ntitle: 'x\x7f\n---\n"))
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, BadYAML, e.Kind)
	assert.True(t, d.Cleaned, "the warning is not lost with the error")
}
