package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/curafeed/curafeed"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// schema is the table of articles. Dates are RFC 3339 text; topics and
// authors are JSON arrays of strings, so a name may hold a comma.
const schema = `CREATE TABLE articles (
	id           TEXT PRIMARY KEY,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	body_format  TEXT NOT NULL DEFAULT 'html' CHECK (body_format IN ('html', 'markdown')),
	url          TEXT NOT NULL DEFAULT '',
	external_url TEXT NOT NULL DEFAULT '',
	community    TEXT NOT NULL DEFAULT '',
	topics       TEXT NOT NULL DEFAULT '[]',
	authors      TEXT NOT NULL DEFAULT '[]',
	image_url    TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT 'published',
	published    TEXT NOT NULL DEFAULT '',
	updated      TEXT NOT NULL DEFAULT ''
)`

// samples are the rows of a new database. They carry the dirty data a real
// table holds: an entity-encoded title, a Markdown body, an HTML body with a
// script, a draft and a relative image URL.
var samples = [][]any{
	// id, title, summary, body, body_format, url, external_url, community, topics, authors, image_url, status, published, updated
	{"zero-trust", "Caf&eacute; &amp; Co: Zero Trust &#8211; a primer", "",
		"<p>Zero trust means <em>never trust, always verify</em>.</p>", "html",
		"/articles/zero-trust", "https://example.com/zero-trust", "Risk &amp; Compliance",
		`["Gartner: Cybersecurity"]`, `["Jane Doe <jane@example.org>"]`,
		"images/zero-trust.png", "published", "2026-01-10T09:00:00Z", "2026-01-12T15:30:00Z"},
	{"ai-triage", "AI triage in the emergency room", "How hospitals sort patients with models.",
		"## Why it matters\n\nTriage is **hard**; see [the study](https://example.com/triage-study).", "markdown",
		"/articles/ai-triage", "https://example.com/ai-triage", "Clinical Care",
		`["Gartner: Artificial Intelligence", "Clinical Care"]`, `["Doe, John"]`,
		"", "approved", "2026-01-08T08:00:00Z", ""},
	{"phishing", "Phishing drills that work", "",
		`<p>Run drills monthly.</p><script>alert("pwned")</script><img src="https://example.com/drill.png" onerror="alert(1)">`, "html",
		"/articles/phishing", "https://example.com/phishing", "Risk &amp; Compliance",
		`["Gartner: Cybersecurity"]`, `[]`,
		"https://example.com/images/phishing.jpg", "published", "2026-01-05T12:00:00Z", ""},
	{"budget-draft", "Draft: budget season", "Not ready yet.",
		"<p>Still being written.</p>", "html",
		"/articles/budget-draft", "", "Finance",
		`[]`, `[]`,
		"", "draft", "2026-01-11T10:00:00Z", ""},
}

// openDB opens the SQLite database in file. When create is set a missing
// file is created, and a database without the articles table gets the
// schema and the sample rows; it reports whether it did. Otherwise a
// missing file is an error.
func openDB(ctx context.Context, file string, create bool) (db *sql.DB, created bool, err error) {
	db, err = sql.Open("sqlite", dsn(file, create))
	if err != nil {
		return nil, false, err
	}
	if err = db.PingContext(ctx); err == nil && create {
		created, err = seed(ctx, db)
	}
	if err != nil {
		db.Close()
		return nil, false, fmt.Errorf("%s: %w", file, err)
	}
	return db, created, nil
}

// dsn is the data source name of file: a SQLite URI, so that a file name
// may hold any character, opened read-write (and created when create is
// set), with a busy timeout so that a reader waits for another process's
// write to finish instead of failing.
func dsn(file string, create bool) string {
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	p := filepath.ToSlash(file)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:/C:/...
	}
	mode := "rw"
	if create {
		mode = "rwc"
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?mode=" + mode + "&_busy_timeout=5000"
}

// seed creates the articles table with the sample rows when the database
// has no such table, and reports whether it did.
func seed(ctx context.Context, db *sql.DB) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'articles'`).Scan(&n)
	if err != nil || n > 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return false, err
	}
	for _, row := range samples {
		_, err := tx.ExecContext(ctx, `INSERT INTO articles (id, title, summary, body, body_format, url,
			external_url, community, topics, authors, image_url, status, published, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row...)
		if err != nil {
			return false, err
		}
	}
	return true, tx.Commit()
}

// selectArticles reads every row; coalesce lets a database whose columns
// allow NULL be read as well.
const selectArticles = `SELECT id, coalesce(title, ''), coalesce(summary, ''), coalesce(body, ''),
	coalesce(body_format, ''), coalesce(url, ''), coalesce(external_url, ''), coalesce(community, ''),
	coalesce(topics, ''), coalesce(authors, ''), coalesce(image_url, ''), coalesce(status, ''),
	coalesce(published, ''), coalesce(updated, '')
	FROM articles ORDER BY id`

// querier is a *sql.DB, *sql.Conn or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// articles yields the rows of the articles table as records, in one query,
// so one load sees one state of the table. A failed query or scan yields
// an error that stops the load; a row with a value that cannot be read (a
// date, a JSON list, a body format) yields a *curafeed.RecordError naming
// the row and the column, which curafeed.LoadRecords lists before going on
// with the next row.
func articles(ctx context.Context, db querier) iter.Seq2[curafeed.Record, error] {
	return func(yield func(curafeed.Record, error) bool) {
		rows, err := db.QueryContext(ctx, selectArticles)
		if err != nil {
			yield(curafeed.Record{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var c columns
			if err := rows.Scan(&c.id, &c.title, &c.summary, &c.body, &c.format, &c.url, &c.externalURL,
				&c.community, &c.topics, &c.authors, &c.imageURL, &c.status, &c.published, &c.updated); err != nil {
				yield(curafeed.Record{}, fmt.Errorf("articles: %w", err))
				return
			}
			if !yield(c.record()) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(curafeed.Record{}, fmt.Errorf("articles: %w", err))
		}
	}
}

// columns holds one row of the articles table.
type columns struct {
	id, title, summary, body, format, url, externalURL, community string
	topics, authors, imageURL, status, published, updated         string
}

// record makes the row a curafeed.Record, or a *curafeed.RecordError
// naming the row ("articles/ID") and the column that cannot be read.
func (c *columns) record() (curafeed.Record, error) {
	r := curafeed.Record{
		Name: "articles/" + c.id, ID: c.id, Title: c.title, Summary: c.summary, Body: c.body,
		URL: c.url, ExternalURL: c.externalURL, Community: c.community, Status: c.status,
	}
	fail := func(field string, err error) (curafeed.Record, error) {
		return curafeed.Record{}, &curafeed.RecordError{Path: r.Name, Field: field, Err: err}
	}
	switch c.format {
	case "html", "":
	case "markdown":
		r.Markdown = true
	default:
		return fail("body_format", fmt.Errorf("%.40q is neither html nor markdown", c.format))
	}
	var err error
	if r.Published, err = parseDate(c.published); err != nil {
		return fail("published", err)
	}
	if r.Updated, err = parseDate(c.updated); err != nil {
		return fail("updated", err)
	}
	if r.Topics, err = parseList(c.topics); err != nil {
		return fail("topics", err)
	}
	if r.Authors, err = parseList(c.authors); err != nil {
		return fail("authors", err)
	}
	if c.imageURL != "" {
		r.Image = &curafeed.Image{URL: c.imageURL}
	}
	return r, nil
}

// sqliteDateTime is the layout of SQLite's datetime() function, in UTC.
const sqliteDateTime = "2006-01-02 15:04:05"

// parseDate reads an RFC 3339 date, or one written by SQLite's
// datetime('now') (UTC); "" is no date.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(sqliteDateTime, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%.40q is not an RFC 3339 date", s)
}

// parseList reads a JSON array of strings; "" and "null" are none.
func parseList(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, errors.New("not a JSON array of strings")
	}
	return list, nil
}

// setTitle changes the title of the article id, and its updated date to
// now, as an editor would.
func setTitle(ctx context.Context, db *sql.DB, id, title string, now time.Time) error {
	res, err := db.ExecContext(ctx, `UPDATE articles SET title = ?, updated = ? WHERE id = ?`,
		title, now.UTC().Format(time.RFC3339), id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = fmt.Errorf("no article with id %q", id)
	}
	return err
}
