package curafeed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/curafeed/curafeed"
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

	p := &curafeed.Publisher{Hubs: []string{hub.URL}, Timeout: 10 * time.Second}
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
