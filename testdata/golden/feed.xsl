<?xml version="1.0" encoding="UTF-8"?>
<!--
  feed.xsl: curafeed's browser view of its RSS 2.0 and Atom 1.0 feeds.
  A browser that opens rss.xml or atom.xml applies this XSLT 1.0 stylesheet
  (named by the feed's xml-stylesheet processing instruction) and shows a
  page: what a web feed is, the address to subscribe to, and the items.
  Feed readers ignore it. No JavaScript, inline CSS only.
-->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:fh="http://purl.org/syndication/history/1.0"
  exclude-result-prefixes="atom dc fh">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="site-title">Example Health Community</xsl:variable>
  <xsl:variable name="index-url">https://community.example.org/index.html</xsl:variable>

  <!-- RSS 2.0 -->
  <xsl:template match="/rss">
    <xsl:call-template name="page">
      <xsl:with-param name="format">RSS</xsl:with-param>
      <xsl:with-param name="file">rss.xml</xsl:with-param>
      <xsl:with-param name="title" select="channel/title"/>
      <xsl:with-param name="description" select="channel/description"/>
      <xsl:with-param name="self" select="channel/atom:link[@rel='self']/@href"/>
      <xsl:with-param name="current" select="channel/atom:link[@rel='current']/@href"/>
      <xsl:with-param name="archive" select="boolean(channel/fh:archive)"/>
      <xsl:with-param name="home" select="channel/link"/>
      <xsl:with-param name="lang" select="channel/language"/>
      <xsl:with-param name="items" select="channel/item"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Atom 1.0 -->
  <xsl:template match="/atom:feed">
    <xsl:call-template name="page">
      <xsl:with-param name="format">Atom</xsl:with-param>
      <xsl:with-param name="file">atom.xml</xsl:with-param>
      <xsl:with-param name="title" select="atom:title"/>
      <xsl:with-param name="description" select="atom:subtitle"/>
      <xsl:with-param name="self" select="atom:link[@rel='self']/@href"/>
      <xsl:with-param name="current" select="atom:link[@rel='current']/@href"/>
      <xsl:with-param name="archive" select="boolean(fh:archive)"/>
      <xsl:with-param name="home" select="atom:link[@rel='alternate'][1]/@href"/>
      <xsl:with-param name="lang" select="@xml:lang"/>
      <xsl:with-param name="items" select="atom:entry"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Any other document: say so rather than show nothing. -->
  <xsl:template match="/*" priority="-1">
    <html>
      <head><title>Not a feed</title></head>
      <body><p>This document is neither an RSS 2.0 nor an Atom 1.0 feed.</p></body>
    </html>
  </xsl:template>

  <xsl:template name="page">
    <xsl:param name="format"/>
    <xsl:param name="file"/>
    <xsl:param name="title"/>
    <xsl:param name="description"/>
    <xsl:param name="self"/>
    <xsl:param name="current"/>
    <xsl:param name="archive" select="false()"/>
    <xsl:param name="home"/>
    <xsl:param name="lang"/>
    <xsl:param name="items"/>
    <xsl:variable name="n" select="string-length($self) - string-length($file)"/>
    <html lang="{$lang}">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>:root {&#xA;  color-scheme: light dark;&#xA;  --fg: #1c2230; --muted: #596273; --bg: #ffffff; --panel: #f3f5f8; --line: #dce1e8;&#xA;  --accent: #c2410c; --link: #1d4ed8;&#xA;}&#xA;@media (prefers-color-scheme: dark) {&#xA;  :root {&#xA;    --fg: #e5e8ee; --muted: #a1aab8; --bg: #13161b; --panel: #1d222a; --line: #2f3642;&#xA;    --accent: #fb923c; --link: #8ab4ff;&#xA;  }&#xA;}&#xA;* { box-sizing: border-box; }&#xA;html { background: var(--bg); }&#xA;body {&#xA;  margin: 0; color: var(--fg); background: var(--bg);&#xA;  font: 16px/1.55 system-ui, -apple-system, &#34;Segoe UI&#34;, Roboto, &#34;Helvetica Neue&#34;, Arial, sans-serif;&#xA;}&#xA;main { max-width: 50rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }&#xA;a { color: var(--link); }&#xA;h1 { font-size: 2rem; line-height: 1.2; margin: .35rem 0 .5rem; overflow-wrap: anywhere; }&#xA;h2 { font-size: 1.3rem; margin: 2.25rem 0 .5rem; }&#xA;h3 { font-size: 1.05rem; margin: 1.25rem 0 .25rem; }&#xA;.badge {&#xA;  display: inline-block; margin: 0; padding: .15rem .6rem; border-radius: 999px;&#xA;  background: var(--accent); color: #fff; font-size: .78rem; font-weight: 700;&#xA;  letter-spacing: .05em; text-transform: uppercase;&#xA;}&#xA;.lead { color: var(--muted); font-size: 1.1rem; margin: 0 0 1.5rem; }&#xA;.about {&#xA;  background: var(--panel); border: 1px solid var(--line); border-radius: .75rem;&#xA;  padding: 1rem 1.25rem 1.25rem; margin: 0 0 1rem;&#xA;}&#xA;.about h2 { font-size: 1.1rem; margin: 0 0 .35rem; }&#xA;.about p { margin: .45rem 0; }&#xA;.url {&#xA;  display: block; margin: .5rem 0 0; padding: .65rem .8rem;&#xA;  background: var(--bg); border: 1px solid var(--line); border-radius: .5rem;&#xA;  font: .95rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;&#xA;  overflow-wrap: anywhere; -webkit-user-select: all; user-select: all; cursor: text;&#xA;}&#xA;.hint { color: var(--muted); font-size: .85rem; }&#xA;.formats { display: inline-flex; flex-wrap: wrap; gap: .4rem; margin: 0; padding: 0; list-style: none; vertical-align: middle; }&#xA;.formats a, .formats span {&#xA;  display: inline-block; padding: .1rem .6rem; border: 1px solid var(--line); border-radius: 999px;&#xA;  font-size: .85rem; text-decoration: none; white-space: nowrap;&#xA;}&#xA;.formats span { color: var(--muted); }&#xA;.meta { color: var(--muted); font-size: .875rem; margin: 0; }&#xA;.items { list-style: none; margin: .6rem 0 0; padding: 0; }&#xA;.items li { padding: 1rem 0; border-top: 1px solid var(--line); }&#xA;.items h3 { margin: 0 0 .2rem; font-size: 1.1rem; line-height: 1.35; }&#xA;.items h3 a { text-decoration: none; }&#xA;.items h3 a:hover { text-decoration: underline; }&#xA;.summary { margin: .35rem 0 0; }&#xA;.feeds { list-style: none; margin: 0; padding: 0; }&#xA;.feeds li {&#xA;  display: grid; grid-template-columns: 1fr auto; align-items: center;&#xA;  gap: .35rem 1rem; padding: .6rem 0; border-top: 1px solid var(--line);&#xA;}&#xA;.feeds .name { display: block; font-weight: 600; }&#xA;.feeds .meta { display: block; }&#xA;@media (max-width: 36rem) { .feeds li { grid-template-columns: 1fr; } }&#xA;.note { margin: 0 0 .6rem; }&#xA;footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; border-top: 1px solid var(--line); padding-top: 1rem; }&#xA;</style>
      </head>
      <body>
        <main>
          <header>
            <p class="badge"><xsl:value-of select="$format"/> web feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:if test="normalize-space($description) != ''">
              <p class="lead"><xsl:value-of select="$description"/></p>
            </xsl:if>
          </header>

          <section class="about" aria-labelledby="about">
            <h2 id="about">This is a web feed</h2>
            <p>A web feed lets a feed reader app (also called a news reader or RSS reader) show you every new article here as soon as it is published, without visiting the site. You are seeing it in a browser, so it is shown as this page.</p>
            <xsl:if test="$archive">
              <p><strong>This page is an archive</strong> of older articles of the feed. Feed readers that keep a feed's whole history read it; to follow new articles, subscribe to the feed itself.</p>
            </xsl:if>
            <xsl:choose>
              <xsl:when test="$archive and $current != ''">
                <p><strong>To subscribe</strong>, copy this address into your feed reader:</p>
                <code class="url"><xsl:value-of select="$current"/></code>
                <p class="hint">Click the address once to select all of it.</p>
              </xsl:when>
              <xsl:when test="$self != ''">
                <p><strong>To subscribe</strong>, copy this address into your feed reader:</p>
                <code class="url"><xsl:value-of select="$self"/></code>
                <p class="hint">Click the address once to select all of it.</p>
              </xsl:when>
            </xsl:choose>
            <xsl:if test="$n &gt; 0 and substring($self, $n + 1) = $file">
              <xsl:variable name="base" select="substring($self, 1, $n)"/>
              <p>
                <xsl:text>Formats of this feed: </xsl:text>
                <span class="formats">
                  <xsl:call-template name="format-link">
                    <xsl:with-param name="name">RSS</xsl:with-param>
                    <xsl:with-param name="href" select="concat($base, 'rss.xml')"/>
                    <xsl:with-param name="current" select="$format = 'RSS'"/>
                  </xsl:call-template>
                  <xsl:call-template name="format-link">
                    <xsl:with-param name="name">Atom</xsl:with-param>
                    <xsl:with-param name="href" select="concat($base, 'atom.xml')"/>
                    <xsl:with-param name="current" select="$format = 'Atom'"/>
                  </xsl:call-template>
                  <xsl:call-template name="format-link">
                    <xsl:with-param name="name">JSON Feed</xsl:with-param>
                    <xsl:with-param name="href" select="concat($base, 'feed.json')"/>
                    <xsl:with-param name="current" select="false()"/>
                  </xsl:call-template>
                </span>
              </p>
            </xsl:if>
          </section>

          <section aria-labelledby="items">
            <h2 id="items">
              <xsl:choose>
                <xsl:when test="$archive">Articles in this archive</xsl:when>
                <xsl:otherwise>Latest articles</xsl:otherwise>
              </xsl:choose>
            </h2>
            <p class="meta">
              <xsl:choose>
                <xsl:when test="count($items) = 1">1 article</xsl:when>
                <xsl:otherwise><xsl:value-of select="count($items)"/> articles</xsl:otherwise>
              </xsl:choose>
              <xsl:text>, newest first.</xsl:text>
              <xsl:if test="starts-with($home, 'https://') or starts-with($home, 'http://')">
                <xsl:text> </xsl:text>
                <a href="{$home}">Visit the site</a>
              </xsl:if>
            </p>
            <xsl:choose>
              <xsl:when test="$items">
                <ol class="items"><xsl:apply-templates select="$items"/></ol>
              </xsl:when>
              <xsl:otherwise><p>No articles yet.</p></xsl:otherwise>
            </xsl:choose>
          </section>

          <footer>
            <xsl:text>Every feed of </xsl:text>
            <a href="{$index-url}"><xsl:value-of select="$site-title"/></a>
            <xsl:text> is listed on its feeds page. Made with curafeed.</xsl:text>
          </footer>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template name="format-link">
    <xsl:param name="name"/>
    <xsl:param name="href"/>
    <xsl:param name="current"/>
    <xsl:choose>
      <xsl:when test="$current"><span aria-current="page"><xsl:value-of select="$name"/> (this page)</span></xsl:when>
      <xsl:otherwise><a href="{$href}"><xsl:value-of select="$name"/></a></xsl:otherwise>
    </xsl:choose>
    <xsl:text> </xsl:text>
  </xsl:template>

  <!-- An RSS item. curafeed writes pubDate as "Mon, 02 Jan 2006 15:04:05 +0000". -->
  <xsl:template match="item">
    <li>
      <h3>
        <xsl:call-template name="title-link">
          <xsl:with-param name="title" select="title"/>
          <xsl:with-param name="href" select="link"/>
        </xsl:call-template>
      </h3>
      <p class="meta">
        <xsl:if test="pubDate">
          <xsl:value-of select="substring(normalize-space(pubDate), 6, 11)"/>
        </xsl:if>
        <xsl:call-template name="names">
          <xsl:with-param name="names" select="dc:creator"/>
        </xsl:call-template>
      </p>
      <xsl:if test="normalize-space(description) != ''">
        <p class="summary">
          <xsl:call-template name="html-text">
            <xsl:with-param name="text" select="description"/>
          </xsl:call-template>
        </p>
      </xsl:if>
    </li>
  </xsl:template>

  <!-- An Atom entry. Dates are RFC 3339: 2006-01-02T15:04:05Z. -->
  <xsl:template match="atom:entry">
    <xsl:variable name="date" select="normalize-space(atom:published | atom:updated[not(../atom:published)])"/>
    <li>
      <h3>
        <xsl:call-template name="title-link">
          <xsl:with-param name="title">
            <xsl:call-template name="atom-text">
              <xsl:with-param name="node" select="atom:title"/>
            </xsl:call-template>
          </xsl:with-param>
          <xsl:with-param name="href" select="atom:link[@rel='alternate' or not(@rel)][1]/@href"/>
        </xsl:call-template>
      </h3>
      <p class="meta">
        <xsl:if test="string-length($date) &gt;= 10">
          <xsl:value-of select="substring($date, 9, 2)"/>
          <xsl:text> </xsl:text>
          <xsl:value-of select="substring('JanFebMarAprMayJunJulAugSepOctNovDec', (number(substring($date, 6, 2)) - 1) * 3 + 1, 3)"/>
          <xsl:text> </xsl:text>
          <xsl:value-of select="substring($date, 1, 4)"/>
        </xsl:if>
        <xsl:call-template name="names">
          <xsl:with-param name="names" select="atom:author/atom:name"/>
        </xsl:call-template>
      </p>
      <xsl:if test="normalize-space(atom:summary) != ''">
        <p class="summary">
          <xsl:call-template name="atom-text">
            <xsl:with-param name="node" select="atom:summary"/>
          </xsl:call-template>
        </p>
      </xsl:if>
    </li>
  </xsl:template>

  <!-- An Atom text construct: curafeed writes plain text as type="text",
       or, when it reads like markup, escaped as type="html". -->
  <xsl:template name="atom-text">
    <xsl:param name="node"/>
    <xsl:choose>
      <xsl:when test="$node/@type = 'html'">
        <xsl:call-template name="html-text">
          <xsl:with-param name="text" select="string($node)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$node"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An RSS description is HTML. curafeed writes plain text there, with
       '&', '<' and '>' escaped: undo the escapes, one at a time from the left,
       so that the text shows as it was written (without
       disable-output-escaping, which Firefox ignores). -->
  <xsl:template name="html-text">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="contains($text, '&amp;')">
        <xsl:value-of select="substring-before($text, '&amp;')"/>
        <xsl:variable name="rest" select="substring-after($text, '&amp;')"/>
        <xsl:variable name="ref" select="substring-before($rest, ';')"/>
        <xsl:variable name="char">
          <xsl:choose>
            <xsl:when test="$ref = 'amp'">&amp;</xsl:when>
            <xsl:when test="$ref = 'lt'">&lt;</xsl:when>
            <xsl:when test="$ref = 'gt'">&gt;</xsl:when>
            <xsl:when test="$ref = 'quot' or $ref = '#34'">&quot;</xsl:when>
            <xsl:when test="$ref = 'apos' or $ref = '#39'">&apos;</xsl:when>
          </xsl:choose>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string($char) != ''">
            <xsl:value-of select="$char"/>
            <xsl:call-template name="html-text">
              <xsl:with-param name="text" select="substring-after($rest, ';')"/>
            </xsl:call-template>
          </xsl:when>
          <xsl:otherwise>
            <xsl:text>&amp;</xsl:text>
            <xsl:call-template name="html-text">
              <xsl:with-param name="text" select="$rest"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$text"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="title-link">
    <xsl:param name="title"/>
    <xsl:param name="href"/>
    <xsl:choose>
      <xsl:when test="starts-with($href, 'https://') or starts-with($href, 'http://')">
        <a href="{$href}"><xsl:value-of select="$title"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="names">
    <xsl:param name="names"/>
    <xsl:if test="$names">
      <xsl:text> · by </xsl:text>
      <xsl:for-each select="$names">
        <xsl:if test="position() &gt; 1">, </xsl:if>
        <xsl:value-of select="."/>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
