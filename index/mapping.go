package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/sshtrail/sshtrail/schema"
)

// Document types in the one Bleve index.
const (
	TypeEvent   = "event"
	TypeSession = "session"
)

// TextAnalyzer is used for message-like fields: Unicode words, lower-cased,
// no stop words and no stemming, because analysts search for exact tokens
// ("for", "from", user names) and a stemmer would merge distinct names.
const TextAnalyzer = "sshtrail_text"

// NewMapping builds the explicit index mapping: no dynamic fields, no _all.
func NewMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(TextAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     LogTokenizerName,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = keyword.Name
	// Unfielded terms search the original text.
	im.DefaultField = "message"
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	dm := bleve.NewDocumentStaticMapping()
	dm.Dynamic = false
	// Every searchable field by its kind (fields.go): keywords, addresses,
	// padded numbers and fixed-width times are keywords; text is analysed.
	for _, f := range mappedFields {
		if f.Kind != schema.Text {
			dm.AddFieldMappingsAt(f.Name, keywordField(f.DocValues))
			continue
		}
		tf := bleve.NewTextFieldMapping()
		tf.Analyzer = TextAnalyzer
		tf.Store = false
		tf.IncludeInAll = false
		tf.IncludeTermVectors = true // phrase queries
		tf.DocValues = false
		dm.AddFieldMappingsAt(f.Name, tf)
	}
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.DocValues = false
	dm.AddFieldMappingsAt(srcField, src)

	im.AddDocumentMapping(TypeEvent, dm)
	im.AddDocumentMapping(TypeSession, dm)
	im.DefaultMapping = dm
	im.TypeField = typeField
	return im, nil
}

const (
	typeField = "doctype"
	srcField  = "_src" // stored JSON of sessions
)

func keywordField(docValues bool) *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = docValues
	return f
}
