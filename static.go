package curafeed

import (
	"bytes"
	"os"
	"path/filepath"
	"time"
)

// File is one file of a catalog's tree, as WriteDir writes it and the
// handler serves it.
type File struct {
	Path        string    // slash-separated, relative to the tree's root, e.g. all/rss.xml
	ContentType string    // media type with charset
	Body        []byte    // the bytes; callers must not modify them
	Updated     time.Time // the newest item's updated time, zero when unknown
	Feed        *Feed     // the feed this file is a format of, or nil
	Format      Format    // the feed's format, when Feed is set
}

// Files renders every file of the catalog's tree, in a stable order, and
// calls fn with each: index.opml first, then index.html (text/html) and
// feed.xsl (application/xslt+xml), then every feed in each format.
// It stops at the first error fn returns.
func (c *Catalog) Files(fn func(File) error) error {
	var buf bytes.Buffer
	if err := c.WriteOPML(&buf); err != nil {
		return err
	}
	var newest time.Time
	for _, f := range c.Feeds {
		if f.Updated.After(newest) {
			newest = f.Updated
		}
	}
	opml := File{Path: "index.opml", ContentType: "text/x-opml; charset=utf-8", Body: bytes.Clone(buf.Bytes()), Updated: newest}
	if err := fn(opml); err != nil {
		return err
	}
	if err := c.viewFiles(fn); err != nil {
		return err
	}
	fr := &fragments{}
	for _, f := range c.Feeds {
		for _, format := range Formats {
			buf.Reset()
			if err := f.write(&buf, format, fr); err != nil {
				return err
			}
			file := File{
				Path: f.Path + "/" + format.FileName(), ContentType: format.ContentType(),
				Body: bytes.Clone(buf.Bytes()), Updated: f.Updated, Feed: f, Format: format,
			}
			if err := fn(file); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteStats counts what WriteDir did.
type WriteStats struct {
	Feeds     int // feeds in the catalog
	Files     int // files the catalog consists of (feeds × formats, plus index.opml, index.html and feed.xsl)
	Written   int // files whose bytes changed and were written
	Unchanged int // files left alone because their bytes were already right
	Removed   int // feed files of an earlier build that no longer exist
}

// WriteDir writes the catalog's static tree into dir: index.opml,
// index.html and feed.xsl, and for every feed its directory with rss.xml,
// atom.xml and feed.json. Files whose bytes would not change are not
// rewritten, so their modification times stay;
// files are replaced atomically (written aside, then renamed). Feed files
// under all/, communities/ and topics/ that the catalog no longer has are
// removed; nothing else in dir is touched.
func (c *Catalog) WriteDir(dir string) (WriteStats, error) {
	tw := newTreeWriter(dir, len(c.Feeds))
	if err := c.Files(func(f File) error { return tw.put(f.Path, f.Body) }); err != nil {
		return tw.st, err
	}
	err := tw.removeStale()
	return tw.st, err
}

func writeFileAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".curafeed-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

func removeEmptyParents(top, d string) {
	for d != top && len(d) > len(top) {
		if os.Remove(d) != nil {
			return
		}
		d = filepath.Dir(d)
	}
}
