package curafeed_test

// Every Go block of README.md is in a function of this file, indented by one
// tab, so that `go test` compiles it; TestREADMEBlocks fails when a block of
// the README is in none of them. The functions are not run: they need a
// records folder, a database or a network.

import (
	"context"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/curafeed/curafeed"
	"github.com/curafeed/curafeed/websub"
)

// article is a row of the reader's own database, for the README's blocks.
type article struct {
	ID, Title, Body, Community, Status string
	Topics                             []string
	Published                          time.Time
}

// post is a post of a gorilla/feeds program, for the README's blocks.
type post struct {
	Slug, Title, HTML, Author string
	Date                      time.Time
}

func readmeQuickStart() {
	cfg := curafeed.Config{SiteURL: "https://community.example.org", Title: "Example Health"}
	recs, err := curafeed.Load(curafeed.DirFS("records"), cfg) // any fs.FS
	if err != nil {
		log.Fatal(err) // only when the folder cannot be read at all
	}
	for _, e := range recs.Errors {
		fmt.Fprintln(os.Stderr, e) // path:line: field: cause; every other record is still loaded
	}
	cat, err := curafeed.Build(recs.All(), cfg) // published and retracted records
	if err != nil {
		log.Fatal(err)
	}
	if security, ok := cat.Feed("communities/security"); ok {
		security.Write(os.Stdout, curafeed.RSS) // or curafeed.Atom, curafeed.JSON
	}
	cat.WriteOPML(os.Stdout)
	cat.WriteDir("public") // the whole static tree below
}

func readmeRecordsFromCode(cfg curafeed.Config, articles []article) {
	rows := func(yield func(curafeed.Record, error) bool) {
		for _, a := range articles { // your rows
			if !yield(curafeed.Record{
				Name:      "articles/" + a.ID,        // names the record in errors
				ID:        a.ID,                      // permanent: the item id derives from it
				Title:     a.Title,                   // entities, mojibake and tags are cleaned
				Body:      a.Body,                    // HTML, sanitized; or Markdown with Markdown: true
				URL:       "/articles/" + a.ID + "/", // resolved against Config.SiteURL
				Published: a.Published,
				Community: a.Community,
				Topics:    a.Topics, // "Vocabulary: Term"
				Status:    a.Status, // "draft" stays out of every feed
			}, nil) {
				return
			}
		}
	}
	recs, err := curafeed.LoadRecords(rows, cfg)
	if err != nil {
		log.Fatal(err) // an error rows yielded: the database went away
	}
	for _, e := range recs.Errors {
		log.Print(e) // articles/42: Published: missing: a record needs date or lastMod
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	_, _ = cat, err
}

func readmeFromGorilla(posts []post) {
	cfg := curafeed.Config{SiteURL: "https://blog.example.org", Title: "Example blog"}
	var items []*curafeed.Item
	for _, p := range posts {
		it, problems := curafeed.NewItem(curafeed.Record{
			ID: p.Slug, Title: p.Title, URL: "/posts/" + p.Slug + "/",
			Body: p.HTML, Authors: []string{p.Author}, Published: p.Date,
		}, cfg)
		for _, e := range problems {
			log.Print(e) // a link that is not http(s), dropped; or why the post is left out
		}
		if it != nil {
			items = append(items, it)
		}
	}
	cat, err := curafeed.Build(items, cfg)
	if err != nil {
		log.Fatal(err)
	}
	all, _ := cat.Feed("all")
	all.Write(os.Stdout, curafeed.RSS) // or Atom, JSON; cat.WriteDir writes every format
}

func readmeWebSub(cfg curafeed.Config) {
	r, err := curafeed.NewReloader(curafeed.DirFS("records"), cfg, curafeed.ReloadOptions{
		Publisher: &websub.Publisher{Hubs: cfg.Hubs},
		OnPublish: func(rep websub.PublishReport) { log.Print(rep) },
	})
	_, _ = r, err
}

func readmeAliases(cfg curafeed.Config) {
	cfg.CommunityAliases = map[string]string{"risk-compliance": "risk-and-compliance"}
}

func readmeAutodiscovery(cat *curafeed.Catalog) {
	page := template.Must(template.New("page").Parse(`<head>
<title>{{.Name}}</title>
{{.Feed.AutodiscoveryHTML}}
</head>
`))
	feed, _ := cat.Feed("communities/security")
	page.Execute(os.Stdout, map[string]any{"Name": feed.Community.Name, "Feed": feed})
}

func readmeHandler() {
	cfg := curafeed.Config{
		SiteURL:  "https://community.example.org",       // item, community and home links
		FeedsURL: "https://community.example.org/feeds", // where the handler is mounted
		Title:    "Example Health",
	}
	recs, err := curafeed.Load(curafeed.DirFS("records"), cfg)
	if err != nil {
		log.Fatal(err)
	}
	// ... report recs.Errors, then:
	cat, err := curafeed.Build(recs.All(), cfg) // published and retracted records
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/feeds/", http.StripPrefix("/feeds", curafeed.NewHandler(cat, curafeed.HandlerOptions{})))
}

func readmeReloader(ctx context.Context, cfg curafeed.Config) {
	r, err := curafeed.NewReloader(curafeed.DirFS("records"), cfg, curafeed.ReloadOptions{
		OnReload: func(rep curafeed.ReloadReport) {
			for _, e := range rep.Errors {
				log.Print(e) // path:line: field: cause
			}
		},
	})
	if err != nil {
		log.Fatal(err) // the first load failed as a whole
	}
	go r.Watch(ctx, 2*time.Second) // or call r.Reload() when you know the records changed
	http.Handle("/feeds/", http.StripPrefix("/feeds", r))
}

var _ = []any{readmeQuickStart, readmeRecordsFromCode, readmeFromGorilla, readmeWebSub, readmeAliases,
	readmeAutodiscovery, readmeHandler, readmeReloader}
