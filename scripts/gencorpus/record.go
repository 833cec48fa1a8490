package main

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

const (
	numTopics = 300
	dupShare  = 0.02 // share of files that re-export an earlier record
)

var (
	firstDay = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDay  = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
)

// topic is one topic as the exports spell it in communityTopics (label)
// and in the JSON of openProjectCustomFields.medigyTopics (json).
type topic struct {
	label string
	json  string
}

// generator holds what every record shares: the vocabularies and the
// seeded popularity order of topics and communities. Everything else about
// record i comes from a PCG stream seeded with (seed, i).
type generator struct {
	seed        uint64
	communities []community
	topics      []topic
	topicCDF    []float64 // Zipf over popularity rank
	topicByRank []int
	commCDF     []float64
	commByRank  []int
}

func newGenerator(seed uint64) *generator {
	g := &generator{seed: seed, communities: newCommunities()}
	for _, v := range vocabularies {
		for _, s := range v.subjects {
			t := topic{label: v.name + ": " + s, json: v.name + ": " + s}
			if strings.HasPrefix(s, "#") {
				t.label = v.name + ": -hash-" + s[1:]
			}
			g.topics = append(g.topics, t)
		}
	}
	// Popularity order depends on the seed only.
	r := rand.New(rand.NewPCG(seed, math.MaxUint64))
	g.topicByRank = r.Perm(len(g.topics))
	g.commByRank = r.Perm(len(g.communities))
	g.topicCDF = zipfCDF(len(g.topics), 1.1, 4)
	g.commCDF = zipfCDF(len(g.communities), 1.0, 3)
	return g
}

// zipfCDF is the cumulative distribution of weights 1/(k+q)^s over ranks 0..n-1.
func zipfCDF(n int, s, q float64) []float64 {
	cdf := make([]float64, n)
	sum := 0.0
	for k := range n {
		sum += math.Pow(float64(k)+q, -s)
		cdf[k] = sum
	}
	for k := range cdf {
		cdf[k] /= sum
	}
	return cdf
}

func sample(r *rand.Rand, cdf []float64) int {
	u := r.Float64()
	lo, hi := 0, len(cdf)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cdf[mid] <= u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

type image struct {
	valid    bool
	alt      string
	format   string
	mimeType string
	href     string
	w, h     int
	attach   int
	fileName string
}

// record is what file i holds.
type record struct {
	index       int
	dup         bool
	id          int
	comm        community
	topics      []int // indexes into generator.topics
	nbspTopic   int   // index into topics spelled with a no-break space, or -1
	date        time.Time
	lastMod     time.Time
	title       string
	slug        string
	authors     []string
	brand       string
	href        string
	original    string
	mdName      string
	category    string
	image       image
	description string
	body        string
}

func (g *generator) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, uint64(i)))
}

// isDup reports whether file i re-exports an earlier record: the first draw
// of stream i decides.
func (g *generator) isDup(i int) bool {
	return i > 0 && g.rng(i).Float64() < dupShare
}

// record builds what file i holds.
func (g *generator) record(i int) *record {
	r := g.rng(i)
	if !(r.Float64() < dupShare) || i == 0 {
		return g.original(i, r)
	}
	j := r.IntN(i)
	for g.isDup(j) {
		j--
	}
	rj := g.rng(j)
	rj.Float64() // the dup draw
	rec := g.original(j, rj)
	rec.index, rec.dup = i, true
	// A later export of the same curation: newer lastMod, a new file name,
	// sometimes a new title, new topics or an edited body.
	rec.lastMod = rec.lastMod.Add(time.Duration(1+r.IntN(200*24*3600))*time.Second +
		time.Duration(r.IntN(1_000_000))*time.Microsecond)
	rec.mdName = uuid5("curafeed-gencorpus", strconv.FormatUint(g.seed, 10), "file", strconv.Itoa(i))
	if r.Float64() < 0.3 {
		rec.title += " (Updated)"
	}
	if r.Float64() < 0.4 {
		rec.topics, rec.nbspTopic = g.pickTopics(r)
	}
	if r.Float64() < 0.5 {
		rec.body = g.body(r, rec)
		rec.description = describe(rec.body, 140+r.IntN(160))
	}
	if rec.image.valid {
		rec.image.href = rec.mdName + rec.image.href[strings.Index(rec.image.href, "-featuredImage"):]
	}
	return rec
}

func (g *generator) pickTopics(r *rand.Rand) ([]int, int) {
	// 1 to 6 topics, mostly 2 or 3.
	k := 1 + sample(r, []float64{0.2, 0.5, 0.74, 0.87, 0.95, 1})
	out := make([]int, 0, k)
	for tries := 0; len(out) < k && tries < 50; tries++ {
		t := g.topicByRank[sample(r, g.topicCDF)]
		seen := false
		for _, u := range out {
			seen = seen || u == t
		}
		if !seen {
			out = append(out, t)
		}
	}
	nbsp := -1
	if r.Float64() < 0.005 {
		nbsp = r.IntN(len(out))
	}
	return out, nbsp
}

func pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// original builds the first export of the record first written at slot i.
func (g *generator) original(i int, r *rand.Rand) *record {
	rec := &record{index: i}
	rec.id = 3000 + 3*i + r.IntN(3)
	rec.comm = g.communities[g.commByRank[sample(r, g.commCDF)]]
	rec.topics, rec.nbspTopic = g.pickTopics(r)
	// Six years of curation, growing over time.
	span := float64(lastDay.Sub(firstDay))
	rec.date = firstDay.Add(time.Duration(math.Pow(r.Float64(), 0.6) * span)).Truncate(time.Microsecond)
	rec.lastMod = rec.date.Add(time.Duration(1+r.IntN(900))*time.Second +
		time.Duration(r.IntN(1_000_000))*time.Microsecond)
	rec.authors = []string{pick(r, curators)}
	if r.Float64() < 0.07 {
		if a := pick(r, curators); a != rec.authors[0] {
			rec.authors = append(rec.authors, a)
		}
	}
	rec.brand = pick(r, publishers)
	rec.title = fill(r, pick(r, titleTemplates), rec.brand)
	switch x := r.Float64(); {
	case x < 0.01:
		rec.title = strings.Replace(rec.title, "&", "&amp;", 1)
	case x < 0.02:
		rec.title = strings.Replace(rec.title, "’", "â€™", 1)
	case x < 0.025:
		rec.title += " "
	}
	base := slugify(rec.title)
	rec.slug = strings.SplitN(rec.brand, ".", 2)[0] + "-" + base
	rec.href = "https://" + www(r) + rec.brand + "/" + articleDir(r) + base + "/"
	rec.original = rec.href
	if r.Float64() < 0.3 {
		rec.original += "?utm_source=" + pick(r, []string{"twitter", "linkedin", "newsletter", "rss"}) +
			"&utm_medium=social&utm_campaign=" + strconv.Itoa(2017+r.IntN(6))
	}
	rec.mdName = uuid5("curafeed-gencorpus", strconv.FormatUint(g.seed, 10), "record", strconv.Itoa(rec.id))
	rec.category = "News"
	if r.Float64() < 0.12 {
		rec.category = pick(r, []string{"Articles", "Blogs", "Research", "Videos"})
	}
	rec.image = g.pickImage(r, rec)
	rec.body = g.body(r, rec)
	rec.description = describe(rec.body, 140+r.IntN(160))
	return rec
}

func www(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return "www."
	}
	return ""
}

func articleDir(r *rand.Rand) string {
	switch r.IntN(5) {
	case 0:
		return ""
	case 1:
		return "news/"
	case 2:
		return strconv.Itoa(2017+r.IntN(6)) + "/" + twoDigits(1+r.IntN(12)) + "/"
	default:
		return pick(r, []string{"article/", "blog/", "insights/", "health-it/", "tech/"})
	}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (g *generator) pickImage(r *rand.Rand, rec *record) image {
	x := r.Float64()
	if x < 0.04 {
		return image{} // valid: false
	}
	sizes := [][2]int{{1000, 688}, {1200, 628}, {800, 450}, {1024, 576}, {640, 360}, {1920, 1080}, {600, 400}, {7360, 4912}}
	sz := sizes[r.IntN(len(sizes))]
	im := image{valid: true, alt: rec.title, w: sz[0], h: sz[1], attach: 9000 + 2*rec.index + r.IntN(2),
		fileName: pick(r, imageFiles)}
	switch y := r.Float64(); {
	case y < 0.78:
		im.format, im.href = "JPEG", rec.mdName+"-featuredImage.jpeg"
	case y < 0.94:
		im.format, im.href = "PNG", rec.mdName+"-featuredImage.png"
	case y < 0.98:
		im.format, im.href = "WEBP", rec.mdName+"-featuredImage.webp"
	default:
		im.format, im.href = "GIF", rec.mdName+"-featuredImage.gif"
	}
	if r.Float64() < 0.03 {
		im.mimeType = "image/" + strings.ToLower(im.format)
	}
	if r.Float64() < 0.05 {
		im.alt = ""
	}
	return im
}

// fill replaces the {slots} of a template.
func fill(r *rand.Rand, tmpl, brand string) string {
	if strings.IndexByte(tmpl, '{') < 0 {
		return tmpl
	}
	var b strings.Builder
	b.Grow(len(tmpl) + 32)
	for {
		k := strings.IndexByte(tmpl, '{')
		if k < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		e := strings.IndexByte(tmpl[k:], '}')
		b.WriteString(tmpl[:k])
		b.WriteString(slot(r, tmpl[k+1:k+e], brand))
		tmpl = tmpl[k+e+1:]
	}
}

func slot(r *rand.Rand, name, brand string) string {
	switch name {
	case "tech":
		return pick(r, techWords)
	case "field":
		return pick(r, fieldWords)
	case "actor":
		return pick(r, actorWords)
	case "result":
		return pick(r, resultWords)
	case "issue":
		return pick(r, issueWords)
	case "person":
		return pick(r, personWords)
	case "product":
		return pick(r, productWords)
	case "phrase":
		return pick(r, phraseWords)
	case "publisher":
		b := strings.SplitN(brand, ".", 2)[0]
		return strings.ToUpper(b[:1]) + b[1:]
	case "n":
		return strconv.Itoa(3 + r.IntN(10))
	case "k":
		return strconv.Itoa(2 + r.IntN(90))
	case "pct":
		return strconv.Itoa(5 + r.IntN(90))
	case "m":
		return strconv.Itoa(2 + r.IntN(150))
	case "year":
		return strconv.Itoa(2018 + r.IntN(8))
	}
	return name
}

func slugify(s string) string {
	b := make([]byte, 0, len(s))
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b = append(b, byte(c))
			dash = false
		} else if !dash && len(b) > 0 {
			b = append(b, '-')
			dash = true
		}
	}
	return strings.TrimSuffix(string(b), "-")
}

// uuid5 is a version 5 UUID (SHA-1, URL namespace) of the joined parts.
func uuid5(parts ...string) string {
	ns := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(strings.Join(parts, ":")))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// timestamp formats t as Python's isoformat does for a UTC time, with a Z.
func timestamp(t time.Time) string {
	if t.Nanosecond() == 0 {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// topicsJSON is the medigyTopics string: a compact JSON array, not ASCII-escaped.
func (g *generator) topicsJSON(rec *record) string {
	var b strings.Builder
	b.WriteByte('[')
	for k, t := range rec.topics {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(g.topics[t].json))
	}
	b.WriteByte(']')
	return b.String()
}

// frontMatter appends the record's front matter, keys in sorted order as
// the exports write them, then the body.
func (g *generator) appendFile(dst []byte, rec *record) []byte {
	w := yamlWriter{b: dst}
	c := rec.comm
	labels := make([]string, len(rec.topics))
	for k, t := range rec.topics {
		labels[k] = g.topics[t].label
		if k == rec.nbspTopic {
			labels[k] = strings.Replace(labels[k], ": ", ":\u00a0", 1)
		}
	}
	w.b = append(w.b, "---\n"...)
	w.str(0, "aliases", "/news/"+slugify(rec.title))
	w.str(0, "archetype", "curate-content")
	w.seq(0, "author", rec.authors)
	w.str(0, "basePath", "/communities/"+c.slug+"/curated-content/")
	w.seq(0, "breadcrumbLinks", []string{"/", "/communities/", "/communities/" + c.slug + "/",
		"/communities/" + c.slug + "/curated-content", "#"})
	w.seq(0, "breadcrumbs", []string{"Home", "Communities", c.name, "Curated Content", rec.title})
	w.seq(0, "categories", nil)
	w.seq(0, "communityTopics", labels)
	w.str(0, "contentCategories", "medigy-"+c.slug+"-curated-content")
	w.str(0, "date", timestamp(rec.date))
	w.str(0, "description", rec.description)
	w.open(0, "featuredImage")
	im := rec.image
	if im.valid {
		w.str(2, "alt", im.alt)
		w.str(2, "format", im.format)
		w.str(2, "href", im.href)
		if im.mimeType != "" {
			w.str(2, "mime_type", im.mimeType)
		}
		w.seqInts(2, "size", im.w, im.h)
		w.raw(2, "valid", "true")
		w.raw(2, "workPackage", strconv.Itoa(rec.id))
		w.open(2, "wpAttachment")
		w.str(4, "fileName", im.fileName)
		w.str(4, "link", "/api/v3/attachments/"+strconv.Itoa(im.attach)+"/content")
	} else {
		w.raw(2, "valid", "false")
		w.raw(2, "workPackage", strconv.Itoa(rec.id))
	}
	w.raw(0, "id", strconv.Itoa(rec.id))
	w.str(0, "identifier", c.name)
	w.str(0, "lastMod", timestamp(rec.lastMod))
	w.open(0, "link")
	w.str(2, "brand", rec.brand)
	w.str(2, "href", rec.href)
	w.str(2, "original", rec.original)
	w.str(0, "mastHead", c.name+" CoP")
	w.str(0, "mdName", rec.mdName)
	w.open(0, "openProjectCustomFields")
	w.str(2, "cleanUrl", rec.href)
	w.str(2, "medigyTopics", g.topicsJSON(rec))
	w.str(2, "sourceUrl", rec.original)
	w.str(0, "openProjectWorkPackageType", "Curated Content")
	w.str(0, "owlType", "Medigy Communities")
	w.str(0, "searchCategory", rec.category)
	w.str(0, "slug", rec.slug)
	w.str(0, "source", "open-project-curations")
	w.str(0, "status", "")
	w.str(0, "sub", "brief")
	w.seq(0, "tags", []string{strings.ToLower(rec.category)})
	w.str(0, "title", rec.title)
	w.str(0, "type", "communities/medigy-"+c.slug)
	w.b = append(w.b, "---\n\n"...)
	w.b = append(w.b, rec.body...)
	w.b = append(w.b, '\n')
	return w.b
}

// path is where the record's file goes below the output folder.
func (rec *record) path() string {
	return "communities/" + rec.comm.slug + "/curated-content/" + rec.mdName + ".md"
}
