package sanitize

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curafeed/curafeed/internal/sanitizetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// markerAfter is the paragraph the hostile-HTML tests put after each
// construct; a browser shows it, so the sanitizer must keep it.
const markerAfter = "<p>MARKER-AFTER</p>"

// unrendered are the elements whose content a browser does not show as part
// of the document's text (with scripting enabled, as in every feed reader
// that runs in a browser).
var unrendered = map[string]bool{
	"script": true, "style": true, "template": true, "iframe": true, "noscript": true,
	"noembed": true, "noframes": true, "title": true, "textarea": true, "select": true,
	"datalist": true, "head": true,
}

// browserShows reports whether a browser would show text containing marker
// when it renders s: the text must be in a text node (not in a comment, an
// attribute or a tag a browser reads as raw text) outside every unrendered
// element and outside SVG graphics (foreignObject aside).
func browserShows(t testing.TB, s, marker string) bool {
	t.Helper()
	var shows func(n *html.Node, hidden bool) bool
	shows = func(n *html.Node, hidden bool) bool {
		if n.Type == html.TextNode {
			return !hidden && strings.Contains(n.Data, marker)
		}
		if n.Type == html.ElementNode {
			switch {
			case n.Namespace == "svg" && n.Data == "foreignObject":
				hidden = false
			case n.Namespace == "svg", n.Namespace == "math" && (n.Data == "annotation-xml" || n.Data == "annotation"):
				hidden = true
			case n.Namespace == "" && unrendered[n.Data]:
				hidden = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if shows(c, hidden) {
				return true
			}
		}
		return false
	}
	for _, n := range sanitizetest.ParseLikeBrowser(t, s) {
		if shows(n, false) {
			return true
		}
	}
	return false
}

// requireKeepsMarker sanitizes in + markerAfter with and without a base and
// requires the marker when a browser shows it, nothing executable, and a
// fixed point. It reports whether the browser shows the marker.
func requireKeepsMarker(t *testing.T, in string) bool {
	t.Helper()
	in += markerAfter
	shown := browserShows(t, in, "MARKER-AFTER")
	for _, base := range []*url.URL{sanitizeBase, nil} {
		got := HTML(in, base)
		requireSafeHTML(t, got)
		sanitizetest.RequireNothingExecutable(t, got)
		require.Equal(t, got, HTML(got, base), "not a fixed point for %q", in)
		if shown {
			require.Contains(t, got, "MARKER-AFTER", "input: %q", in)
		}
	}
	return shown
}

// droppedElementTests are elements the sanitizer drops, each followed by the
// marker: closed, unclosed, with attributes and content, in the forms that
// records carry.
var droppedElementTests = []struct{ name, in string }{
	{"frameset", `<frameset cols="50%,50%"><frame src="https://evil.example/a"><frame src="javascript:alert(1)"></frameset>`},
	{"frameset with noframes", `<FRAMESET rows="*"><FRAME SRC="https://evil.example/"><NOFRAMES><p>No frames</p></NOFRAMES></FRAMESET>`},
	{"frameset unclosed", `<frameset onload="alert(1)"><frame src="x">`},
	{"frame", `<frame src="https://evil.example/">`},
	{"frame self-closed", `<frame src="https://evil.example/"/>`},
	{"object", `<object data="https://evil.example/x.swf" type="application/x-shockwave-flash"><param name="movie" value="x.swf"></object>`},
	{"object unclosed", `<object data="https://evil.example/x.swf">`},
	{"object with fallback", `<object data="x.pdf"><p>Fallback text</p></object>`},
	{"embed", `<embed src="https://evil.example/x.swf">`},
	{"embed closed", `<embed src="https://evil.example/x.swf"></embed>`},
	{"applet", `<applet code="Evil.class" archive="evil.jar"><param name="a" value="b"></applet>`},
	{"applet unclosed", `<applet code="Evil.class">`},
	{"portal", `<portal src="https://evil.example/"></portal>`},
	{"portal unclosed", `<portal src="https://evil.example/">`},
	{"form", `<form action="https://evil.example/login" method="post"><input name="p" type="password"><button>Go</button></form>`},
	{"form unclosed", `<form action="https://evil.example/"><input name="q">`},
	{"isindex", `<isindex prompt="Search" action="https://evil.example/">`},
	{"base", `<base href="https://evil.example/">`},
	{"meta", `<meta http-equiv="refresh" content="0;url=https://evil.example/">`},
	{"link", `<link rel="stylesheet" href="https://evil.example/x.css">`},
	{"noframes", `<noframes><p>Your reader has no frames</p></noframes>`},
	{"noembed", `<noembed><p>No embed</p></noembed>`},
	{"xmp", `<xmp><script>alert(1)</script></xmp>`},
	{"plaintext", `<plaintext>`},
	{"template", `<template><p>t</p><script>alert(1)</script></template>`},
	{"math", `<math><mi>x</mi><annotation-xml encoding="text/html"><script>alert(1)</script></annotation-xml></math>`},
	{"math unclosed", `<math><mi>x</mi>`},
	{"svg", `<svg width="10" height="10"><circle r="5"/><script>alert(1)</script></svg>`},
	{"svg unclosed", `<svg><circle r="5">`},
	{"svg foreignObject", `<svg><foreignObject><p>inside</p></foreignObject></svg>`},
	{"select", `<select name="s"><option>a</option><option>b</option></select>`},
	{"textarea", `<textarea name="t"><p>text</p></textarea>`},
	{"iframe", `<iframe src="https://evil.example/"></iframe>`},
	{"iframe with content", `<iframe src="https://evil.example/"><p>fallback</p></iframe>`},
	{"script", `<script>alert(1)</script>`},
	{"style", `<style>p{display:none}</style>`},
	{"noscript", `<noscript><img src="https://t.example/p.gif"></noscript>`},
	{"title", `<title>A title</title>`},
	{"head and body", `<html><head><title>T</title><meta charset="utf-8"></head><body><p>body text</p></body></html>`},
	{"body alone", `<body onload="alert(1)">`},
	{"video unclosed", `<video src="https://evil.example/v.mp4" poster="javascript:alert(1)">`},
	{"audio", `<audio controls><source src="https://evil.example/a.mp3"></audio>`},
	{"canvas", `<canvas width="10" height="10"></canvas>`},
	{"map and area", `<map name="m"><area href="javascript:alert(1)" shape="rect"></map>`},
	{"keygen and param", `<keygen name="k"><param name="p" value="v">`},
	{"bgsound", `<bgsound src="https://evil.example/s.mid">`},
	{"listing", `<listing>code</listing>`},
	{"image", `<image src="https://example.com/i.png">`},
	{"custom element", `<x-frame src="javascript:alert(1)">x</x-frame>`},
	{"dialog", `<dialog open><p>d</p></dialog>`},
	{"comment", `<!-- <p>commented</p> -->`},
	{"conditional comment", `<!--[if IE]><script>alert(1)</script><![endif]-->`},
	{"doctype", `<!DOCTYPE html>`},
	{"processing instruction", `<?xml version="1.0"?>`},
	{"cdata", `<![CDATA[<p>x</p>]]>`},
}

// TestSanitizeHTMLKeepsTextAfterDroppedElements requires that dropping an
// element never drops the paragraphs a browser shows after it.
func TestSanitizeHTMLKeepsTextAfterDroppedElements(t *testing.T) {
	for _, tt := range droppedElementTests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, requireKeepsMarker(t, tt.in), "a browser shows the marker after %q", tt.in)
		})
	}
}

// TestSanitizeHTMLRendersAsBrowser checks what becomes of the content of
// dropped elements: text a browser shows stays, as text; what it hides or
// runs goes.
func TestSanitizeHTMLRendersAsBrowser(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"xmp content is text", `<xmp><b>bold</b> & co</xmp>`, `&lt;b&gt;bold&lt;/b&gt; &amp; co`},
		{"plaintext content is text", `<p>a</p><plaintext><p>b</p><script>x</script>`, `<p>a</p>&lt;p&gt;b&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;`},
		{"noframes fallback text", `<frameset><frame src="x"><noframes><p>Use <a href="https://example.com/">this</a></p></noframes></frameset><p>after</p>`, ` Use this <p>after</p>`},
		{"noembed fallback text", `<embed src="x.swf"><noembed>No <b>plugin</b></noembed><p>after</p>`, `No plugin<p>after</p>`},
		{"object fallback kept", `<object data="x.swf"><param name="a" value="b"><p>fallback</p></object><p>after</p>`, `<p>fallback</p><p>after</p>`},
		{"unclosed object keeps what follows", `<object data="x.swf"><p>after</p>`, `<p>after</p>`},
		{"form keeps its text", `<form action="/x"><label>Name <input name="n"></label><button>Send</button></form><p>after</p>`, `Name Send<p>after</p>`},
		{"frameset and frames vanish", `<frameset><frame src="a"><frame src="b"></frameset><p>after</p>`, `<p>after</p>`},
		{"head wrappers vanish", `<html><head><title>T</title><base href="https://evil.example/"><link rel="stylesheet" href="x.css"></head><body><p>text</p></body></html><p>after</p>`, `<p>text</p><p>after</p>`},
		{"svg text goes, paragraph after stays", `<svg><text>graphic</text></svg><p>after</p>`, `<p>after</p>`},
		{"paragraph breaks out of svg", `<svg><circle r="1"><p>after</p>`, `<p>after</p>`},
		{"foreignObject content stays", `<svg><foreignObject><p>inside</p></foreignObject></svg>`, `<p>inside</p>`},
		{"math text stays", `<math><mi>x</mi><mo>+</mo><mn>1</mn></math><p>after</p>`, `x+1<p>after</p>`},
		{"img breaks out of math style, as in a browser", `<math><style><img src=x onerror=alert(1)></style></math>`, `<img src="https://example.org/communities/ccm/curated-content/item/x">`},
		{"namespace confusion", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`, `<table></table>`},
		{"unclosed title eats the rest, as in a browser", `<title><p>hidden</p>`, ``},
		{"select and option", `<select><option>a</option></select><p>after</p>`, `<p>after</p>`},
		{"image becomes img", `<image src="https://example.com/i.png" alt="i">`, `<img src="https://example.com/i.png" alt="i">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, sanitizeBase)
			assert.Equal(t, tt.want, got)
			sanitizetest.RequireNothingExecutable(t, got)
			assert.Equal(t, got, HTML(got, sanitizeBase), "not a fixed point")
		})
	}
}

// html5secVectors reads the html5sec.org vectors from testdata.
func html5secVectors(t testing.TB) []struct {
	ID   int    `json:"id"`
	HTML string `json:"html"`
} {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sanitize", "html5sec-vectors.json"))
	require.NoError(t, err)
	var file struct {
		Vectors []struct {
			ID   int    `json:"id"`
			HTML string `json:"html"`
		} `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.Greater(t, len(file.Vectors), 100)
	return file.Vectors
}

// hiddenMarkerVectors are the vectors after which a browser itself does not
// show the marker paragraph: each leaves the parser inside a raw-text
// element, a comment or a tag. The test checks that the HTML5 parser agrees,
// so that this list hides no failure.
var hiddenMarkerVectors = map[string]bool{
	"owasp-024":    true, // <SCRIPT SRC=...?< B >: an unclosed script
	"owasp-025":    true, // <SCRIPT SRC=//xss.rocks/.j>: an unclosed script
	"owasp-027":    true, // <iframe src=... <: an unclosed iframe
	"html5sec-121": true, // <iframe .../>: "/>" does not close an iframe
	"html5sec-139": true, // <iframe srcdoc=... />: likewise
}

// TestSanitizeHTMLEvasionVectors feeds every OWASP XSS Filter Evasion Cheat
// Sheet vector and every html5sec.org vector, each followed by a marker
// paragraph, and requires the marker wherever a browser would show it, and
// nothing executable in the tree a browser builds from the output.
func TestSanitizeHTMLEvasionVectors(t *testing.T) {
	type vector struct{ name, in string }
	var vectors []vector
	for i, v := range xssVectors {
		vectors = append(vectors, vector{fmt.Sprintf("owasp-%03d", i), v.in})
	}
	for _, v := range html5secVectors(t) {
		vectors = append(vectors, vector{fmt.Sprintf("html5sec-%03d", v.ID), v.HTML})
	}
	hidden := 0
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			shown := requireKeepsMarker(t, v.in)
			assert.Equal(t, hiddenMarkerVectors[v.name], !shown, "a browser shows the marker after %s: %v", v.name, shown)
			if !shown {
				hidden++
			}
		})
	}
	t.Logf("%d vectors; after %d of them a browser hides the marker too", len(vectors), hidden)
}

// trackingPixelTests are images that only track the reader.
var trackingPixels = []string{
	`<img src="https://t.example/p.gif" width="1" height="1">`,
	`<img src="https://t.example/p.gif" width="0" height="0" alt="">`,
	`<img src="https://t.example/p.gif" width="1px" height="1px">`,
	`<img src="https://t.example/p.gif" width="1.0" height="1.00">`,
	`<img src="https://t.example/p.gif" width=" 1 " height=" 0 ">`,
	`<img src="https://t.example/p.gif" WIDTH="1PX" HEIGHT="1PX">`,
	`<img src="https://t.example/p.gif" width="0.5" height="0.5">`,
	`<img src="https://t.example/p.gif" style="width:1px;height:1px">`,
	`<img src="https://t.example/p.gif" style="width: 0; height: 0;">`,
	`<img src="https://t.example/p.gif" width="1" style="height:1px">`,
	`<img src="https://t.example/p.gif" width="1" height="1" style="width:100px;height:100px">`,
	`<img src="https://t.example/p.gif" width="600" height="1" style="width:1px">`,
	`<img src="https://t.example/p.gif" style="display:none">`,
	`<img src="https://t.example/p.gif" style="DISPLAY: None !important" width="600" height="400">`,
	`<img src="https://t.example/p.gif" style="visibility:hidden">`,
	`<img src="https://t.example/p.gif" style="opacity:0">`,
	`<img src="https://t.example/p.gif" style="position:absolute;left:-9999px">`,
	`<img src="https://t.example/p.gif" hidden>`,
	`<img src="https://ad.doubleclick.net/ddm/activity/src=1;type=x;cat=y" width="600" height="400">`,
	`<img src="https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/?guid=ON">`,
	`<img src="https://www.facebook.com/tr?id=123&ev=PageView&noscript=1">`,
	`<img src="https://facebook.com/tr/?id=1">`,
	`<img src="https://stats.wordpress.com/b.gif?v=noscript">`,
	`<img src="https://pixel.wp.com/g.gif?blog=1">`,
	`<img src="https://feeds.feedburner.com/~r/Example/~4/AbCdEf" height="1" width="1" alt="">`,
	`<img src="http://feeds.feedburner.com/~r/Example/~4/AbCdEf">`,
	`<img src="https://feedproxy.google.com/~r/Example/~4/AbCdEf">`,
	`<img src="https://www.google-analytics.com/collect?v=1&tid=UA-1&t=event">`,
	`<img src="https://ssl.google-analytics.com/__utm.gif?utmwv=1">`,
	`<img src="https://www.googletagmanager.com/ns.html?id=GTM-X">`,
	`<img src="https://pixel.quantserve.com/pixel/p-abc.gif">`,
	`<img src="https://sb.scorecardresearch.com/p?c1=2&c2=1">`,
	`<img src="https://example.us1.list-manage.com/track/open.php?u=1&id=2">`,
	`<img src="https://track.hubspot.com/__ptq.gif?a=1">`,
	`<img src="https://bat.bing.com/action/0?ti=1">`,
	`<img src="https://px.ads.linkedin.com/collect/?pid=1">`,
	`<img src="https://analytics.twitter.com/i/adsct?txn_id=1">`,
	`<img src="https://ct.pinterest.com/v3/?tid=1">`,
	`<img src="https://mc.yandex.ru/watch/1">`,
	`<img src="HTTPS://WWW.FACEBOOK.COM./tr?id=1">`,
	`<img src="https://www.googleadservices.com/pagead/conversion/1/?label=x">`,
	`<img src="https://secure.adnxs.com/px?id=1&t=2">`,
	`<img src="https://analytics.example.org/matomo.php?idsite=1&rec=1">`,
	`<img src="https://stats.example.org/piwik.php?idsite=1">`,
	`<img src="https://example.org/__utm.gif?utmac=UA-1">`,
	`<img src="https://u1.ct.sendgrid.net/wf/open?upn=abc">`,
	`<img src="https://mandrillapp.com/track/open.php?u=1">`,
	`<img src="https://alb.reddit.com/rp.gif?id=1">`,
	`<img src="https://c.clarity.ms/c.gif">`,
	`<img src="https://tr.snapchat.com/p">`,
	`<img src="https://analytics.tiktok.com/i18n/pixel/events.js">`,
	`<img src="https://feeds.feedblitz.com/~/i/123/0/example">`,
	`<img src="https://example.sc.omtrdc.net/b/ss/rsid/1/H.27/s123">`,
	`<img src="https://ping.chartbeat.net/ping?h=example.com">`,
	`<img src="https://pixel.example.com/t.gif?u=1">`,
	`<img src="https://PIXEL.tracker.example/open">`,
	`<img src="https://news.example.com/img/pixel.gif?id=1" width="600">`,
	`<img src="https://news.example.com/pixel.png">`,
	`<img src="https://mail.example.com/tracking/pixel/abc">`,
	`<img src="https://mail.example.com/beacon.gif">`,
}

// legitimateImages look like tracking pixels in one way and are not.
var legitimateImages = []string{
	`<img src="https://example.com/icon.png" width="16" height="16" alt="icon">`,
	`<img src="https://example.com/chart.png" width="600" height="400" alt="chart">`,
	`<img src="https://example.com/rule.gif" width="600" height="1">`,
	`<img src="https://example.com/one.gif" width="1">`,
	`<img src="https://example.com/p.gif">`,
	`<img src="https://i0.wp.com/example.com/photo.jpg" alt="photo">`,
	`<img src="https://example.com/tr?id=1">`,
	`<img src="https://www.facebook.com/images/logo.png" alt="logo">`,
	`<img src="https://feeds.feedburner.com/images/logo.png" alt="logo">`,
	`<img src="https://notdoubleclick.net.example.com/chart.png" alt="chart">`,
	`<img src="https://example.com/wide.png" style="width:100%;height:auto">`,
	`<img src="https://example.com/c.png" width="10" height="10" style="opacity:0.5">`,
	`<img src="https://pixelart.example.com/sprite.png" alt="sprite">`,
	`<img src="https://example.com/pixel-art/cat.png" alt="cat">`,
	`<img src="https://example.com/pixels.gif" alt="pixels">`,
}

func TestSanitizeHTMLTrackingPixelFamily(t *testing.T) {
	for _, in := range trackingPixels {
		t.Run("removed "+in, func(t *testing.T) {
			got := HTML(`<p>before`+in+`after</p>`, sanitizeBase)
			assert.Equal(t, `<p>beforeafter</p>`, got)
		})
	}
	for _, in := range legitimateImages {
		t.Run("kept "+in, func(t *testing.T) {
			got := HTML(in, sanitizeBase)
			assert.Contains(t, got, "<img ")
			requireSafeHTML(t, got)
			assert.Equal(t, got, HTML(got, sanitizeBase))
		})
	}
}

func TestSanitizeHTMLUnicodeHygiene(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Windows-1252 references", `<p>&#128;5 &#133; &#145;q&#146; &#147;d&#148; &#150; &#151; &#153; &#159;</p>`, "<p>€5 … ‘q’ “d” – — ™ Ÿ</p>"},
		{"Windows-1252 hex references", `<p>&#x80;&#x85;&#x99;&#X9F;</p>`, "<p>€…™Ÿ</p>"},
		{"undefined Windows-1252 references", `<p>a&#129;b&#141;c&#143;d&#144;e&#157;f&#x81;g&#x9D;h&#x8d</p>`, "<p>abcdefgh</p>"},
		{"raw C1", "<p>a\u0080b\u0085c\u009fd</p>", "<p>abcd</p>"},
		{"bidi references", `<p>Invoice &#x202E;gpj.exe &#8238;x&#x202A;&#x202B;&#x202C;&#x202D;&#x2066;&#x2067;&#x2068;&#x2069;y</p>`, "<p>Invoice gpj.exe xy</p>"},
		{"raw bidi", "<p>Invoice \u202egpj.exe\u2066\u2069</p>", "<p>Invoice gpj.exe</p>"},
		{"marks and scripts kept", "<p>a\u200eb\u200fc\u061cd עברית العربية</p>", "<p>a\u200eb\u200fc\u061cd עברית العربية</p>"},
		{"noncharacters", "<p>a&#xFDD0;b\ufdefc&#xFFFE;d&#x1FFFF;e\U0010fffef&#xFFFF;</p>", "<p>abcdef</p>"},
		{"byte-order mark inside", "<p>a\ufeffb&#xFEFF;c</p>", "<p>abc</p>"},
		{"in attributes", `<img src="https://example.com/i.png" alt="a&#x202E;b&#129;c&#128;d&#xFDD0;e" title="&#8238;t">`, `<img src="https://example.com/i.png" alt="abc€de" title="t">`},
		{"in link text and title", `<a href="https://example.com/" title="x&#x2067;y">l&#x202D;ink&#157;</a>`, `<a href="https://example.com/" title="xy" rel="nofollow noopener noreferrer">link</a>`},
		{"without other markup", "Invoice \u202egpj.exe\u0085\ufdd0", "Invoice gpj.exe"},
		{"decomposed text composed", "<p>Cafe\u0301 Society</p>", "<p>Café Society</p>"},
		{"decomposed attribute composed", `<img src="https://example.com/i.png" alt="Cafe&#769;">`, `<img src="https://example.com/i.png" alt="Café">`},
		{"combining mark after a tag escaped", "<p><b>x</b>\u0338y</p><p>\u0301z</p>", "<p><b>x</b>&#824;y</p><p>&#769;z</p>"},
		{"mojibake of an override", "<p>Invoice â€®gpj.exe</p>", "<p>Invoice gpj.exe</p>"},
		{"double-escaped reference to a control", `<p>a&amp;#x202E;b&amp;#8238c&amp;#129;d&amp;#xFDD0;e&amp;&#x23;x202E;f</p>`, `<p>abcdef</p>`},
		{"reference joined by a removed control", "<p>a&\x01#x202E;b\x02&amp;\x0b#129;c</p>", "<p>abc</p>"},
		{"decomposed after an invalid byte", "A\xc5\u0306", "Ă"},
		{"double-escaped reference to a character stays text", `<p>&amp;#133; &amp;#8217; &amp;#x41;</p>`, `<p>&amp;#133; &amp;#8217; &amp;#x41;</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, base := range []*url.URL{sanitizeBase, nil} {
				got := HTML(tt.in, base)
				sanitizetest.RequireNoUnwantedRunes(t, got)
				// Normalizing the whole output, as a later step or a reader
				// may, must not fuse a tag's ">" with a combining mark.
				assert.Equal(t, got, norm.NFC.String(got), "not NFC")
				assert.Equal(t, got, HTML(got, base), "not a fixed point")
				if base != nil {
					assert.Equal(t, tt.want, got)
				}
			}
		})
	}
}

// TestSanitizeHTMLDroppedElementsInContext puts each dropped element, in the
// ways it is written (closed, unclosed, self-closed, upper case, with a ">"
// in a quoted attribute), inside the containers a body has, and requires the
// text that follows it wherever a browser shows that text.
func TestSanitizeHTMLDroppedElementsInContext(t *testing.T) {
	names := []string{
		"frameset", "frame", "object", "embed", "applet", "portal", "form", "isindex", "base",
		"meta", "link", "noframes", "noembed", "xmp", "template", "math", "svg", "select",
		"option", "textarea", "iframe", "script", "style", "noscript", "title", "head", "body",
		"html", "video", "audio", "canvas", "param", "source", "button", "input", "keygen",
		"marquee", "blink", "font", "center", "dialog", "details", "summary", "picture", "map",
		"area", "slot", "x-custom", "xml", "comment", "listing", "nobr", "ruby", "rt",
	}
	forms := []func(string) string{
		func(n string) string { return "<" + n + ` id="x" data-a="b>c">inner</` + n + ">" },
		func(n string) string { return "<" + strings.ToUpper(n) + ` SRC="https://evil.example/">` },
		func(n string) string { return "<" + n + ` src="javascript:alert(1)"/>` },
		func(n string) string { return "<" + n + "><" + n + ">nested</" + n + "></" + n + ">" },
		func(n string) string { return "</" + n + ">" },
	}
	contexts := []struct{ open, close string }{
		{"", ""},
		{"<p>text ", " more</p>"},
		{"<div>", "</div>"},
		{"<ul><li>", "</li></ul>"},
		{"<table><tr><td>", "</td></tr></table>"},
		{"<blockquote><b>", "</b></blockquote>"},
		{`<a href="https://example.com/">`, "</a>"},
	}
	hidden := 0
	for _, n := range names {
		for fi, form := range forms {
			for ci, c := range contexts {
				in := c.open + form(n) + c.close
				t.Run(fmt.Sprintf("%s/%d/%d", n, fi, ci), func(t *testing.T) {
					if !requireKeepsMarker(t, in) {
						hidden++
					}
				})
			}
		}
	}
	// A browser hides what follows an unclosed raw-text element (script,
	// style, textarea, title, iframe, noscript, noembed, noframes, xmp as
	// text, select); the rest must all show.
	t.Logf("%d cases; a browser hides the marker in %d", len(names)*len(forms)*len(contexts), hidden)
}

// TestSanitizeHTMLTooDeep feeds bodies nested deeper than the HTML parser
// accepts (512 open elements): their text is kept, as text.
func TestSanitizeHTMLTooDeep(t *testing.T) {
	for _, unit := range []string{"<div>", "<b><i>", `<span title="x">`, "<blockquote>", "<x-a>"} {
		in := strings.Repeat(unit, 600) + "<script>alert(1)</script><p>MARKER-AFTER &amp; more</p>"
		for _, base := range []*url.URL{sanitizeBase, nil} {
			got := HTML(in, base)
			require.Contains(t, got, "MARKER-AFTER &amp; more", unit)
			require.NotContains(t, got, "alert")
			requireSafeHTML(t, got)
			sanitizetest.RequireNothingExecutable(t, got)
			require.Equal(t, got, HTML(got, base), "not a fixed point")
		}
	}
}
