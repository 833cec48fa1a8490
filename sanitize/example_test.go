package sanitize_test

import (
	"fmt"
	"net/url"

	"github.com/curafeed/curafeed/sanitize"
)

// A record's fields are untrusted: its title is made plain text, its body
// safe HTML with its links resolved against the item's page, its community
// a slug, and its link an absolute URL.
func Example() {
	page, _ := url.Parse("https://example.org/communities/ccm/curated-content/item/")

	fmt.Println(sanitize.Text("Beckerâ€™s <b>Hospital</b>&nbsp;Review \u202egpj.exe"))
	fmt.Println(sanitize.HTML(`<p onclick="steal()">Read <a href="../report/">the report</a>`+
		`<img src="https://stats.wp.com/b.gif"></p><script>alert(1)</script>`, page))
	fmt.Println(sanitize.Slug("Santé Publique: CON"))
	fmt.Println(sanitize.URL(" HTTPS://Example.ORG/a b?q=é ", nil))
	fmt.Println(sanitize.URL("javascript:alert(1)", nil))
	// Output:
	// Becker’s Hospital Review gpj.exe
	// <p>Read <a href="https://example.org/communities/ccm/curated-content/report/" rel="nofollow noopener noreferrer">the report</a></p>
	// sante-publique-con
	// https://example.org/a%20b?q=%C3%A9 true
	//  false
}

func ExampleText() {
	fmt.Println(sanitize.Text("  <b>Becker&amp;amp;s</b> Hospital&nbsp;Review:\n Beckerâ€™s list  "))
	// Output: Becker&amp;s Hospital Review: Becker’s list
}

func ExampleHTML() {
	page, _ := url.Parse("https://example.org/communities/ccm/curated-content/item/")
	fmt.Println(sanitize.HTML(`<p onclick="steal()">See <a href="../report/" target="_blank">the report</a>`+
		`<img src="https://tracker.example/p.gif" width="1" height="1"><script>alert(1)</script></p>`, page))
	// Output: <p>See <a href="https://example.org/communities/ccm/curated-content/report/" rel="nofollow noopener noreferrer">the report</a></p>
}

func ExampleSlug() {
	for _, name := range []string{"Gartner: Cybersecurity", "Straße Ærø", "../../etc/passwd", "CON", "健康"} {
		fmt.Printf("%q\n", sanitize.Slug(name))
	}
	// Output:
	// "gartner-cybersecurity"
	// "strasse-aero"
	// "etc-passwd"
	// "con-1143da2bc5"
	// "u-aa18b6dcd8"
}

func ExampleRepairMojibake() {
	fmt.Println(sanitize.RepairMojibake("Beckerâ€™s cafÃ© â€” SÃO PAULO"))
	// Output: Becker’s café — SÃO PAULO
}

func ExampleTruncate() {
	fmt.Println(sanitize.Truncate("Population health management, one community at a time", 30))
	// Output: Population health management…
}
