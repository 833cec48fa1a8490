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
	Feed        *Feed     // the feed or archive document this file is a format of, or nil
	Format      Format    // the feed's format, when Feed is set
	Truncated   int       // items cut to their summary to meet the size budget
	OverBudget  bool      // over the size budget even with every item cut
}

// Files renders every file of the catalog's tree, in a stable order, and
// calls fn with each: index.opml first, then index.html (text/html) and
// feed.xsl (application/xslt+xml), then every feed in each format, each
// followed by its archive documents, newest first. It stops at the first
// error fn returns.
func (c *Catalog) Files(fn func(File) error) error {
	if c == nil {
		return errNilCatalog
	}
	return c.files(fn, c.documents(), true, nil)
}

// files is Files for the documents docs only (a handler keeps the files
// of the others as it serves them already), and index.opml, index.html
// and feed.xsl when index is set. The items' encodings are kept in spill
// (see fragmentStore), or in a temporary file of their own when spill is
// nil (in memory when none can be made), and memory holds only those of
// the documents being rendered.
func (c *Catalog) files(fn func(File) error, docs []*Feed, index bool, spill *spillFile) error {
	if c == nil || fn == nil {
		return errNilCatalog
	}
	if index {
		if err := c.indexFiles(fn); err != nil {
			return err
		}
	}
	return c.renderDocs(docs, spill, true, fn)
}

// renderDocs renders docs in every format through the render stage (see
// Catalog.render), with the items' encodings in spill, or in a temporary
// file of their own when spill is nil (in memory when none can be made).
func (c *Catalog) renderDocs(docs []*Feed, spill *spillFile, ordered bool, fn func(File) error) error {
	if spill == nil {
		s, err := newBufferedSpill("")
		if err != nil {
			s = memorySpill()
		}
		defer s.close()
		spill = s
	}
	tasks := renderPlan(docs, nil)
	return c.render(tasks, newFragmentStore(spill, tasks), ordered, fn)
}

// indexFiles renders index.opml, index.html and feed.xsl.
func (c *Catalog) indexFiles(fn func(File) error) error {
	for _, f := range c.indexModels() {
		var buf bytes.Buffer
		if err := f.model.write(&buf); err != nil {
			return err
		}
		if err := fn(File{Path: f.path, ContentType: f.contentType, Body: buf.Bytes(), Updated: f.updated}); err != nil {
			return err
		}
	}
	return nil
}

// documents lists every feed, each followed by its archive documents,
// newest first.
func (c *Catalog) documents() []*Feed {
	var docs []*Feed
	for _, f := range c.Feeds {
		docs = append(docs, f.Documents()...)
	}
	return docs
}

// WriteStats counts what WriteDir did.
type WriteStats struct {
	Feeds     int // feeds in the catalog
	Archives  int // archive documents of those feeds
	Files     int // files the catalog consists of (documents × formats, plus index.opml, index.html and feed.xsl)
	Written   int // files whose bytes changed and were written
	Unchanged int // files left alone because their bytes were already right
	Removed   int // files curafeed wrote at an earlier build that the catalog no longer has, removed

	// Truncated counts the items cut to their summary, over all documents
	// and formats, to meet the size budget, in TruncatedFiles files.
	Truncated, TruncatedFiles int
	// OverBudget lists the files still over the size budget with every
	// item cut, by path.
	OverBudget []string
	// Changed lists the URLs of the current feed documents (not archives)
	// whose bytes changed: the URLs to announce to WebSub hubs, sorted.
	Changed []string

	// Foreign lists, by path and sorted, the files left alone because
	// curafeed did not write them, or they changed since it did (see
	// ManifestName): those in the place of files of the catalog (counted
	// in Files, but neither Written nor Unchanged), and those of an earlier
	// build that the catalog no longer has (not Removed).
	Foreign []string
	// Blocked lists, sorted, the feed documents of the catalog among
	// Foreign: feeds that could not be written, and are missing or stale.
	Blocked []string
}

// ManifestName is the file, in the output folder, that lists the files
// curafeed wrote there: their paths, sorted, each with the size and a
// checksum of the bytes written (CRC-32C and CRC-32; a manifest of earlier
// versions, with a CRC-64, is still read). WriteDir and BuildDir write, overwrite and
// remove only files it lists whose bytes are still those, and replace it
// (atomically, and only when it changes) at the end of every build. It
// holds no times: the same tree has the same manifest. A file of that name
// that is not such a list (a symbolic link, other contents) stops a build
// before it writes anything.
const ManifestName = "curafeed-manifest.txt"

// WriteDir writes the catalog's static tree into dir: index.opml,
// index.html and feed.xsl, and for every feed its directory with rss.xml,
// atom.xml and feed.json. Files whose bytes would not change are not
// rewritten, so their modification times stay; files are replaced
// atomically (written aside under a name no other writer uses, then
// renamed). While it writes, WriteDir (like BuildDir) holds a lock on dir,
// where the system has one (flock): a second build into the same folder
// waits for the first to end.
//
// dir may be shared with other tools (a site generator's output folder):
// only files curafeed wrote there, as its manifest (ManifestName) lists
// them, are overwritten or removed, and only while their bytes are still
// those it wrote. Any other file in the place of a file of the tree (one
// curafeed did not write, one edited since, a symbolic link, a folder) is
// left alone and listed in WriteStats.Foreign, and in WriteStats.Blocked
// when it stands for a feed document, which is then not written; so is a
// file of an earlier build that the catalog no longer has and that was
// edited since. Without a manifest (a first build, or a folder written by
// a curafeed without one) every existing file is taken for someone
// else's, except one that already holds exactly the bytes curafeed would
// write: that one is left as it is, counted Unchanged, and listed in the
// manifest as curafeed's from then on. The files of an earlier build that
// the catalog no longer has are removed when the manifest lists them and
// their bytes are unchanged; nothing else in dir is touched, nor looked at.
// Each file is named in a journal beside the manifest before it is
// written, so that the files of a build that stops midway stay known as
// curafeed's; the next build removes the temporary files that one left
// beside them.
func (c *Catalog) WriteDir(dir string) (WriteStats, error) {
	if c == nil {
		return WriteStats{}, errNilCatalog
	}
	unlock, err := lockOutput(dir)
	if err != nil {
		return WriteStats{}, err
	}
	defer unlock()
	tw, err := openTree(c, dir)
	if err != nil {
		return WriteStats{}, err
	}
	defer tw.closeJournal(false)
	err = c.indexFiles(func(f File) error { return tw.put(f.Path, f.Body) })
	if err == nil {
		err = c.renderDocs(c.documents(), nil, false, func(f File) error {
			return tw.putFeed(f.Feed, f.Format, f.Body, docStats{f.Truncated, f.OverBudget})
		})
	}
	if err == nil {
		err = tw.finish()
	}
	return tw.stats(), err
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
