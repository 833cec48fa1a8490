package curafeed

// TestNoPanicOnNilOrEmpty calls every exported function and method with nil
// or empty arguments and receivers: each returns an error or nothing, and
// none panics.

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

func TestNoPanicOnNilOrEmpty(t *testing.T) {
	for name, fn := range map[string]func(){
		"LoadRecords": func() { LoadRecords(nil, testConfig) },
		"Load":        func() { Load(nil, testConfig) },
		"BuildDir":    func() { BuildDir(nil, testConfig, t.TempDir()) },
		"NewReloader": func() { NewReloader(nil, testConfig, ReloadOptions{}) },
		"ParseRecord": func() { ParseRecord("", nil, testConfig) },
		"NewHandler":  func() { NewHandler(nil, HandlerOptions{}) },
		"WriteDir":    func() { var c *Catalog; c.WriteDir(t.TempDir()) },
		"WriteOPML":   func() { var c *Catalog; c.WriteOPML(nil) },
		"Files":       func() { var c *Catalog; c.Files(nil) },
		"Documents":   func() { var f *Feed; f.Documents() },
		"Autodisc":    func() { var f *Feed; f.AutodiscoveryHTML() },
		"ContentHTML": func() { var it *Item; it.ContentHTML() },
		"All":         func() { var r *Records; r.All() },
		"ReloaderCat": func() { var r *Reloader; r.Catalog() },
		"ReloaderServe": func() {
			var r *Reloader
			r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/all/rss.xml", nil))
		},
		"ReloaderReload": func() { var r *Reloader; r.Reload() },
		"ReloaderClose":  func() { var r *Reloader; r.Close() },
		"ReloaderWatch":  func() { var r *Reloader; r.Watch(context.Background(), time.Second) },
		"FeedWrite":      func() { var f *Feed; f.Write(nil, RSS) },
		"FeedURL":        func() { var f *Feed; f.URL(RSS); f.ID() },
		"CatalogFeed":    func() { var c *Catalog; c.Feed("all") },
		"ErrorList":      func() { var l ErrorList; _ = l.Error(); _ = l.Err() },
		"RecordError":    func() { var e *RecordError; _ = e.Error(); _ = e.Unwrap() },
		"NewItemEmpty":   func() { NewItem(Record{}, Config{}) },
		"BuildNil":       func() { Build([]*Item{nil, {}}, testConfig) },
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panics: %v", name, r)
				}
			}()
			fn()
		}()
	}
}
