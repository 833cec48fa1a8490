package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/unicode/norm"
)

// textHygieneTests are plain-text inputs and what Text makes of them:
// no bidirectional embedding, override or isolate controls, no C1 controls
// (raw or as references), no noncharacters, no U+FEFF, and NFC.
var textHygieneTests = []struct{ name, in, want string }{
	{"right-to-left override", "Invoice \u202egpj.exe", "Invoice gpj.exe"},
	{"every embedding and override", "a\u202ab\u202bc\u202cd\u202de\u202ef", "abcdef"},
	{"every isolate", "a\u2066b\u2067c\u2068d\u2069e", "abcde"},
	{"bidi controls as references", "a&#x202E;b&#8238;c&#x2066;d&#8297;e", "abcde"},
	{"marks kept", "a\u200eb\u200fc\u061cd", "a\u200eb\u200fc\u061cd"},
	{"Arabic and Hebrew kept", "مرحبا بالعالم שלום עולם", "مرحبا بالعالم שלום עולם"},
	{"Hebrew with RLM kept", "\u05e9\u05dc\u05d5\u05dd\u200f (1)", "\u05e9\u05dc\u05d5\u05dd\u200f (1)"},
	{"raw C1 controls", "a\u0080b\u0081c\u008dd\u009fe", "abcde"},
	{"C1 references as Windows-1252", "&#128;5 &#130;x&#131; &#133; &#145;q&#146; &#147;Q&#148; &#150; &#151; &#153; &#159;", "€5 ‚xƒ … ‘q’ “Q” – — ™ Ÿ"},
	{"hex C1 references", "&#x80;5 &#x92;s &#X9C;", "€5 ’s œ"},
	{"undefined C1 references dropped", "a&#129;b&#141;c&#143;d&#144;e&#157;f&#x81;g&#x9D;h", "abcdefgh"},
	{"BMP noncharacters", "a\ufdd0b\ufdefc\ufffed\uffffe", "abcde"},
	{"noncharacters in other planes", "a\U0001fffeb\U0001ffffc\U0010fffed\U0010ffffe\U0005fffef", "abcdef"},
	{"noncharacter references", "a&#xFDD0;b&#xFDEF;c&#x1FFFF;d&#x10FFFE;e", "abcde"},
	{"private use kept", "a\ue000b\U000f0000c", "a\ue000b\U000f0000c"},
	{"U+FEFF inside text", "Wo\ufeffrd and &#xFEFF;more", "Word and more"},
	{"NFD composed", "Cafe\u0301 Society", "Café Society"},
	{"NFD through an entity", "Cafe&#x301; Society", "Café Society"},
	{"NFD Hangul composed", "\u1112\u1161\u11ab", "한"},
	{"NFC kept", "Café Society", "Café Society"},
}

func TestCleanTextHygiene(t *testing.T) {
	for _, tt := range textHygieneTests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, Text(got), "not idempotent")
			assert.True(t, norm.NFC.IsNormalString(got), "not NFC: %q", got)
		})
	}
}

// TestSanitizeHTMLTextHygiene checks the same rules for the text and the
// attribute values of HTML content.
func TestSanitizeHTMLTextHygiene(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"override in text", "<p>Invoice \u202egpj.exe</p>", "<p>Invoice gpj.exe</p>"},
		{"isolates in text", "<p>a\u2066b\u2067c\u2068d\u2069e</p>", "<p>abcde</p>"},
		{"override in an attribute", `<p><img src="https://example.org/a.png" alt="x` + "\u202e" + `gpj.exe"></p>`, `<p><img src="https://example.org/a.png" alt="xgpj.exe"></p>`},
		{"marks and scripts kept", "<p>\u05e9\u05dc\u05d5\u05dd\u200f \u0645\u0631\u062d\u0628\u0627\u061c a\u200eb</p>", "<p>\u05e9\u05dc\u05d5\u05dd\u200f \u0645\u0631\u062d\u0628\u0627\u061c a\u200eb</p>"},
		{"raw C1 in text", "<p>a\u0080b\u009fc</p>", "<p>abc</p>"},
		{"noncharacters", "<p>a\ufdd0b\U0001fffec\uffffd</p>", "<p>abcd</p>"},
		{"U+FEFF", "<p>Wo\ufeffrd</p>", "<p>Word</p>"},
		{"NFD text", "<p>Cafe\u0301</p>", "<p>Café</p>"},
		{"NFD in an attribute", `<p><abbr title="Cafe` + "\u0301" + `">C</abbr></p>`, `<p><abbr title="Café">C</abbr></p>`},
		{"combining mark after a tag stays apart", "<p>\u0338x</p>", "<p>&#824;x</p>"},
		{"combining mark after an attribute quote", `<p><abbr title="a">` + "\u0338" + `b</abbr></p>`, `<p><abbr title="a">&#824;b</abbr></p>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, sanitizeBase)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, HTML(got, sanitizeBase), "not idempotent")
		})
	}
}

// mojibakeNegatives is legitimate text that RepairMojibake must return byte
// for byte: upper-case accented letters followed by punctuation or symbols,
// lower-case ones followed by a no-break space and punctuation, and
// symbols that only look like the start of a UTF-8 sequence.
var mojibakeNegatives = []string{
	// All-caps Portuguese and Romanian.
	"SÃO PAULO", "NÃO…", "CORAÇÃO”", "IRMÃ’S", "AMANHÃ\u00a0»", "MAMÃ\u00a0de", "ÎNVĂȚĂMÂNT", "ÎN„ȘCOALĂ”",
	"C O N C L U S Ã O", "RETWEET SE VOCÊ…", "TEM QUE SEGUIR, SDV SÓ…", "ESSE CARA AI QUEM É¿", "!YO SÉ¡",
	"HUHLL Õ…", "PARCE QUE SUR LEURS PLAQUES IL Y MARQUÉ…", "Ôôô VIDA MINHA",
	// Upper-case letters before a no-break space.
	"Ä\u00a0", "SELKÄ\u00a0EDELLÄ\u00a0MAAHAN via @YouTube", "Å\u00a0", "ÖÖ\u00a0KKÖ", "NICIODATĂ\u00a0", "Ü\u00a0Ö",
	// Symbols.
	"×…", "×£", "4288×…", "Offering 5×£35 pin ups", "3×´", "a radius of 10 Å—", "AHÅ™, the new sofa from IKEA",
	"NESTLÉ® requiere", "Join ZZAJÉ’s Official Fan List", "There are a lot of Ã’s in mojibake text",
	"I'm not such a fan of Charlotte Brontë…”", "[x]\u00a0©", "2012—∞", "∆°", "( o¬ô )", "OK??:(   `¬´    ):",
	"(-1/2)! = √π", "├┤a┼┐a┼┐a┼┐a┼┐a", "Connect with Āø on Facebook", "Oborzos, per. Vahbarz, frataraká§ 141",
	"MÄ£ÄM ÌÑÌ Q £ÄGÌ GÄLÄW ÑÍCH SÖÄ£ ÑÝÄ $ÚÄMÌ Q £ÄGÌ GÄK ÉÑÄK BÄDÄÑ....",
	// Accents and diaereses used as quotation marks.
	"Η ¨ανατροφή¨ δυστυχώς από τους προπονητές", "``toda produzida pronta pra assa aí´´",
	"``hogwarts nao existe, voce nao vai pegar o trem pra lá´´", "é´´", "Ü¨", "ä¨",
	// Finnish, Swedish, Estonian.
	"Hyvää päivää", "Hyvää päivää\u00a0– sanoi hän", "Hyvää\u00a0»", "»Hyvää päivää»", "”Hyvää päivää”",
	"Äänestys", "HÄÄT", "ÄÄNI", "HYVÄÄ PÄIVÄÄ”", "PÄÄ»", "YÖ…", "MYÖS™", "TYÖ–", "Kesä\u00a0–\u00a0talvi",
	"tänään\u00a0… ja", "SÄÄ\u00a0—\u00a0HYVÄ", "på…”", "PÅ”", "Öö´´", "Kerä´", "kesä ‒", "ÅÄÖ\u00a0åäö\u00a0©",
	// German, Turkish, Icelandic, Hungarian, Polish, Czech.
	"Größe – 5", "Ärger ‚ja‘", "Straße„", "STRASSE ß…", "GRÜẞE”", "ÜBER™", "Müller’s", "KÖLN–BONN", "ÄÖÜ”",
	"Ölçü – 5", "İSTANBUL’DA", "GÜÇ…", "IŞIK”", "Þú “já”", "GÓÐ”", "MEÐ…", "MEÐ\u00a0ÞÉR", "ÞÚ–", "Ísland…",
	"Ő€", "ÁÉÍÓÖŐÚÜŰ…", "Í”", "ÚŠ", "ŻÓŁĆ…", "ZDRÓ–", "ĄĘ–", "Žluťoučký kůň – úpěl", "ČŘŽ€",
	// Other families: a Ukrainian letter, camel-cased Cyrillic.
	"SENSЕ - Oleg Tsedryk", "ВІКІ is Ukrainian for WIKI", "ПоздравЂаво", "HÅØYA ER BLÅØYD",
	// Lower-case accented letters before a no-break space and punctuation.
	"café\u00a0»", "à\u00a0»", "è\u00a0–", "Con il corpo e lo spirito ammaccato,\u00a0è come se",
	"Tâ…”", "mynd â…”", "pâ”»", "ï…”",
	"Bremer/Mccoy – DrÃ¥ber", "Le Café – NicolÃ¡s",
}

func TestRepairMojibakeNegatives(t *testing.T) {
	for _, s := range mojibakeNegatives {
		t.Run(s, func(t *testing.T) {
			assert.Equal(t, s, RepairMojibake(s))
			assert.Equal(t, collapseSpace(s), Text(s))
		})
	}
}

// mojibakeForms are forms of mojibake that RepairMojibake or Text must
// undo.
var mojibakeForms = []struct{ name, in, want string }{
	{"right double quote lost to U+FFFD", "â€œquotedâ€\ufffd", "“quoted”"},
	{"lone right double quote lost to U+FFFD", "He said â€\ufffd.", "He said ”."},
	{"double-encoded lost quote", "Ã¢â‚¬Å“quotedÃ¢â‚¬ï¿½", "“quoted”"},
	{"double-encoded", "Iggy Pop (nÃƒÂ© Jim Osterberg)", "Iggy Pop (né Jim Osterberg)"},
	{"triple-encoded", "doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t", "doesn’t"},
	{"entity-encoded", "Becker&acirc;&#128;&#153;s Hospital Review", "Becker’s Hospital Review"},
	{"entity-encoded hex", "Becker&#xE2;&#x80;&#x99;s", "Becker’s"},
	{"named entities", "caf&Atilde;&copy; &Atilde;&copy;t&Atilde;&copy;", "café été"},
	{"entity-encoded lost quote", "&acirc;&#128;&#156;quoted&acirc;&#128;&#157;", "“quoted”"},
	{"Latin-1 decoded", "Ecuador\u00e2\u0080\u0099s", "Ecuador’s"},
	{"Turkish", "Beta Haber: HÄ±rsÄ±zÄ± BÃ¼yÃ¼ Korkuttu", "Beta Haber: Hırsızı Büyü Korkuttu"},
	{"Istanbul", "Ä°stanbul", "İstanbul"},
	{"Riga", "RÄ«ga", "Rīga"},
	{"German all-caps", "RUF MICH ZURÃœCK", "RUF MICH ZURÜCK"},
	{"Spanish all-caps", "DOS AÃ‘OS", "DOS AÑOS"},
	{"French all-caps", "HÃ”TEL", "HÔTEL"},
	{"Greek letter mid-word", "IL2RÎ³cKO", "IL2RγcKO"},
	{"Gaelic with no-break space", "CÃ\u00a0nan nan GÃ\u00a0idheal", "Cànan nan Gàidheal"},
	{"Hebrew", "×‘×”×•×“×¢×”", "בהודעה"},
	{"Arabic", "Ø±Ø³Ø§Ù„Ø©", "رسالة"},
	{"music note", "hatikuâ™«~", "hatiku♫~"},
	{"check mark", "âœ” No problems", "✔ No problems"},
	{"wide comma", "Ningboï¼ŒChina", "Ningbo，China"},
	{"Romanian comma below", "faÈ™a È›arÄƒ", "fașa țară"},
	{"French", "aoÃ»t, Ã‰cole, Ã©tÃ©", "août, École, été"},
	{"NFD combining mark with a C1 control", "Cafe\u00cc\u0081 Society", "Café Society"},
	{"two thirds", "1â…” cups", "1⅔ cups"},
	{"lone sequence", "NicolÃ¡s", "Nicolás"},
	{"two sequences among correct text", "Campeonatos > III DivisÃ£o - SÃ©rie F > Jornadas Classificação", "Campeonatos > III Divisão - Série F > Jornadas Classificação"},
	{"sequences among correct punctuation", "Le barÃ¨me forfaitaire permet l’Ã©valuation des frais", "Le barème forfaitaire permet l’évaluation des frais"},
	{"box drawing", "â”€â”€ rule", "── rule"},
}

func TestRepairMojibakeForms(t *testing.T) {
	for _, tt := range mojibakeForms {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, Text(got))
		})
	}
}

// TestSanitizeHTMLMojibake checks repair in the text and the attribute
// values of HTML content.
func TestSanitizeHTMLMojibake(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"text", "<p>Beckerâ€™s â€œquotedâ€\ufffd</p>", "<p>Becker’s “quoted”</p>"},
		{"alt text", `<img src="https://example.org/a.png" alt="Beckerâ€™s cafÃ©">`, `<img src="https://example.org/a.png" alt="Becker’s café">`},
		{"title text", `<abbr title="Ã¢â‚¬Å“doubleÃ¢â‚¬ï¿½">D</abbr>`, `<abbr title="“double”">D</abbr>`},
		{"entity-encoded alt text", `<img src="https://example.org/a.png" alt="Becker&acirc;&#128;&#153;s">`, `<img src="https://example.org/a.png" alt="Becker’s">`},
		{"negatives untouched", "<p>SÃO PAULO SELKÄ\u00a0EDELLÄ ×… ×£ Hyvää\u00a0»</p>", "<p>SÃO PAULO SELKÄ\u00a0EDELLÄ ×… ×£ Hyvää\u00a0»</p>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, sanitizeBase)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestSummary checks that a description that is the body's text with its
// line breaks lost takes its word boundaries back from the body, that the
// body is rendered only when the description needs it, and that without a
// description the summary is the start of the body's text.
func TestSummary(t *testing.T) {
	for _, tt := range []struct{ name, desc, body, want string }{
		{"break lost", "the state faces.Read on statescoop.com", `the state faces.<br><br><a target="_blank" href=https://statescoop.com/a/>Read on statescoop.com</a>`, "the state faces. Read on statescoop.com"},
		{"paragraphs lost", "First part.Second part", "<p>First part.</p><p>Second part</p>", "First part. Second part"},
		{"description is the start of the body", "One.Two", "<div>One.</div><div>Two and more</div>", "One. Two"},
		{"description differs from the body", "Abbrev.Is kept", "<p>Something else.</p>", "Abbrev.Is kept"},
		{"inline tags join", "Bold.Text", "<b>Bold.</b>Text", "Bold.Text"},
		{"trailing ellipsis", "One.Two…", "<p>One.</p><p>Two and more</p>", "One. Two…"},
		{"no description", "", "faces.<br><br><a href=https://statescoop.com/>Read on</a><p>Next</p><ul><li>one</li><li>two</li></ul>", "faces. Read on Next one two"},
		{"description cleaned", " R&amp;D\u202e <b>lab</b> ", "<p>R&amp;D lab</p>", "R&D lab"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			body := func() string { calls++; return HTML(tt.body, nil) }
			assert.Equal(t, tt.want, Summary(tt.desc, body))
			assert.LessOrEqual(t, calls, 1, "the body is rendered at most once")
		})
	}
	t.Run("no body", func(t *testing.T) {
		assert.Equal(t, "U.S.Only", Summary("U.S.Only", nil))
		assert.Equal(t, "", Summary("", nil))
	})
	t.Run("body not rendered for a plain description", func(t *testing.T) {
		assert.Equal(t, "A plain description.", Summary("A plain description.", func() string {
			t.Fatal("body rendered")
			return ""
		}))
	})
	t.Run("long body", func(t *testing.T) {
		got := Summary("", func() string { return "<p>" + strings.Repeat("word ", 200) + "</p>" })
		assert.LessOrEqual(t, utf8.RuneCountInString(got), 301)
		assert.True(t, strings.HasSuffix(got, "word…"), got)
	})
}

// TestTruncate checks that Truncate keeps at most n characters and an
// ellipsis, cuts at a space in the second half, never inside a character,
// and leaves short text alone.
func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "short text", 20, "short text"},
		{"exact", "0123456789", 10, "0123456789"},
		{"at a space", "alpha beta gamma delta", 15, "alpha beta…"},
		{"no space", strings.Repeat("x", 12), 10, strings.Repeat("x", 10) + "…"},
		{"space too early", "a " + strings.Repeat("x", 20), 10, "a " + strings.Repeat("x", 8) + "…"},
		{"punctuation trimmed", "one, two; three. four", 16, "one, two…"},
		{"multibyte", strings.Repeat("é", 12), 10, strings.Repeat("é", 10) + "…"},
		{"emoji", strings.Repeat("😀", 5), 3, "😀😀😀…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in, tt.n)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, utf8.RuneCountInString(got), tt.n+1)
		})
	}
}

// TestHTMLText checks that HTMLText reads the text a browser shows: block
// boundaries as spaces, inline tags joined, entities decoded once, and no
// script or style content.
func TestHTMLText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"<p>a</p><p>b</p>", " a  b "},
		{"<b>B</b>old", "Bold"},
		{"R&amp;amp;D &lt;b&gt;", "R&amp;D <b>"},
		{"x<script>alert(1)</script>y<style>p{}</style>z", "xyz"},
		{"a<!-- c -->b", "ab"},
	} {
		assert.Equal(t, tt.want, HTMLText(tt.in), "%q", tt.in)
	}
}

func TestPlain(t *testing.T) {
	for in, want := range map[string]string{
		"R&D <b>bold</b> &amp;":      "R&D <b>bold</b> &amp;",
		"  two\u00a0 spaces \t":      "two spaces",
		"Beckerâ€™s":                 "Becker’s",
		"bidi\u202eoverride\u0085c1": "bidioverride c1",
		"Cafe\u0301":                 "Café",
		"nul\x00bell\x07":            "nulbell",
		"plain ascii":                "plain ascii",
	} {
		assert.Equal(t, want, Plain(in), "%q", in)
		assert.Equal(t, Plain(want), want, "idempotent on %q", want)
	}
}

// TestContainsInvisible requires the byte-wise scan to find exactly the
// runes IsInvisible and isInvisibleMarkup report, for every code point and
// for invalid UTF-8.
func TestContainsInvisible(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := containsInvisible(s, IsInvisible, &asciiInvisible), strings.ContainsFunc(s, IsInvisible); got != want {
			t.Fatalf("IsInvisible in %q: %v, want %v", s, got, want)
		}
		if got, want := containsInvisible(s, isInvisibleMarkup, &asciiInvisibleMarkup), strings.ContainsFunc(s, isInvisibleMarkup); got != want {
			t.Fatalf("isInvisibleMarkup in %q: %v, want %v", s, got, want)
		}
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		check("a" + string(r) + "é")
	}
	for _, s := range []string{"", "\xff", "a\xc2", "\xe2\x80", "\xed\xa0\x80", "tab\there", "\x7f", "\u0085", "\u202e"} {
		check(s)
	}
}

// textReference is Text as it was written before its fast paths (text,
// textSettled, collapsed): every cleaning pass on every input, white space
// collapsed rune by rune. Text must give the same for every input.
func textReference(s string) string {
	if isCleanASCII(s) {
		return s
	}
	s = RepairMojibake(StripInvalidXML(s))
	if strings.ContainsAny(s, "<&") {
		s = HTMLText(dropInvisible(s))
		s = RepairMojibake(StripInvalidXML(s))
	}
	return collapseReference(settleText(s, dropInvisible, norm.NFC.String))
}

// collapseReference is collapseSpace rune by rune.
func collapseReference(s string) string {
	if isCollapsedReference(s) {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isCollapsedReference(s string) bool {
	prevSpace := true
	for _, r := range s {
		if unicode.IsSpace(r) {
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return !prevSpace || s == ""
}

// checkTextReference requires Text, the summary's cut text and
// collapseSpace to give what the reference passes give for s.
func checkTextReference(t *testing.T, s string) {
	t.Helper()
	want := textReference(s)
	if got := Text(s); got != want {
		t.Fatalf("Text(%q) = %q, the reference gives %q", s, got, want)
	}
	for _, limit := range []int{0, 1, 2, 5, 300} {
		start := textStart(s, limit)
		if !strings.HasPrefix(want, start) || utf8.RuneCountInString(start) < min(limit+1, utf8.RuneCountInString(want)) {
			t.Fatalf("textStart(%q, %d) = %q, not a start of %q with at least %d characters", s, limit, start, want, limit+1)
		}
		if got, want := Truncate(start, limit), Truncate(want, limit); got != want {
			t.Fatalf("Truncate(textStart(%q, %d)) = %q, Truncate(Text) gives %q", s, limit, got, want)
		}
	}
	// A description that lost the text's spaces, whole or its start,
	// takes them back from the text's start as from the whole text.
	runes := []rune(want)
	for _, n := range []int{1, 3, len(runes) / 2, len(runes)} {
		if n > len(runes) {
			continue
		}
		for _, end := range []string{"", "…", " ..."} {
			d := strings.ReplaceAll(string(runes[:n]), " ", "") + end
			limit := 2*utf8.RuneCountInString(d) + 2
			if got, want := respace(d, textStart(s, limit)), respace(d, want); got != want {
				t.Fatalf("respace(%q, textStart(%q, %d)) = %q, with the whole text %q", d, s, limit, got, want)
			}
		}
	}
	if got, want := collapseSpace(s), collapseReference(s); got != want {
		t.Fatalf("collapseSpace(%q) = %q, the reference gives %q", s, got, want)
	}
	if got, want := isCollapsed(s), isCollapsedReference(s); got != want {
		t.Fatalf("isCollapsed(%q) = %v, want %v", s, got, want)
	}
}

func TestTextFastPaths(t *testing.T) {
	edges := []string{
		"", " ", "a", " a ", "a  b", "a\tb", "a\u0085b", "a\u00a0b", "a\u3000b", "a\u2028b", "a\x7fb",
		"a\vb\fc", "\xff", "a \xff b", "\xff ", "<p>a</p><p>b</p>", "<b>B</b>old", "a &amp; b", "a&#x202E;b",
		"caf\u00e9 <i>au</i> lait", "Beck\u00e2\u20ac\u2122s <b>x</b>", "e<b>\u0301</b>", "\u00c3<b>\u00a9</b>",
		"x\u00c3&#xA9;y", "<p>" + strings.Repeat("word ", 200) + "</p>", strings.Repeat("\u00e9t\u00e9 ", 120),
		strings.Repeat("a", 299) + " " + strings.Repeat("b", 10), strings.Repeat("ab ", 100) + "c",
		strings.Repeat(" ", 400) + "x", "\ufeffa<br>b\ufeff", "a<script>x</script>b", "&lt;b&gt;",
		"a\u0300\u0301", "\u1e9b\u0323 <i>x</i>", "\uac00\u11a8", "\u212b <p>\u212b</p>",
	}
	for _, s := range edges {
		checkTextReference(t, s)
	}
	for _, tt := range cleanTextTests {
		checkTextReference(t, tt.in)
	}
	for _, tt := range mojibakeRepairTests {
		checkTextReference(t, tt.in)
	}
	for _, s := range mojibakeUntouched {
		checkTextReference(t, s)
	}
	for _, s := range sanitizeSeeds(t) {
		checkTextReference(t, s)
		checkTextReference(t, HTML(s, nil)) // a sanitized body, as summaries read it
	}
}
