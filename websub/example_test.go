package websub_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/curafeed/curafeed/websub"
)

// A Publisher tells a hub which feeds changed; the hub answers 202 Accepted
// and fetches them itself.
func ExamplePublisher() {
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("hub.mode") != "publish" || r.FormValue("hub.url") == "" {
			http.Error(w, "hub.mode=publish and hub.url are required", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hub.Close()

	p := &websub.Publisher{Hubs: []string{hub.URL}, Timeout: 10 * time.Second}
	rep := p.Publish(context.Background(), []string{
		"https://community.example.org/feeds/communities/security/atom.xml",
		"https://community.example.org/feeds/all/atom.xml",
		"https://community.example.org/feeds/communities/security/atom.xml",
	})
	fmt.Println(rep)
	for _, n := range rep.Notified {
		fmt.Println(n.Status, n.URL)
	}
	if err := rep.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// websub: notified 2 of 2 (hub, feed) pairs, 0 failed
	// 202 https://community.example.org/feeds/all/atom.xml
	// 202 https://community.example.org/feeds/communities/security/atom.xml
}

// CheckHub refuses a hub URL that feeds cannot announce, without repeating
// its secrets.
func ExampleCheckHub() {
	for _, raw := range []string{
		"https://pubsubhubbub.example/",
		"https://curafeed:s3cret@pubsubhubbub.example/",
		"https://pubsubhubbub.example/?token=s3cret",
		"ftp://pubsubhubbub.example/",
	} {
		if _, err := websub.CheckHub(raw); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println("ok", raw)
	}
	// Output:
	// ok https://pubsubhubbub.example/
	// invalid hub URL "https://curafeed:xxxxx@pubsubhubbub.example/": it carries credentials, which every feed would publish
	// invalid hub URL "https://pubsubhubbub.example/?token=xxxxx": it carries a secret in its query (token), which every feed would publish
	// invalid hub URL "ftp://pubsubhubbub.example/": not an absolute http or https URL
}
