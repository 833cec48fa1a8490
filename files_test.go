package curafeed

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateFile: createFile makes a new file with the bytes, never
// replaces one, and renameFile replaces a file but not a folder.
func TestCreateFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.xml")
	data := make([]byte, 3<<20) // more than one write may take
	for i := range data {
		data[i] = byte(i % 251)
	}
	require.NoError(t, createFile(p, data))
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	err = createFile(p, []byte("other"))
	assert.ErrorIs(t, err, fs.ErrExist)
	got, _ = os.ReadFile(p)
	assert.Equal(t, data, got, "an existing file is left alone")

	err = createFile(filepath.Join(dir, "missing", "b.xml"), []byte("x"))
	assert.ErrorIs(t, err, fs.ErrNotExist)

	q := filepath.Join(dir, "b.xml")
	require.NoError(t, createFile(q, []byte("new")))
	require.NoError(t, renameFile(q, p))
	got, _ = os.ReadFile(p)
	assert.Equal(t, "new", string(got))
	_, err = os.Stat(q)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.MkdirAll(filepath.Join(sub, "x"), 0o755))
	assert.Error(t, renameFile(p, sub), "a folder is not replaced")
	_, err = os.Stat(filepath.Join(sub, "x"))
	assert.NoError(t, err)
}
