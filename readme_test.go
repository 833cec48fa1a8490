package curafeed

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	goBlock = regexp.MustCompile("(?s)\n```go\n(.*?)\n```\n")
	blanks  = regexp.MustCompile(`[ \t]+`)
)

// normalizeGo trims each line of src and collapses its runs of blanks, so
// that gofmt's indentation and alignment do not matter.
func normalizeGo(src string) string {
	var b strings.Builder
	for _, line := range strings.Split(src, "\n") {
		b.WriteString(blanks.ReplaceAllString(strings.TrimSpace(line), " ") + "\n")
	}
	return b.String()
}

// TestREADMEBlocks requires every Go block of README.md to be compiled by
// go test: each must be, line for line, in readme_example_test.go (which
// gofmt indents and aligns).
func TestREADMEBlocks(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("readme_example_test.go")
	require.NoError(t, err)
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, blocks)
	code := normalizeGo(string(src))
	for _, b := range blocks {
		assert.Contains(t, code, normalizeGo(b[1]), "a README block that go test does not compile:\n%s", b[1])
	}
}
