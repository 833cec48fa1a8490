package curafeed

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildMap(t *testing.T, fsys fstest.MapFS, cfg Config) *Catalog {
	t.Helper()
	recs, err := Load(fsys, cfg)
	require.NoError(t, err)
	require.Empty(t, recs.Errors)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	return cat
}

func topicRec(title, date, community, topics string) *fstest.MapFile {
	extra := "communityTopics: [" + topics + "]\n"
	if community != "" {
		extra += "basePath: /communities/" + community + "/curated-content/\nslug: " + title + "\n"
	}
	return rec(title, date, extra)
}

func TestBuildGroups(t *testing.T) {
	fsys := fstest.MapFS{
		"1.md": topicRec("one", "2021-01-01", "security", "'Gartner: Cybersecurity'"),
		"2.md": topicRec("two", "2021-01-02", "security", "'gartner:  cybersecurity', 'KLAS: Telehealth'"),
		"3.md": topicRec("three", "2021-01-03", "femtech", "'Frost & Sullivan: TeleHealth'"),
		"4.md": topicRec("four", "2021-01-04", "", "'Gartner: Cybersecurity'"),
	}
	cat := buildMap(t, fsys, testConfig)
	var paths []string
	for _, f := range cat.Feeds {
		paths = append(paths, f.kind.String()+" "+f.Path)
	}
	assert.Equal(t, []string{
		"all all",
		"community communities/femtech",
		"community communities/security",
		"topic topics/frost-sullivan-telehealth",
		"topic topics/gartner-cybersecurity",
		"topic topics/klas-telehealth",
		"community-topic communities/femtech/topics/frost-sullivan-telehealth",
		"community-topic communities/security/topics/gartner-cybersecurity",
		"community-topic communities/security/topics/klas-telehealth",
	}, paths)
	titles := func(f *Feed) []string {
		var out []string
		for _, it := range f.Items {
			out = append(out, it.Title)
		}
		return out
	}
	assert.Equal(t, []string{"four", "three", "two", "one"}, titles(feedOf(cat, "all")))
	assert.Equal(t, []string{"four", "two", "one"}, titles(feedOf(cat, "topics/gartner-cybersecurity")))
	assert.Equal(t, []string{"two", "one"}, titles(feedOf(cat, "communities/security/topics/gartner-cybersecurity")))
	assert.Equal(t, "Gartner: Cybersecurity | Example Health", feedOf(cat, "topics/gartner-cybersecurity").Title)
	assert.Equal(t, "https://www.example.org/topics/gartner-cybersecurity/atom.xml", feedOf(cat, "topics/gartner-cybersecurity").URL(Atom))
	assert.Equal(t, "2021-01-02", feedOf(cat, "communities/security").Updated.Format(time.DateOnly))
	assert.Nil(t, feedOf(cat, "topics/nothing"))
}

func TestBuildLimitAndTies(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := 0; i < 12; i++ {
		// Pairs share a date: ties are broken by id.
		fsys[fmt.Sprintf("%02d.md", i)] = rec(fmt.Sprintf("t%02d", i), fmt.Sprintf("2021-01-%02d", i/2+1), fmt.Sprintf("mdName: 00000000-0000-0000-0000-0000000000%02d\n", 50-i))
	}
	cat := buildMap(t, fsys, Config{SiteURL: "https://x.example", Limit: 5})
	all := feedOf(cat, "all")
	require.Len(t, all.Items, 5)
	var got []string
	for _, it := range all.Items {
		got = append(got, it.Title)
	}
	assert.Equal(t, []string{"t11", "t10", "t09", "t08", "t07"}, got, "newest first, equal dates ordered by id")
	assert.Equal(t, "2021-01-06", all.Updated.Format(time.DateOnly))
}

func TestBuildDistinctUpdated(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := 0; i < 4; i++ {
		fsys[fmt.Sprintf("%d.md", i)] = rec(fmt.Sprintf("t%d", i), "2021-01-01", "")
	}
	cat := buildMap(t, fsys, testConfig)
	seen := map[time.Time]bool{}
	for _, it := range feedOf(cat, "all").Items {
		u := cat.itemUpdated(it)
		assert.False(t, seen[u], "updated times are distinct")
		seen[u] = true
		assert.WithinDuration(t, it.Updated, u, time.Millisecond)
		assert.False(t, u.Before(it.Updated))
	}
}

func TestBuildTopicSpellingAndSlugCollision(t *testing.T) {
	fsys := fstest.MapFS{
		"1.md": topicRec("one", "2021-01-01", "", "'gartner: cybersecurity'"),
		"2.md": topicRec("two", "2021-01-02", "", "'Gartner: Cybersecurity'"),
		"3.md": topicRec("three", "2021-01-03", "", "'Gartner: Cybersecurity'"),
		"4.md": topicRec("four", "2021-01-04", "", "'Symplur: #COVID19', 'Symplur: COVID19'"),
	}
	cat := buildMap(t, fsys, testConfig)
	tf := feedOf(cat, "topics/gartner-cybersecurity")
	require.NotNil(t, tf)
	assert.Equal(t, "Gartner: Cybersecurity", tf.Topic.Label(), "the spelling used most")
	assert.Len(t, tf.Items, 3)
	var covid []string
	for _, f := range cat.Feeds {
		if f.kind == kindTopic && f.Topic.Vocabulary == "Symplur" {
			covid = append(covid, f.Path)
		}
	}
	require.Len(t, covid, 2, "two topics whose slugs collide get two feeds")
	assert.NotEqual(t, covid[0], covid[1])
}

func TestBuildEmpty(t *testing.T) {
	cat, err := Build(nil, testConfig)
	require.NoError(t, err)
	require.Len(t, cat.Feeds, 1)
	for _, format := range Formats() {
		b, err := cat.Feeds[0].render(format)
		require.NoError(t, err)
		assert.NotEmpty(t, b)
	}
	b, err := cat.Feeds[0].render(JSON)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"items": []`)
}

// TestBuildDistinctUpdatedTies requires ties in updated time to be broken
// in order of publication, so that a record published later, whatever its
// id, takes the shifted time and items already published (and archived)
// keep theirs.
func TestBuildDistinctUpdatedTies(t *testing.T) {
	same := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	old := &Item{ID: "urn:uuid:ffffffff-0000-5000-8000-000000000001", Title: "Old", Published: same.Add(-48 * time.Hour), Updated: same}
	cat, err := Build([]*Item{old}, testConfig)
	require.NoError(t, err)
	require.Equal(t, same, cat.itemUpdated(old))

	newer := &Item{ID: "urn:uuid:00000000-0000-5000-8000-000000000002", Title: "Newer", Published: same, Updated: same}
	cat, err = Build([]*Item{old, newer}, testConfig)
	require.NoError(t, err)
	assert.Equal(t, same, cat.itemUpdated(old), "the earlier published item keeps its time")
	assert.Equal(t, same.Add(time.Microsecond), cat.itemUpdated(newer))
}

// feedOf returns the feed at path, or nil.
func feedOf(c *Catalog, path string) *Feed {
	f, _ := c.Feed(path)
	return f
}

// TestEmptySiteFeedDated requires the site feed of a catalog with nothing
// published (every record rejected, scheduled or withdrawn long ago) to be
// dated on the day of Config.Now, in every format, not at the Unix epoch,
// which validators reject as implausible.
func TestEmptySiteFeedDated(t *testing.T) {
	cfg := sampleConfig
	cfg.Now = time.Date(2026, 3, 4, 15, 16, 17, 0, time.UTC)
	for name, items := range map[string][]*Item{
		"nothing":   nil,
		"scheduled": {{ID: "urn:uuid:1", Title: "Later", Published: cfg.Now.AddDate(0, 1, 0), Updated: cfg.Now.AddDate(0, 1, 0)}},
	} {
		cat, err := Build(items, cfg)
		require.NoError(t, err, name)
		all, ok := cat.Feed("all")
		require.True(t, ok, name)
		day := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
		assert.Equal(t, day, all.Updated, name)
		for _, format := range Formats() {
			var buf bytes.Buffer
			require.NoError(t, all.Write(&buf, format), name)
			assert.NotContains(t, buf.String(), "1970", "%s %s", name, format)
		}
		var buf bytes.Buffer
		require.NoError(t, all.Write(&buf, Atom))
		assert.Contains(t, buf.String(), "<updated>2026-03-04T00:00:00Z</updated>", name)
	}
}
