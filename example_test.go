package curafeed_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/curafeed/curafeed"
)

// A records folder is any fs.FS: here, one record in memory.
var records = fstest.MapFS{
	"communities/security/curated-content/a.md": {Data: []byte(`---
title: Beckerâ€™s &amp; the <b>ransomware</b> report
date: '2024-05-06T07:08:09Z'
mdName: 0b4b5f2e-8c4e-5a3b-9b8e-2f5c1d7e6a90
basePath: /communities/security/curated-content/
slug: ransomware-report
identifier: Security
communityTopics: ['Gartner: Ransomware']
author: [Jane Curator]
link:
  href: https://news.example.com/ransomware
---
<p>Read <a href="../other/">this</a>.<script>alert(1)</script></p>
`)},
}

func Example() {
	cfg := curafeed.Config{SiteURL: "https://community.example.org", Title: "Example Health"}
	recs, err := curafeed.Load(records, cfg)
	if err != nil {
		panic(err)
	}
	for _, e := range recs.Errors {
		fmt.Fprintln(os.Stderr, e) // path:line: field: cause
	}
	cat, err := curafeed.Build(recs.All(), cfg)
	if err != nil {
		panic(err)
	}
	for _, f := range cat.Feeds {
		fmt.Println(f.URL(curafeed.Atom))
	}
	security, ok := cat.Feed("communities/security")
	if !ok {
		panic("no security feed")
	}
	if err := security.Write(os.Stdout, curafeed.RSS); err != nil {
		panic(err)
	}
	// Output:
	// https://community.example.org/all/atom.xml
	// https://community.example.org/communities/security/atom.xml
	// https://community.example.org/topics/gartner-ransomware/atom.xml
	// https://community.example.org/communities/security/topics/gartner-ransomware/atom.xml
	// <?xml version="1.0" encoding="UTF-8"?>
	// <?xml-stylesheet type="text/xsl" href="../../feed.xsl"?>
	// <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
	//   <channel>
	//     <title>Security | Example Health</title>
	//     <link>https://community.example.org/communities/security/</link>
	//     <description>Curated articles from the Security community of Example Health.</description>
	//     <language>en</language>
	//     <lastBuildDate>Mon, 06 May 2024 07:08:09 +0000</lastBuildDate>
	//     <generator>curafeed</generator>
	//     <atom:link href="https://community.example.org/communities/security/rss.xml" rel="self" type="application/rss+xml"></atom:link>
	//     <item>
	//       <title>Becker’s &amp; the ransomware report</title>
	//       <link>https://news.example.com/ransomware</link>
	//       <description>Read this.</description>
	//       <guid isPermaLink="false">urn:uuid:0b4b5f2e-8c4e-5a3b-9b8e-2f5c1d7e6a90</guid>
	//       <pubDate>Mon, 06 May 2024 07:08:09 +0000</pubDate>
	//       <content:encoded><![CDATA[<p>Read <a href="https://community.example.org/communities/security/curated-content/other/" rel="nofollow noopener noreferrer">this</a>.</p>]]></content:encoded>
	//       <category domain="Gartner">Ransomware</category>
	//       <dc:creator>Jane Curator</dc:creator>
	//     </item>
	//   </channel>
	// </rss>
}

func ExampleParseTopic() {
	for _, s := range []string{"Gartner: Cybersecurity", "gartner:  cybersecurity", "Symplur: -hash-COVID19"} {
		t, _ := curafeed.ParseTopic(s)
		fmt.Printf("%s | %s | %s\n", t.Label(), t.Vocabulary, t.Key)
	}
	// Output:
	// Gartner: Cybersecurity | Gartner | gartner:cybersecurity
	// gartner: cybersecurity | gartner | gartner:cybersecurity
	// Symplur: #COVID19 | Symplur | symplur:#covid19
}
