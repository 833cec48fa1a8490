package curafeed_test

import (
	"fmt"
	"html/template"
	"os"

	"github.com/curafeed/curafeed"
)

// A page of the community site tells browsers and feed readers where its
// feed is: AutodiscoveryHTML returns the tags for the page's head, already
// escaped, for html/template or any other writer.
func ExampleFeed_AutodiscoveryHTML() {
	cfg := curafeed.Config{SiteURL: "https://community.example.org", Title: "Example Health"}
	recs, err := curafeed.Load(records, cfg)
	if err != nil {
		panic(err)
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	if err != nil {
		panic(err)
	}
	page := template.Must(template.New("page").Parse(`<head>
<title>{{.Name}}</title>
{{.Feed.AutodiscoveryHTML}}
</head>
`))
	feed, _ := cat.Feed("communities/security")
	if err := page.Execute(os.Stdout, map[string]any{"Name": feed.Community.Name, "Feed": feed}); err != nil {
		panic(err)
	}
	all, _ := cat.Feed("all")
	fmt.Println(all.AutodiscoveryHTML())
	// Output:
	// <head>
	// <title>Security</title>
	// <link rel="alternate" type="application/rss+xml" title="Security | Example Health (RSS)" href="https://community.example.org/communities/security/rss.xml">
	// <link rel="alternate" type="application/atom+xml" title="Security | Example Health (Atom)" href="https://community.example.org/communities/security/atom.xml">
	// <link rel="alternate" type="application/feed+json" title="Security | Example Health (JSON Feed)" href="https://community.example.org/communities/security/feed.json">
	// </head>
	// <link rel="alternate" type="application/rss+xml" title="Example Health (RSS)" href="https://community.example.org/all/rss.xml">
	// <link rel="alternate" type="application/atom+xml" title="Example Health (Atom)" href="https://community.example.org/all/atom.xml">
	// <link rel="alternate" type="application/feed+json" title="Example Health (JSON Feed)" href="https://community.example.org/all/feed.json">
}
