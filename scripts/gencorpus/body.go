package main

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

const (
	minBody = 500
	maxBody = 8192
)

// mojibake is what an export that decoded UTF-8 as Windows-1252 makes of
// typographic punctuation (’ becomes â€™).
var mojibake = strings.NewReplacer(
	"’", "â€™",
	"‘", "â€˜",
	"“", "â€œ",
	"”", "â€\u009d",
	"—", "â€”",
	"–", "â€“",
	"é", "Ã©",
	"\u00a0", "Â\u00a0",
)

// body writes an HTML body the way the exports carry them: paragraphs,
// headings, lists, images (some with relative URLs), quotes and tables,
// with entities, some tracking pixels, scripts, iframes and mojibake.
// Sizes are log-normal around 2 KB, kept within 0.5 to 8 KB.
func (g *generator) body(r *rand.Rand, rec *record) string {
	target := int(math.Exp(7.62 + 0.7*r.NormFloat64()))
	target = min(max(target, minBody+r.IntN(100)), maxBody-700-r.IntN(300))
	var (
		styled = r.Float64() < 0.2 // WordPress spans with inline styles
		pixel  = r.Float64() < 0.09
		script = r.Float64() < 0.04
		iframe = r.Float64() < 0.04
		sep    = "\n"
	)
	if r.Float64() < 0.35 {
		sep = "\n\n"
	}
	b := &strings.Builder{}
	b.Grow(target + 1024)
	block := func() { b.WriteString(sep) }
	paragraph(b, r, rec, styled)
	for b.Len() < target {
		block()
		switch x := r.Float64(); {
		case x < 0.56:
			paragraph(b, r, rec, styled)
		case x < 0.64:
			h := "h2"
			if r.IntN(2) == 0 {
				h = "h3"
			}
			b.WriteString("<" + h + ">" + pick(r, headingWords) + "</" + h + ">")
		case x < 0.74:
			list(b, r, rec)
		case x < 0.83:
			img(b, r, rec)
		case x < 0.89:
			b.WriteString("<blockquote><p>")
			b.WriteString(sentence(r, rec))
			b.WriteString("</p></blockquote>")
		case x < 0.92:
			b.WriteString(`<div class="entry-content"><div class="wp-block-group__inner-container">`)
			paragraph(b, r, rec, false)
			b.WriteString("</div></div>")
		case x < 0.94:
			table(b, r)
		case x < 0.96:
			b.WriteString("<!-- wp:paragraph -->" + sep + "<p>")
			b.WriteString(sentence(r, rec))
			b.WriteString("</p>" + sep + "<!-- /wp:paragraph -->")
		default:
			b.WriteString("<p>")
			b.WriteString(sentence(r, rec))
			b.WriteString("<br />\n")
			b.WriteString(sentence(r, rec))
			b.WriteString("</p>")
		}
	}
	if iframe {
		block()
		b.WriteString(`<p><iframe width="560" height="315" src="https://www.youtube.com/embed/` +
			rec.mdName[:8] + rec.mdName[9:12] + `" frameborder="0" allowfullscreen></iframe></p>`)
	}
	if script {
		block()
		if r.IntN(2) == 0 {
			b.WriteString(`<blockquote class="twitter-tweet"><p lang="en" dir="ltr">` + sentence(r, rec) +
				` <a href="https://t.co/` + rec.mdName[24:34] + `">pic.twitter.com/` + rec.mdName[:10] +
				`</a></p>&mdash; ` + pick(r, personWords) + ` <a href="https://twitter.com/medigy/status/1` +
				strconv.Itoa(200000000+r.IntN(700000000)) + `">` + rec.date.Format("January 2, 2006") +
				"</a></blockquote>\n" + `<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>`)
		} else {
			b.WriteString(`<script type="text/javascript">window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);} gtag('js', new Date()); gtag('config', 'G-` +
				strconv.Itoa(100000+r.IntN(900000)) + `');</script>`)
		}
	}
	if pixel {
		block()
		switch r.IntN(4) {
		case 0:
			b.WriteString(`<img src="https://feeds.feedburner.com/~r/` + strings.SplitN(rec.brand, ".", 2)[0] +
				`/~4/` + rec.mdName[:11] + `" height="1" width="1" alt=""/>`)
		case 1:
			b.WriteString(`<img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=` +
				strconv.Itoa(100000000+r.IntN(899999999)) + `&amp;ev=PageView&amp;noscript=1"/>`)
		case 2:
			b.WriteString(`<p><img src="https://stats.` + rec.brand + `/pixel.gif?u=` + rec.mdName[:8] +
				`" width="0" height="0" border="0" /></p>`)
		default:
			b.WriteString(`<div style="display:none"><img src="https://pixel.wp.com/g.gif?blog=` +
				strconv.Itoa(1000000+r.IntN(9000000)) + `" alt="" width="1" height="1" /></div>`)
		}
	}
	s := b.String()
	if len(s) > maxBody {
		if cut := strings.LastIndex(s[:maxBody], sep+"<"); cut > minBody {
			s = s[:cut]
		}
	}
	if r.Float64() < 0.11 {
		s = mojibake.Replace(s)
	}
	if r.Float64() < 0.002 {
		// Copy-paste debris: a control character XML does not allow.
		if k := strings.Index(s, ". "); k > 0 {
			s = s[:k+1] + "\x0b" + s[k+1:]
		}
	}
	return s
}

func sentence(r *rand.Rand, rec *record) string {
	s := fill(r, pick(r, sentenceTemplates), rec.brand)
	switch x := r.Float64(); {
	case x < 0.12:
		s = "“" + strings.TrimSuffix(strings.ReplaceAll(s, "'", "’"), ".") + ",” said " + pick(r, personWords) + "."
	case x < 0.16:
		s = strings.Replace(s, ", ", " — ", 1)
	case x < 0.18:
		s = strings.Replace(s, " to ", " to &#8216;", 1)
		s = strings.TrimSuffix(s, ".") + "&#8217;."
	}
	return s
}

func paragraph(b *strings.Builder, r *rand.Rand, rec *record, styled bool) {
	switch {
	case styled:
		b.WriteString(`<p><span style="font-weight: 400;">`)
	case r.Float64() < 0.08:
		b.WriteString(`<p class="p1" style="text-align: justify;">`)
	default:
		b.WriteString("<p>")
	}
	for k, n := 0, 2+r.IntN(5); k < n; k++ {
		if k > 0 {
			if r.Float64() < 0.05 {
				b.WriteString("&nbsp;<br>")
			} else {
				b.WriteByte(' ')
			}
		}
		s := sentence(r, rec)
		switch x := r.Float64(); {
		case x < 0.09:
			link(b, r, rec, strings.TrimSuffix(s, "."))
			b.WriteByte('.')
			continue
		case x < 0.12:
			// A link relative to the article's own site, or to the community.
			a := pick(r, anchorWords)
			s = strings.TrimSuffix(s, ".") + `, <a href="` + relative(r, rec) + `">` + a + "</a>."
		case x < 0.17:
			s = "<strong>" + s + "</strong>"
		case x < 0.21:
			s = "<em>" + s + "</em>"
		case x < 0.23:
			s = strings.Replace(s, " ", "&nbsp;", 1)
		case x < 0.25:
			s = strings.ReplaceAll(s, " and ", " &amp; ") + " &ldquo;Stay tuned.&rdquo;"
		case x < 0.26:
			s += ` <span style="color: #ff0000;" onmouseover="track(this)">` + pick(r, phraseWords) + "</span>"
		}
		b.WriteString(s)
	}
	if styled {
		b.WriteString("</span>")
	}
	b.WriteString("</p>")
}

func link(b *strings.Builder, r *rand.Rand, rec *record, text string) {
	a := pick(r, anchorWords)
	b.WriteString(text)
	b.WriteString(`, <a href="https://`)
	b.WriteString(pick(r, publishers))
	b.WriteByte('/')
	b.WriteString(slugify(a))
	b.WriteByte('/')
	b.WriteByte('"')
	if r.Float64() < 0.6 {
		b.WriteString(` target="_blank" rel="noopener noreferrer"`)
	}
	if r.Float64() < 0.03 {
		b.WriteString(` onclick="ga('send','event','outbound','` + rec.brand + `')"`)
	}
	b.WriteByte('>')
	b.WriteString(a)
	b.WriteString("</a>")
}

func relative(r *rand.Rand, rec *record) string {
	switch r.IntN(4) {
	case 0:
		return "/communities/" + rec.comm.slug + "/"
	case 1:
		return "../" + slugify(pick(r, techWords)) + "/"
	case 2:
		return "/news/" + slugify(pick(r, fieldWords)) + "-" + strconv.Itoa(r.IntN(9000)+1000)
	default:
		return "resources/" + slugify(pick(r, phraseWords)) + ".pdf"
	}
}

func list(b *strings.Builder, r *rand.Rand, rec *record) {
	tag := "ul"
	if r.Float64() < 0.3 {
		tag = "ol"
	}
	b.WriteString("<" + tag + ">")
	for k, n := 0, 3+r.IntN(4); k < n; k++ {
		b.WriteString("\n<li>")
		b.WriteString(fill(r, pick(r, listTemplates), rec.brand))
		b.WriteString("</li>")
	}
	b.WriteString("\n</" + tag + ">")
}

func img(b *strings.Builder, r *rand.Rand, rec *record) {
	w, h := "1024", "576"
	if r.IntN(2) == 0 {
		w, h = "800", "533"
	}
	name := slugify(pick(r, techWords))
	dir := "/wp-content/uploads/" + strconv.Itoa(rec.date.Year()) + "/" + twoDigits(int(rec.date.Month())) + "/"
	src := "https://" + rec.brand + dir + name + "-" + w + "x" + h + ".jpg"
	if r.Float64() < 0.25 {
		src = dir + name + "-" + w + "x" + h + ".jpg" // relative to the article's site
	}
	figure := r.Float64() < 0.4
	if figure {
		b.WriteString(`<figure class="wp-block-image size-large">`)
	}
	b.WriteString(`<img class="aligncenter size-large wp-image-`)
	b.WriteString(strconv.Itoa(10000 + r.IntN(90000)))
	b.WriteString(`" src="` + src + `" alt="` + pick(r, techWords) + `" width="` + w + `" height="` + h + `"`)
	if r.Float64() < 0.5 {
		b.WriteString(` srcset="` + src + " " + w + `w, ` + strings.Replace(src, w+"x"+h, "300x169", 1) +
			` 300w" sizes="(max-width: ` + w + `px) 100vw, ` + w + `px"`)
	}
	b.WriteString(" />")
	if figure {
		b.WriteString("<figcaption>Source: " + rec.brand + "</figcaption></figure>")
	}
}

func table(b *strings.Builder, r *rand.Rand) {
	b.WriteString("<table>\n<thead><tr><th>Measure</th><th>Before</th><th>After</th></tr></thead>\n<tbody>")
	for k, n := 0, 2+r.IntN(4); k < n; k++ {
		b.WriteString("\n<tr><td>" + pick(r, resultWords) + "</td><td>" + strconv.Itoa(10+r.IntN(80)) +
			"%</td><td>" + strconv.Itoa(10+r.IntN(80)) + "%</td></tr>")
	}
	b.WriteString("\n</tbody>\n</table>")
}

var textEntities = strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&ldquo;", "“", "&rdquo;", "”",
	"&#8216;", "‘", "&#8217;", "’", "&mdash;", "—", "\x0b", "")

// describe is the record's description as the exports have it: the start
// of the body's text, cut at a word boundary.
func describe(body string, n int) string {
	t := make([]byte, 0, min(len(body), 4*n))
	inTag, space := false, true
	for i := 0; i < len(body) && len(t) < 2*n; i++ {
		c := body[i]
		switch {
		case c == '<':
			inTag = true
		case c == '>':
			inTag = false
			if !space {
				t = append(t, ' ')
				space = true
			}
		case inTag:
		case c == ' ' || c == '\n' || c == '\t':
			if !space {
				t = append(t, ' ')
				space = true
			}
		default:
			t = append(t, c)
			space = false
		}
	}
	s := strings.Join(strings.Fields(textEntities.Replace(string(t))), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < 40 {
		cut = n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut-- // not inside a UTF-8 sequence
		}
	}
	return strings.TrimRight(s[:cut], " ,;:")
}
