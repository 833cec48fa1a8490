// Package sanitize makes untrusted text safe to publish: it is what curafeed
// passes every string of a curation record through before a feed encoder
// sees it, and it can be used on its own on any text or HTML.
//
// Every function is safe for concurrent use and never panics. [HTML],
// [Text], [Plain], [Summary], [Slug] and [URL] return valid UTF-8 made only
// of characters XML 1.0 allows. HTML, Plain, Slug, [RepairMojibake] and
// [StripInvalidXML] are idempotent: applied to their own result, they
// return it unchanged; so does URL, given no base, for the URLs it returns.
// Text is idempotent on text without '&' or '<' only, since it decodes
// entities exactly once: "&amp;amp;" becomes "&amp;", which becomes "&".
//
// # HTML
//
// [HTML] makes an HTML fragment (a record's body) safe to embed in a feed or
// a page, as a browser would parse it:
//
//   - It is parsed with the HTML5 tree-construction rules every browser
//     follows, and only what a browser would show is written back, so that
//     markup cannot mean one thing to the sanitizer and another to a reader.
//     Dropping an element never drops the text after it, however the element
//     is written (unclosed, misnested, or read as raw text by a tokenizer).
//   - Only these elements stay: a, abbr, article, b, blockquote, br, caption,
//     cite, code, dd, del, div, dl, dt, em, figcaption, figure, h1 to h6, hr,
//     i, img, ins, kbd, li, mark, ol, p, pre, q, s, samp, section, small,
//     span, strong, sub, sup, table, tbody, td, tfoot, th, thead, tr, u, ul
//     and var. Scripts, styles, frames, embeds, form controls, templates,
//     metadata and SVG graphics go with their content; other elements
//     (forms, objects, videos, custom elements) are unwrapped and their
//     content kept.
//   - Only a few attributes stay (href, title and rel on links, title on
//     abbreviations, src, alt, title, width and height on images, start on
//     ordered lists, colspan and rowspan on cells), never an event handler,
//     style, class or id. Link URLs must be http, https or mailto, image URLs
//     http or https; relative URLs are resolved against the base URL given,
//     or dropped without one. Every link with a URL gets
//     rel="nofollow noopener noreferrer".
//   - Tracking pixels are dropped: images of at most one pixel by their
//     attributes or inline style, hidden ones, and images from known
//     tracking endpoints (ad and analytics beacons, email-open and feed-view
//     trackers).
//   - Text and attribute values lose C0 and C1 control characters other
//     than white space, bidirectional embedding, override and isolate
//     controls, noncharacters and U+FEFF, whether written raw or as
//     character references; they have mojibake repaired and are in Unicode
//     normalization form C.
//
// [RenderMarkdown] renders a Markdown body to HTML; its output is not safe
// until it has gone through HTML.
//
// # Plain text
//
// [Text] makes a string safe plain text: tags stripped, entities decoded
// exactly once, mojibake repaired ([RepairMojibake]), invalid UTF-8 and what
// XML forbids removed ([StripInvalidXML]), C0 and C1 control characters,
// bidirectional embedding, override and isolate controls (which can make
// "exe.jpg" of "gpj.exe"), noncharacters and U+FEFF removed ([IsInvisible]),
// the result in NFC with white space collapsed. [Plain] does the same to
// text known to be plain, without reading tags or entities: "<b>" stays
// "<b>", text to be escaped where it is written. [Summary] builds an item's
// summary from its description or its body, [HTMLText] reads the text of
// sanitized HTML, and [Truncate] shortens text at a word boundary.
//
// # Slugs and URLs
//
// [Slug] folds a name to a path segment that is a safe file name on every
// file system: lower-case ASCII letters, digits and single '-', at most
// [MaxSlugBytes] bytes, with a short hash of the name appended where folding
// would lose it (a long name cut, letters with no ASCII form) or where the
// name is a Windows device name ("con", "lpt1"). A slug is never ".", ".."
// or a device name, and it is empty only for a name without a letter, digit
// or symbol.
//
// [URL] accepts only absolute http and https URLs with a host and without
// user information, resolved against a base, and returns them in one
// canonical printable-ASCII form.
package sanitize
