package curafeed

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/curafeed/curafeed/websub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastPublisher is a Publisher with short waits, for tests.
func fastPublisher(hubs ...string) *websub.Publisher {
	return &websub.Publisher{Hubs: hubs, Timeout: 2 * time.Second, Backoff: 10 * time.Millisecond}
}

// sortedNonEmpty returns the non-empty strings of list, sorted, each once:
// the order in which a Publisher notifies them.
func sortedNonEmpty(list []string) []string {
	out := slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// TestHubURLSecretsRefused requires a configured hub URL that carries a
// secret in its query to be refused, as one with a password is, since every
// feed publishes it, without the error repeating the secret; other query
// parameters are fine.
func TestHubURLSecretsRefused(t *testing.T) {
	for _, hub := range []string{
		"https://hub.example/?token=s3cret",
		"https://hub.example/?api_key=s3cret",
		"https://hub.example/?X-Amz-Signature=s3cret",
		"https://hub.example/?lang=en&Token=s3cret",
		"https://hub.example/?to%6Ben=s3cret",
		"https://hub.example/#access_token=s3cret",
	} {
		cfg := synConfig(func(c *Config) { c.Hubs = []string{"https://other.example/", hub} })
		_, err := Build(nil, cfg)
		if assert.Error(t, err, hub) {
			assert.NotContains(t, err.Error(), "s3cret", hub)
			assert.Contains(t, err.Error(), "hub.example", hub)
			assert.Contains(t, err.Error(), "Config.Hubs[1]", hub)
		}
	}
	for _, hub := range []string{"https://hub.example/?lang=en", "https://hub.example/?mode=publish&topic=all", "https://hub.example/"} {
		cfg := synConfig(func(c *Config) { c.Hubs = []string{hub} })
		_, err := Build(nil, cfg)
		assert.NoError(t, err, hub)
	}
}

// TestHandlerHubsChecked requires HandlerOptions.Hubs to pass the same
// check as Config.Hubs: a hub URL that would leak a secret or break the
// Link header is never served, and NewReloader says why.
func TestHandlerHubsChecked(t *testing.T) {
	cat, err := Build(nil, synConfig(nil))
	require.NoError(t, err)
	for _, hub := range []string{
		"https://alice:s3cret@hub.example/",
		"https://hub.example/?token=s3cret",
		"https://hub.example/>; rel=\"self\"",
		"ftp://hub.example/",
	} {
		h := NewHandler(cat, HandlerOptions{Hubs: []string{hub}})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/all/rss.xml", nil))
		assert.Equal(t, http.StatusInternalServerError, rec.Code, hub)
		assert.NotContains(t, rec.Body.String()+strings.Join(rec.Header().Values("Link"), ","), "s3cret", hub)

		_, err := NewReloader(fstest.MapFS{}, synConfig(nil), ReloadOptions{Handler: HandlerOptions{Hubs: []string{hub}}})
		if assert.Error(t, err, hub) {
			assert.Contains(t, err.Error(), "HandlerOptions.Hubs[0]: invalid hub URL", hub)
			assert.NotContains(t, err.Error(), "s3cret", hub)
		}
	}
	h := NewHandler(cat, HandlerOptions{Hubs: []string{"", "https://hub.example/"}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/all/rss.xml", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Values("Link"), `<https://hub.example/>; rel="hub"`)
}
