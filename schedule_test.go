package curafeed

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scheduleNow is the fixed time of the scheduling tests.
var scheduleNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// scheduleFS holds a past record and one dated a day after scheduleNow,
// alone in its topic and in its community, with a lastMod later still.
func scheduleFS() fstest.MapFS {
	return fstest.MapFS{
		recordPath("past", 1): {Data: []byte(reloadRecord(1, "past", "Past item", "2025-05-01T00:00:00Z"))},
		recordPath("future", 2): {Data: []byte(strings.Replace(reloadRecord(2, "future", "SCHEDULED-MARKER item", "2025-06-02T12:00:00Z"),
			"communityTopics: ['Gartner: Cybersecurity']", "lastMod: '2025-07-01'\ncommunityTopics: ['Future: Only']", 1))},
	}
}

// feedBytes renders every document of cat in every format.
func feedBytes(t *testing.T, cat *Catalog) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range cat.Feeds {
		for _, d := range f.Documents() {
			for _, format := range Formats() {
				b, err := d.render(format)
				require.NoError(t, err)
				out[d.Path+"/"+format.fileName()] = string(b)
			}
		}
	}
	return out
}

// TestScheduledRecord checks that a record dated after Config.Now stays out
// of every feed, with its topic's and community's feeds, and lends no feed
// its dates; that Load names it as scheduled and gives its date; and that
// IncludeFuture, or a Now at its date, publishes it.
func TestScheduledRecord(t *testing.T) {
	fsys := scheduleFS()
	cfg := reloadConfig
	cfg.Now = scheduleNow
	recs, err := Load(fsys, cfg)
	require.NoError(t, err)
	require.Len(t, recs.Items, 1)
	assert.Equal(t, "Past item", recs.Items[0].Title)
	require.Len(t, recs.Skipped, 1)
	assert.Equal(t, recordPath("future", 2), recs.Skipped[0].Path)
	assert.Contains(t, recs.Skipped[0].Reason, "scheduled")
	assert.Equal(t, time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC), recs.NextScheduled)
	assert.Empty(t, recs.Errors)

	// Build drops it too when given it from code.
	all, err := Load(fsys, Config{SiteURL: cfg.SiteURL, IncludeFuture: true})
	require.NoError(t, err)
	require.Len(t, all.Items, 2)
	cat, err := Build(all.Items, cfg)
	require.NoError(t, err)
	for p, body := range feedBytes(t, cat) {
		assert.NotContains(t, body, "SCHEDULED-MARKER", p)
		assert.NotContains(t, body, "2025-06-02", p)
		assert.NotContains(t, body, "2025-07-01", p)
	}
	for _, f := range cat.Feeds {
		assert.False(t, f.Updated.After(cfg.Now), "%s: updated %s, after the build's time", f.Path, f.Updated)
		assert.NotContains(t, f.Path, "future", "a feed of the scheduled record's community or topic")
	}
	h := NewHandler(cat, HandlerOptions{})
	for _, p := range []string{"/all/atom.xml", "/index.opml"} {
		w := get(t, h, p)
		require.Equal(t, http.StatusOK, w.Code, p)
		lm, err := http.ParseTime(w.Header().Get("Last-Modified"))
		require.NoError(t, err, p)
		assert.False(t, lm.After(cfg.Now), "%s: Last-Modified %s", p, lm)
	}

	for name, c := range map[string]Config{
		"IncludeFuture": {SiteURL: cfg.SiteURL, Now: scheduleNow, IncludeFuture: true},
		"due":           {SiteURL: cfg.SiteURL, Now: time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			recs, err := Load(fsys, c)
			require.NoError(t, err)
			require.Len(t, recs.Items, 2)
			assert.True(t, recs.NextScheduled.IsZero())
			cat, err := Build(recs.All(), c)
			require.NoError(t, err)
			assert.Contains(t, feedBytes(t, cat)["all/atom.xml"], "SCHEDULED-MARKER")
			assert.NotNil(t, feedOf(cat, "communities/future"))
		})
	}
}

// TestScheduledRecordBuildDir checks that the bounded-memory build keeps a
// scheduled record out of the files it writes, and that the same Now gives
// the same bytes.
func TestScheduledRecordBuildDir(t *testing.T) {
	cfg := reloadConfig
	cfg.Now = scheduleNow
	out := t.TempDir()
	recs, _, err := BuildDir(scheduleFS(), cfg, out)
	require.NoError(t, err)
	assert.Equal(t, 1, recs.Published)
	assert.Equal(t, scheduleNow.Add(24*time.Hour), recs.NextScheduled)
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			assert.NotEqual(t, "future", d.Name(), p)
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "SCHEDULED-MARKER", p)
		return nil
	})
	require.NoError(t, err)
}

// fakeTimers replaces the clock and the timers of Reloaders for a test.
type fakeTimers struct {
	mu    sync.Mutex
	now   time.Time
	armed []fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped *bool
}

func useFakeTimers(t *testing.T, now time.Time) *fakeTimers {
	ft := &fakeTimers{now: now}
	oldClock, oldAfter := reloadClock, afterFunc
	reloadClock = func() time.Time {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		return ft.now
	}
	afterFunc = func(d time.Duration, f func()) func() {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		stopped := new(bool)
		ft.armed = append(ft.armed, fakeTimer{d, f, stopped})
		return func() {
			ft.mu.Lock()
			defer ft.mu.Unlock()
			*stopped = true
		}
	}
	t.Cleanup(func() { reloadClock, afterFunc = oldClock, oldAfter })
	return ft
}

// live returns the timers armed and not stopped.
func (ft *fakeTimers) live() []fakeTimer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var out []fakeTimer
	for _, t := range ft.armed {
		if !*t.stopped {
			out = append(out, t)
		}
	}
	return out
}

func (ft *fakeTimers) advance(d time.Duration) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.now = ft.now.Add(d)
}

// TestReloaderPublishesScheduled checks that a Reloader arms a reload for
// the date of the next scheduled record, publishes the record when that
// reload runs, and then arms nothing more.
func TestReloaderPublishesScheduled(t *testing.T) {
	ft := useFakeTimers(t, scheduleNow)
	var reports []ReloadReport
	r, err := NewReloader(scheduleFS(), reloadConfig, ReloadOptions{OnReload: func(rep ReloadReport) { reports = append(reports, rep) }})
	require.NoError(t, err)
	defer r.Close()
	require.Nil(t, feedOf(r.Catalog(), "communities/future"))
	assert.NotContains(t, get(t, r, "/all/atom.xml").Body.String(), "SCHEDULED-MARKER")
	require.Len(t, reports, 1)
	assert.Equal(t, scheduleNow.Add(24*time.Hour), reports[0].NextScheduled)

	timers := ft.live()
	require.Len(t, timers, 1, "a reload is armed for the scheduled record")
	assert.Equal(t, 24*time.Hour, timers[0].d)

	// Too early a reload (a record changed) publishes nothing yet and
	// arms the timer again for the time left.
	ft.advance(23 * time.Hour)
	r.Reload()
	assert.NotContains(t, get(t, r, "/all/atom.xml").Body.String(), "SCHEDULED-MARKER")
	timers = ft.live()
	require.Len(t, timers, 1)
	assert.Equal(t, time.Hour, timers[0].d)

	ft.advance(time.Hour)
	timers[0].f() // the timer fires
	assert.Contains(t, get(t, r, "/all/atom.xml").Body.String(), "SCHEDULED-MARKER")
	require.NotNil(t, feedOf(r.Catalog(), "communities/future"))
	last := reports[len(reports)-1]
	assert.Contains(t, last.Changed, "all/atom.xml")
	assert.True(t, last.NextScheduled.IsZero())
	assert.Empty(t, ft.live(), "nothing left to schedule")
}

// TestReloaderFixedNowSchedulesNothing checks that a Reloader whose Config
// fixes Now arms no timer: its records never become due.
func TestReloaderFixedNowSchedulesNothing(t *testing.T) {
	ft := useFakeTimers(t, scheduleNow)
	cfg := reloadConfig
	cfg.Now = scheduleNow
	r, err := NewReloader(scheduleFS(), cfg, ReloadOptions{})
	require.NoError(t, err)
	defer r.Close()
	assert.Nil(t, feedOf(r.Catalog(), "communities/future"))
	assert.Empty(t, ft.live())
}

// TestCommunityAliases checks that the spellings of one community join in
// one feed, named after the canonical community, from files and from code,
// and that unusable aliases are configuration errors.
func TestCommunityAliases(t *testing.T) {
	fsys := fstest.MapFS{
		recordPath("risk-compliance", 1):     {Data: []byte(reloadRecord(1, "risk-compliance", "Alias one", "2024-01-01"))},
		recordPath("risk-and-compliance", 2): {Data: []byte(reloadRecord(2, "risk-and-compliance", "Canonical", "2024-01-02"))},
		recordPath("Risk_Compliance", 3):     {Data: []byte(reloadRecord(3, "Risk_Compliance", "Alias two", "2024-01-03"))},
		recordPath("security", 4):            {Data: []byte(reloadRecord(4, "security", "Other", "2024-01-04"))},
	}
	cfg := reloadConfig
	cfg.CommunityAliases = map[string]string{"Risk Compliance": "risk-and-compliance"}
	recs, err := Load(fsys, cfg)
	require.NoError(t, err)
	cat, err := Build(recs.All(), cfg)
	require.NoError(t, err)
	var communities []string
	for _, f := range cat.Feeds {
		if f.kind == kindCommunity {
			communities = append(communities, f.Path)
		}
	}
	assert.Equal(t, []string{"communities/risk-and-compliance", "communities/security"}, communities)
	f := feedOf(cat, "communities/risk-and-compliance")
	require.Len(t, f.Items, 3)
	assert.Equal(t, "risk-and-compliance", f.Community.Name, "the canonical records' name")
	for _, it := range recs.Items {
		if it.Title != "Other" {
			assert.Equal(t, Community{Slug: "risk-and-compliance", Name: "risk-and-compliance"}, it.Community, it.Path)
		}
	}

	// The bounded-memory build writes the same tree.
	out := t.TempDir()
	_, _, err = BuildDir(fsys, cfg, out)
	require.NoError(t, err)
	assert.NoDirExists(t, filepath.Join(out, "communities", "risk-compliance"))
	assert.FileExists(t, filepath.Join(out, "communities", "risk-and-compliance", "atom.xml"))

	// Items made in code are joined by Build itself.
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	code := []*Item{
		{ID: "urn:uuid:1", Path: "a", Title: "A", Published: day, Updated: day, Community: Community{Slug: "risk-compliance", Name: "Risk"}},
		{ID: "urn:uuid:2", Path: "b", Title: "B", Published: day, Updated: day, Community: Community{Slug: "risk-and-compliance", Name: "Risk"}},
	}
	cat, err = Build(code, cfg)
	require.NoError(t, err)
	assert.Nil(t, feedOf(cat, "communities/risk-compliance"))
	require.NotNil(t, feedOf(cat, "communities/risk-and-compliance"))
	assert.Len(t, feedOf(cat, "communities/risk-and-compliance").Items, 2)

	// Chains resolve; cycles and empty names are errors.
	chain := cfg
	chain.CommunityAliases = map[string]string{"a": "b", "b": "c"}
	c, _, err := chain.normalize()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "c", "b": "c"}, c.CommunityAliases)
	for _, bad := range []map[string]string{{"a": "b", "b": "a"}, {"a": ""}, {"..": "x"}} {
		c := cfg
		c.CommunityAliases = bad
		_, err := Load(fsys, c)
		assert.Error(t, err, "%v", bad)
	}
}
