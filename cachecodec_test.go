package curafeed

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullItem returns an item with every exported field set, by reflection,
// so that a field added to Item and not to the cache's codec fails
// TestSegmentRoundTrip; n makes its values differ from another's.
func fullItem(t *testing.T, n int) *Item {
	t.Helper()
	it := &Item{}
	v := reflect.ValueOf(it).Elem()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		name := fmt.Sprintf("%s %d", sf.Name, n)
		switch x := f.Addr().Interface().(type) {
		case *string:
			*x = name
		case *time.Time:
			*x = time.Date(2020+n%7, time.Month(1+i%12), 3, 4, 5, 6, 789+n, time.UTC)
		case *Community:
			*x = Community{Slug: "slug-" + name, Name: name}
		case *[]Topic:
			*x = []Topic{{Key: "k1 " + name, Vocabulary: "Gartner", Term: name}, {Key: "k2 " + name, Term: "Cybersecurity"}}
		case *[]string:
			*x = []string{name, "second " + name}
		case **Image:
			*x = &Image{URL: "https://img.example/" + name, Type: "image/png", Alt: name, Width: 640 + n, Height: 480}
		default:
			t.Fatalf("fullItem does not know how to set Item.%s (%s): teach it, and the cache's codec", sf.Name, sf.Type)
		}
	}
	it.extra.BasePath, it.extra.OGURL, it.checked = "/communities/x-"+fmt.Sprint(n), "/og/"+fmt.Sprint(n), n%2 == 0
	return it
}

// TestSegmentRoundTrip requires a cache segment with every field set to
// read back as written, and the same segment to make the same bytes.
func TestSegmentRoundTrip(t *testing.T) {
	seg := &cacheSegment{
		Records: map[string]*cachedRecord{
			"a/one.md": {Size: 120, ModTime: -5, Sum: 1<<63 + 7, Item: fullItem(t, 1)},
			"a/two.md": {
				Size: 3, ModTime: 1700000000123456789, Sum: 9,
				Warns: []cachedError{{Line: 4, Field: "image", Msg: "dropped"}, {Line: 0, Field: "", Msg: "x", NotRecord: true}},
				Err:   &cachedError{Line: 12, Field: "date", Msg: "not a date"},
				Kept:  fullItem(t, 2), KeptSum: 77,
			},
			"b/three.md": {Size: 0, ModTime: 0, Sum: 0, Item: &Item{ID: "urn:uuid:3"}},
			"b/four.md":  {Size: 9, ModTime: 4, Sum: 4, Item: fullItem(t, 4), Whole: true, Body: true, ParsedCommunity: Community{"medigy-security", "Security CoP"}},
			"b/five.md":  {Size: 9, ModTime: 5, Sum: 5, Item: fullItem(t, 5), Whole: true},
		},
		DroppedRecords: []string{"c/gone.md", "a/one.md"},
		Outputs:        map[string]cachedOutput{"all/rss.xml": {Key: 1<<64 - 1, Truncated: 3, Over: true}, "all/atom.xml": {Key: 5}},
		DroppedOutputs: []string{"old/feed.json"},
		Pack:           map[uint64]packSpan{1<<64 - 2: {Off: 16, Len: 900}, 4: {Off: 1000, Len: 0}},
		DroppedPack:    []uint64{8, 1 << 60},
		Live:           []string{"a/one.md", "a/two.md"},
		LiveSet:        true,
		Gone:           map[string]*Item{"urn:uuid:9": {ID: "urn:uuid:9", Updated: time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)}, "urn:uuid:8": fullItem(t, 8)},
		PackSize:       123456,
		OutputsKey:     "key\x00with nul",
	}
	seg.Gone["urn:uuid:8"].ID = "urn:uuid:8"
	data := encodeSegment(seg)
	got, err := decodeSegment(data)
	require.NoError(t, err)
	assert.Equal(t, seg, got)
	assert.Equal(t, data, encodeSegment(got), "the same segment makes the same bytes")

	// Live: nil, empty and unset are three different segments.
	for _, s := range []*cacheSegment{{LiveSet: true}, {LiveSet: true, Live: []string{}}, {}} {
		got, err := decodeSegment(encodeSegment(s))
		require.NoError(t, err)
		assert.Equal(t, s.LiveSet, got.LiveSet)
		assert.Equal(t, s.Live == nil, got.Live == nil)
	}

	// Every cut of the bytes is an error, never a panic.
	for n := range len(data) {
		_, err := decodeSegment(data[:n])
		require.Error(t, err, "cut at %d of %d", n, len(data))
	}
	_, err = decodeSegment(append(bytes.Clone(data), 0))
	assert.Error(t, err, "bytes after the segment")
}

// FuzzDecodeSegment requires any bytes to decode to a segment or an error,
// never a panic, and a segment decoded to encode and decode to itself.
func FuzzDecodeSegment(f *testing.F) {
	f.Add(encodeSegment(&cacheSegment{}))
	f.Add(encodeSegment(&cacheSegment{
		Records: map[string]*cachedRecord{"r.md": {Size: 1, Item: &Item{ID: "i", Topics: []Topic{{Key: "k"}}, Image: &Image{URL: "u"}}, Err: &cachedError{Msg: "m"}}},
		Outputs: map[string]cachedOutput{"o": {Key: 1}}, Pack: map[uint64]packSpan{1: {Off: 2, Len: 3}},
		LiveSet: true, Live: []string{"r.md"}, Gone: map[string]*Item{"g": {ID: "g"}}, OutputsKey: "k",
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		seg, err := decodeSegment(data)
		if err != nil {
			return
		}
		again, err := decodeSegment(encodeSegment(seg))
		require.NoError(t, err)
		assert.Equal(t, seg, again)
	})
}
