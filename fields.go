package curafeed

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// recordFields are the front-matter fields curafeed reads, by the exact
// names records use, decoded by yaml.v3 as it decodes a typed struct: merge
// keys are honoured (explicit keys win), duplicate keys, values of the wrong
// type and tags a value cannot have are errors, and keys match only in
// their exact spelling. Every field type keeps the node it came from, for
// line numbers.
type recordFields struct {
	root *yaml.Node // the front matter's mapping

	Title       yText `yaml:"title"`
	Description yText `yaml:"description"`
	Date        yText `yaml:"date"`
	LastMod     yText `yaml:"lastMod"`

	ID       yText `yaml:"id"`
	MDName   yText `yaml:"mdName"`
	Slug     yText `yaml:"slug"`
	BasePath yText `yaml:"basePath"`
	Type     yText `yaml:"type"`
	OGURL    yText `yaml:"ogUrl"`

	Link          yLink  `yaml:"link"`
	OpenProject   yOPF   `yaml:"openProjectCustomFields"`
	Herf          yList  `yaml:"herf"`
	Href          yList  `yaml:"href"`
	Original      yList  `yaml:"original"`
	CleanURL      yList  `yaml:"cleanUrl"`
	SourceURL     yList  `yaml:"sourceUrl"`
	Brand         yText  `yaml:"brand"`
	Identifier    yText  `yaml:"identifier"`
	MastHead      yText  `yaml:"mastHead"`
	Topics        yList  `yaml:"communityTopics"`
	Tags          yList  `yaml:"tags"`
	Categories    yList  `yaml:"categories"`
	CategoriesCap yList  `yaml:"Categories"` // older WordPress exports
	Author        yList  `yaml:"author"`
	Authors       yList  `yaml:"authors"`
	FeaturedImage yImage `yaml:"featuredImage"`

	Status    yText `yaml:"status"`
	Draft     yBool `yaml:"draft"`
	Archetype yText `yaml:"archetype"`
	ArcheType yText `yaml:"archeType"` // offering exports

	Aliases                yList `yaml:"aliases"`
	Breadcrumbs            yList `yaml:"breadcrumbs"`
	BreadcrumbLinks        yList `yaml:"breadcrumbLinks"`
	ContentCategories      yList `yaml:"contentCategories"`
	ContentCategoriesLower yList `yaml:"contentcategories"` // older WordPress exports
	WorkPackageType        yText `yaml:"openProjectWorkPackageType"`
	OwlType                yText `yaml:"owlType"`
	SearchCategory         yText `yaml:"searchCategory"`
	Source                 yText `yaml:"source"`
	Sub                    yText `yaml:"sub"`
}

// linkFields are the fields of link.
type linkFields struct {
	Href     yList `yaml:"href"`
	Original yList `yaml:"original"`
	Brand    yText `yaml:"brand"`
}

// opfFields are the fields of openProjectCustomFields.
type opfFields struct {
	CleanURL     yList `yaml:"cleanUrl"`
	SourceURL    yList `yaml:"sourceUrl"`
	MedigyTopics yList `yaml:"medigyTopics"`
}

// imageFields are the fields of featuredImage.
type imageFields struct {
	Href     yText `yaml:"href"`
	Valid    yBool `yaml:"valid"`
	MimeType yText `yaml:"mime_type"`
	Format   yText `yaml:"format"`
	Alt      yText `yaml:"alt"`
	Size     yList `yaml:"size"`
}

// yField is what every field keeps: the node its value was decoded from
// (nil when the field is absent or null, which yaml.v3 leaves at the zero
// value) and the decoding's error.
type yField struct {
	node *yaml.Node
	err  error
}

func (f *yField) fieldState() *yField { return f }

// nested is implemented by the fields that are mappings of fields.
type nested interface{ nestedFields() any }

func (v *yLink) nestedFields() any  { return &v.f }
func (v *yOPF) nestedFields() any   { return &v.f }
func (v *yImage) nestedFields() any { return &v.f }

// decode decodes n into out as yaml.v3 does, keeping the node (for its
// line) and the error.
func (f *yField) decode(n *yaml.Node, out any) error {
	f.node = n
	f.err = n.Decode(out)
	return f.err
}

// yText is a field yaml.v3 decodes into a string.
type yText struct {
	yField
	s string
}

func (v *yText) UnmarshalYAML(n *yaml.Node) error { return v.decode(n, &v.s) }

// yBool is a field yaml.v3 decodes into a bool.
type yBool struct {
	yField
	b bool
}

func (v *yBool) UnmarshalYAML(n *yaml.Node) error { return v.decode(n, &v.b) }

// yList is a field that holds a list of strings or one string: a sequence
// is decoded into a []string, anything else into a string (a list of one
// when not empty).
type yList struct {
	yField
	list []string
	seq  bool // the value was a sequence
}

func (v *yList) UnmarshalYAML(n *yaml.Node) error {
	v.node = n
	if n.Kind == yaml.SequenceNode {
		v.seq = true
		v.err = n.Decode(&v.list)
		return v.err
	}
	var s string
	if v.err = n.Decode(&s); v.err == nil && s != "" {
		v.list = []string{s}
	}
	return v.err
}

// text returns the single string of a one-string field, or "" for a list.
func (v *yList) text() string {
	if v.seq || len(v.list) == 0 {
		return ""
	}
	return v.list[0]
}

// first returns the first entry that is not blank.
func (v *yList) first() string {
	for _, s := range v.list {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// yLink is the link mapping.
type yLink struct {
	yField
	f linkFields
}

func (v *yLink) UnmarshalYAML(n *yaml.Node) error { return v.decode(n, &v.f) }

// yOPF is the openProjectCustomFields mapping.
type yOPF struct {
	yField
	f opfFields
}

func (v *yOPF) UnmarshalYAML(n *yaml.Node) error { return v.decode(n, &v.f) }

// yImage is featuredImage: a mapping, or a string (a site path some exports
// write, which feeds do not use).
type yImage struct {
	yField
	f     imageFields
	isMap bool
}

func (v *yImage) UnmarshalYAML(n *yaml.Node) error {
	v.node = n
	if n.Kind == yaml.MappingNode {
		v.isMap = true
		v.err = n.Decode(&v.f)
		return v.err
	}
	var s string
	v.err = n.Decode(&s)
	return v.err
}

// decodeFields decodes the front matter's document node into the record's
// fields as yaml.v3 would, or returns the error yaml.v3 gives, as a
// *RecordError naming the field and the line (of the file: lineOffset is
// added) where they are known.
func (p *parser) decodeFields(doc *yaml.Node, f *recordFields) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = p.fieldsError(f, fmt.Errorf("yaml: %v", r))
		}
	}()
	f.root = doc.Content[0]
	if derr := doc.Decode(f); derr != nil {
		return p.fieldsError(f, derr)
	}
	if a := firstAlias(doc); a != nil {
		// yaml.v3 refuses excessive aliasing when it decodes the document
		// into generic values, as front-matter readers commonly do, even
		// where the aliases are in fields curafeed does not read.
		var v any
		if aerr := doc.Decode(&v); aerr != nil && strings.Contains(aerr.Error(), "excessive aliasing") {
			return p.errAt(a, "front matter", errors.New("invalid YAML: document contains excessive aliasing (the first alias is on this line)"))
		}
	}
	// yaml.v3 gives the bytes of a !!binary value as they are: text fields
	// must be text.
	if name, n := invalidText(reflect.ValueOf(f).Elem(), ""); name != "" {
		return p.errAt(n, name, errors.New("!!binary value is not UTF-8 text"))
	}
	return nil
}

// firstAlias returns the first alias of the tree under n, in document
// order, or nil.
func firstAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n
	}
	for _, c := range n.Content {
		if a := firstAlias(c); a != nil {
			return a
		}
	}
	return nil
}

var (
	yamlErrLineRE = regexp.MustCompile(`^line (\d+): `)
	yamlTypeRE    = regexp.MustCompile(` ?(?:in|into) (?:type )?curafeed\.\w+`)
	yamlDupKeyRE  = regexp.MustCompile(`^mapping key "((?:[^"\\]|\\.)*)" already defined`)
	yamlSetRE     = regexp.MustCompile(`^field (.*) already set`)
	yamlAtLineRE  = regexp.MustCompile(`at line \d+`)
	yamlTagRE     = regexp.MustCompile("^cannot decode !!\\w+ `(.*)` as a (!!\\w+)$")
)

// findTagged finds, in document order, the scalar under n with the tag and
// value given, and names it by its key path.
func findTagged(n *yaml.Node, prefix, value, tag string) (string, *yaml.Node) {
	if n == nil {
		return "", nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == value && n.ShortTag() == tag {
			return strings.TrimSuffix(prefix, "."), n
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if name, found := findTagged(v, prefix+k.Value+".", value, tag); found != nil {
				return name, found
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if name, found := findTagged(c, prefix, value, tag); found != nil {
				return name, found
			}
		}
	}
	return "", nil
}

// fieldsError turns an error of yaml.v3's decoding into a *RecordError: the
// field whose value failed (the innermost one), the line of the first
// problem, and yaml.v3's reason.
func (p *parser) fieldsError(f *recordFields, err error) *RecordError {
	field, node, cause := failedField(reflect.ValueOf(f).Elem(), "")
	if cause == nil {
		cause = err
	}
	msg := strings.TrimPrefix(cause.Error(), "yaml: ")
	var more int
	if te, ok := cause.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg, more = te.Errors[0], len(te.Errors)-1
	}
	line := 0
	if m := yamlErrLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else if node != nil {
		line = node.Line
	}
	if field == "" && line == 0 {
		// yaml.v3 checks a tag against its value before it looks for a
		// field's decoder: find the value it refused.
		if m := yamlTagRE.FindStringSubmatch(msg); m != nil {
			if name, n := findTagged(f.root, "", m[1], m[2]); n != nil {
				field, line = name, n.Line
			}
		}
	}
	if line > 0 {
		line += p.lineOffset
	}
	msg = yamlAtLineRE.ReplaceAllStringFunc(msg, func(s string) string {
		n, _ := strconv.Atoi(s[len("at line "):])
		return "at line " + strconv.Itoa(n+p.lineOffset)
	})
	if field == "" {
		field = "front matter"
		if m := yamlDupKeyRE.FindStringSubmatch(msg); m != nil {
			if k, err := strconv.Unquote(`"` + m[1] + `"`); err == nil && k != "" {
				field = k
			}
		} else if m := yamlSetRE.FindStringSubmatch(msg); m != nil {
			field = m[1]
		}
	}
	msg = yamlTypeRE.ReplaceAllStringFunc(msg, func(s string) string {
		if strings.HasPrefix(strings.TrimSpace(s), "into") {
			return " into a mapping"
		}
		return ""
	})
	if more > 0 {
		msg += fmt.Sprintf(" (and %d more)", more)
	}
	return &RecordError{Path: p.name, Line: line, Field: field, Err: errors.New(msg)}
}

// fieldOwner is implemented by every field type.
type fieldOwner interface{ fieldState() *yField }

// failedField finds, in document order, the first field of the struct v
// whose decoding failed, and names it by its path of keys; a failed nested
// field is preferred to the mapping holding it.
func failedField(v reflect.Value, prefix string) (name string, node *yaml.Node, err error) {
	t := v.Type()
	bestLine := 0
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "" {
			continue
		}
		fv := v.Field(i)
		owner, ok := fv.Addr().Interface().(fieldOwner)
		if !ok {
			continue
		}
		st := owner.fieldState()
		if st.err == nil {
			continue
		}
		fname, fnode, ferr := prefix+tag, st.node, st.err
		if nf, ok := owner.(nested); ok {
			if n, nd, e := failedField(reflect.ValueOf(nf.nestedFields()).Elem(), fname+"."); e != nil {
				fname, fnode, ferr = n, nd, e
			}
		}
		line := 0
		if fnode != nil {
			line = fnode.Line
		}
		if err == nil || line < bestLine {
			name, node, err, bestLine = fname, fnode, ferr, line
		}
	}
	return name, node, err
}

// invalidText finds a text field of the struct v that is not valid UTF-8.
func invalidText(v reflect.Value, prefix string) (string, *yaml.Node) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("yaml")
		if tag == "" {
			continue
		}
		switch fv := v.Field(i).Addr().Interface().(type) {
		case *yText:
			if !utf8.ValidString(fv.s) {
				return prefix + tag, fv.node
			}
		case *yList:
			for _, s := range fv.list {
				if !utf8.ValidString(s) {
					return prefix + tag, fv.node
				}
			}
		case nested:
			if n, nd := invalidText(reflect.ValueOf(fv.nestedFields()).Elem(), prefix+tag+"."); n != "" {
				return n, nd
			}
		}
	}
	return "", nil
}

// The fast path. Front matter read by the fast reader has no anchors,
// aliases, tags, merge keys or duplicate keys (it hands those to yaml.v3),
// so its fields can be resolved without reflection. fastFields does so for
// the ordinary cases and gives up on anything else, which yaml.v3 then
// decodes (and, when it is an error, reports).

// fastFieldMaps name the fields of recordFields and of its mappings by
// key, for fastFields; a test checks them against the struct tags.
var (
	fastTopFields = map[string]func(*recordFields) any{
		"title": func(f *recordFields) any { return &f.Title }, "description": func(f *recordFields) any { return &f.Description },
		"date": func(f *recordFields) any { return &f.Date }, "lastMod": func(f *recordFields) any { return &f.LastMod },
		"id": func(f *recordFields) any { return &f.ID }, "mdName": func(f *recordFields) any { return &f.MDName },
		"slug": func(f *recordFields) any { return &f.Slug }, "basePath": func(f *recordFields) any { return &f.BasePath },
		"type": func(f *recordFields) any { return &f.Type }, "ogUrl": func(f *recordFields) any { return &f.OGURL },
		"link": func(f *recordFields) any { return &f.Link }, "openProjectCustomFields": func(f *recordFields) any { return &f.OpenProject },
		"herf": func(f *recordFields) any { return &f.Herf }, "href": func(f *recordFields) any { return &f.Href },
		"original": func(f *recordFields) any { return &f.Original }, "cleanUrl": func(f *recordFields) any { return &f.CleanURL },
		"sourceUrl": func(f *recordFields) any { return &f.SourceURL }, "brand": func(f *recordFields) any { return &f.Brand },
		"identifier": func(f *recordFields) any { return &f.Identifier }, "mastHead": func(f *recordFields) any { return &f.MastHead },
		"communityTopics": func(f *recordFields) any { return &f.Topics }, "tags": func(f *recordFields) any { return &f.Tags },
		"categories": func(f *recordFields) any { return &f.Categories }, "Categories": func(f *recordFields) any { return &f.CategoriesCap },
		"author": func(f *recordFields) any { return &f.Author }, "authors": func(f *recordFields) any { return &f.Authors },
		"featuredImage": func(f *recordFields) any { return &f.FeaturedImage }, "status": func(f *recordFields) any { return &f.Status },
		"draft": func(f *recordFields) any { return &f.Draft }, "archetype": func(f *recordFields) any { return &f.Archetype },
		"archeType": func(f *recordFields) any { return &f.ArcheType }, "aliases": func(f *recordFields) any { return &f.Aliases },
		"breadcrumbs": func(f *recordFields) any { return &f.Breadcrumbs }, "breadcrumbLinks": func(f *recordFields) any { return &f.BreadcrumbLinks },
		"contentCategories":          func(f *recordFields) any { return &f.ContentCategories },
		"contentcategories":          func(f *recordFields) any { return &f.ContentCategoriesLower },
		"openProjectWorkPackageType": func(f *recordFields) any { return &f.WorkPackageType },
		"owlType":                    func(f *recordFields) any { return &f.OwlType }, "searchCategory": func(f *recordFields) any { return &f.SearchCategory },
		"source": func(f *recordFields) any { return &f.Source }, "sub": func(f *recordFields) any { return &f.Sub },
	}
	fastLinkFields = map[string]func(*recordFields) any{
		"href": func(f *recordFields) any { return &f.Link.f.Href }, "original": func(f *recordFields) any { return &f.Link.f.Original },
		"brand": func(f *recordFields) any { return &f.Link.f.Brand },
	}
	fastOPFFields = map[string]func(*recordFields) any{
		"cleanUrl": func(f *recordFields) any { return &f.OpenProject.f.CleanURL }, "sourceUrl": func(f *recordFields) any { return &f.OpenProject.f.SourceURL },
		"medigyTopics": func(f *recordFields) any { return &f.OpenProject.f.MedigyTopics },
	}
	fastImageFields = map[string]func(*recordFields) any{
		"href": func(f *recordFields) any { return &f.FeaturedImage.f.Href }, "valid": func(f *recordFields) any { return &f.FeaturedImage.f.Valid },
		"mime_type": func(f *recordFields) any { return &f.FeaturedImage.f.MimeType }, "format": func(f *recordFields) any { return &f.FeaturedImage.f.Format },
		"alt": func(f *recordFields) any { return &f.FeaturedImage.f.Alt }, "size": func(f *recordFields) any { return &f.FeaturedImage.f.Size },
	}
)

// fastFields resolves the fields of m, a mapping read by the fast reader,
// into f as yaml.v3 would, using fields to find them. ok is false when it
// met something it leaves to yaml.v3 (then f is partly filled).
func fastFields(m *yaml.Node, f *recordFields, fields map[string]func(*recordFields) any) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || !fastPlainTag(k.Tag) || k.Tag == "!!null" {
			return false
		}
		at, ok := fields[k.Value]
		if !ok {
			continue
		}
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue // yaml.v3 leaves the field at its zero value
		}
		if !fastTags(v) {
			return false
		}
		switch fv := at(f).(type) {
		case *yText:
			if v.Kind != yaml.ScalarNode {
				return false
			}
			fv.node, fv.s = v, v.Value
		case *yBool:
			b, ok := fastBool(v)
			if !ok {
				return false
			}
			fv.node, fv.b = v, b
		case *yList:
			fv.node = v
			switch v.Kind {
			case yaml.ScalarNode:
				if v.Value != "" {
					fv.list = []string{v.Value}
				}
			case yaml.SequenceNode:
				fv.seq = true
				fv.list = make([]string, 0, len(v.Content))
				for _, e := range v.Content {
					if e.Kind != yaml.ScalarNode {
						return false
					}
					if e.Tag != "!!null" {
						fv.list = append(fv.list, e.Value)
					}
				}
			default:
				return false
			}
		case *yLink:
			if v.Kind != yaml.MappingNode || !fastFields(v, f, fastLinkFields) {
				return false
			}
			fv.node = v
		case *yOPF:
			if v.Kind != yaml.MappingNode || !fastFields(v, f, fastOPFFields) {
				return false
			}
			fv.node = v
		case *yImage:
			switch v.Kind {
			case yaml.MappingNode:
				if !fastFields(v, f, fastImageFields) {
					return false
				}
				fv.isMap = true
			case yaml.ScalarNode:
			default:
				return false
			}
			fv.node = v
		default:
			return false
		}
	}
	return true
}

// fastPlainTag reports whether tag is one yaml.v3 resolves a plain or quoted
// scalar to, whose text is what it decodes into a string.
func fastPlainTag(tag string) bool {
	switch tag {
	case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp":
		return true
	}
	return false
}

// fastTags reports whether the scalars of v, a node of the fast reader, and
// of its sequence's entries have only the tags of fastPlainTag; collections
// carry their own tags.
func fastTags(v *yaml.Node) bool {
	switch v.Kind {
	case yaml.ScalarNode:
		return fastPlainTag(v.Tag)
	case yaml.SequenceNode:
		for _, e := range v.Content {
			if e.Kind == yaml.ScalarNode && !fastPlainTag(e.Tag) {
				return false
			}
		}
	}
	return true
}

// fastBool decodes a scalar into a bool as yaml.v3 does: a YAML 1.2 bool, or
// one of the YAML 1.1 words it still accepts for a bool field.
func fastBool(v *yaml.Node) (b, ok bool) {
	if v.Kind != yaml.ScalarNode {
		return false, false
	}
	switch v.Tag {
	case "!!bool":
		switch v.Value {
		case "true", "True", "TRUE":
			return true, true
		case "false", "False", "FALSE":
			return false, true
		}
	case "!!str":
		switch v.Value {
		case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
			return true, true
		case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
			return false, true
		}
	}
	return false, false
}

// fieldsByFold maps the case-folded name of each top-level field to its
// name, to point out keys that differ from a field only in case.
var fieldsByFold = func() map[string]string {
	old := map[string]bool{"Categories": true, "contentcategories": true, "archeType": true} // spellings of older exports
	m := map[string]string{}
	for name := range fastTopFields {
		if !old[name] {
			m[strings.ToLower(name)] = name
		}
	}
	return m
}()

// caseVariants warns of the top-level keys of root that are not fields but
// differ from one only in case: yaml.v3 ignores them, and so does curafeed,
// but the writer most likely meant the field.
func (p *parser) caseVariants(root *yaml.Node) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if _, known := fastTopFields[k.Value]; known {
			continue
		}
		if name, ok := fieldsByFold[strings.ToLower(k.Value)]; ok {
			p.warn(k, k.Value, fmt.Errorf("ignored: field names are case-sensitive (the field is %s)", name))
		}
	}
}
