package curafeed

import (
	"encoding/xml"
	"io"
	"time"
)

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title        string `xml:"title"`
	DateModified string `xml:"dateModified,omitempty"`
	OwnerName    string `xml:"ownerName,omitempty"`
}

type opmlBody struct {
	Outlines []*opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text     string         `xml:"text,attr"`
	Title    string         `xml:"title,attr,omitempty"`
	Type     string         `xml:"type,attr,omitempty"`
	Version  string         `xml:"version,attr,omitempty"`
	XMLURL   string         `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string         `xml:"htmlUrl,attr,omitempty"`
	Outlines []*opmlOutline `xml:"outline"`
}

var opmlGroups = [...]string{
	kindAll:            "All",
	kindCommunity:      "Communities",
	kindTopic:          "Topics",
	kindCommunityTopic: "Community topics",
}

// WriteOPML writes an OPML 2.0 subscription list of every feed of the
// catalog (their RSS URLs), grouped by kind: all, communities, topics, and
// community topics.
func (c *Catalog) WriteOPML(w io.Writer) error {
	if c == nil || w == nil {
		return errNilCatalog
	}
	return writeXML(w, c.opmlDocument())
}

// opmlDocument is what WriteOPML writes.
func (c *Catalog) opmlDocument() *opmlDoc {
	doc := &opmlDoc{Version: "2.0", Head: opmlHead{
		Title:     "Feeds of " + c.cfg.Title,
		OwnerName: c.cfg.Title,
	}}
	var newest time.Time
	groups := map[feedKind]*opmlOutline{}
	for _, f := range c.Feeds {
		if f.Updated.After(newest) {
			newest = f.Updated
		}
		g := groups[f.kind]
		if g == nil {
			g = &opmlOutline{Text: opmlGroups[f.kind]}
			groups[f.kind] = g
			doc.Body.Outlines = append(doc.Body.Outlines, g)
		}
		g.Outlines = append(g.Outlines, &opmlOutline{
			Text: f.Title, Title: f.Title, Type: "rss", Version: "RSS2",
			XMLURL: f.URL(RSS), HTMLURL: f.HomeURL,
		})
	}
	if !newest.IsZero() {
		doc.Head.DateModified = rfc822(newest)
	}
	return doc
}

// opmlModel is an OPML document as the model of index.opml.
type opmlModel opmlDoc

func (d *opmlModel) write(w io.Writer) error { return writeXML(w, (*opmlDoc)(d)) }

// key fingerprints everything the document's bytes are made of.
func (d *opmlModel) key() uint64 {
	var k keyHash
	k.str(cacheVersion, d.Version, d.Head.Title, d.Head.DateModified, d.Head.OwnerName)
	var outlines func([]*opmlOutline)
	outlines = func(list []*opmlOutline) {
		k.num(uint64(len(list)))
		for _, o := range list {
			k.str(o.Text, o.Title, o.Type, o.Version, o.XMLURL, o.HTMLURL)
			outlines(o.Outlines)
		}
	}
	outlines(d.Body.Outlines)
	return k.sum
}
