// Package curafeed turns curation records into sanitized RSS 2.0, Atom 1.0
// and JSON Feed 1.1 feeds, and serves them from any Go server.
//
// A curation record is one curated article: a Markdown file with YAML front
// matter (title, dates, the curated link, community, topics, curators, an
// image) and an HTML or Markdown body. Records are untrusted. Every text
// field is cleaned (entities decoded once, mojibake repaired, control,
// bidirectional-override and non-characters removed, Unicode NFC), every body
// is rendered and sanitized against an allowlist, and every URL is checked
// and made absolute. Package [github.com/curafeed/curafeed/sanitize] does
// this cleaning, and can be used on its own.
//
// # Data flow
//
// Records flow one way, from files or from code, along one path:
//
//	fs.FS of record files ─────Load────────┐
//	iter.Seq2[Record, error] ──LoadRecords─┼─▶ *Records ──Build──▶ *Catalog ──┬─ Feed.Write (io.Writer: RSS, Atom, JSON)
//	Record ──NewItem──▶ *Item ─────────────┘                                  ├─ NewHandler (http.Handler: ETags, 304s, gzip)
//	                                                                          └─ Catalog.WriteDir, BuildDir (static files)
//
// Load walks an fs.FS, parses each record file once, and collects one error
// per bad file (path:line: field: reason) while keeping every good record.
// A record file is read into a Record and made an Item by the same code
// as a Record from a program (NewItem, LoadRecords): the same content gives
// the same Item, whatever its source. Build groups the published items
// into a Catalog: one feed for the whole site, one per community, one per
// topic and one per community×topic, each in the three formats, plus an
// OPML list of them all. Build trusts nothing: items written as struct
// literals get the checks records get, and the items it leaves out are
// named in the ErrorList it returns with the catalog of the others. A
// Catalog is immutable and safe for concurrent use. BuildDir does Load,
// Build and WriteDir in one bounded-memory pass with an optional cache,
// and a Reloader keeps a Catalog current for a running server. Every way
// to bytes (WriteDir, Files, NewHandler, BuildDir, the Reloader) renders
// through one stage: each item that reaches a feed is rendered, sanitized
// and encoded once per format, on all cores, and its encodings are kept
// in a temporary file for the documents after it.
//
// # Configuration
//
// A Config has one convention: a zero number means its default, a
// negative one turns the feature off (or is an error where it cannot be
// off); a nil list means the default list, an empty one means none. Every
// entry point checks a Config the same way.
//
// Feeds announce the WebSub hubs of Config.Hubs. Package websub tells those
// hubs which feeds changed (WriteStats.Changed after a build,
// ReloadReport.ChangedFeeds after a reload; ReloadOptions.Publisher does it
// for a Reloader), and websub.CheckHub is the check every hub URL passes.
//
// Output is deterministic: the same records and Config give the same bytes,
// with ids derived from the records, never random, and times in UTC.
package curafeed
