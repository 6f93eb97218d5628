package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
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

// Field kinds of the mapping. The kinds are chosen on measured cost
// (DESIGN.md "Measured here"): datetime and numeric fields index ~16 prefix
// terms per value and halve ingest speed, so ts, ports and pids are
// fixed-width keywords that sort and range-compare correctly as strings; the
// query rewriter (query.go) lets users write them as times and numbers.
var (
	// keywordFields are exact-match. docValueFields also keep doc values,
	// which Bleve needs to sort and facet on a field.
	keywordFields = []string{
		"format", "file", "host", "action", "outcome", "user", "uid",
		"src_ip", "dst_ip", "dst_host", "method", "key_type", "key_fp",
		"sid", "client", "server", "hassh", "hassh_server", "program", "tty",
		"ses", "conn_state", "service", "notice", "zeek_uid",
	}
	docValueFields = map[string]bool{
		"ts": true, "host": true, "action": true, "outcome": true, "user": true,
		"src_ip": true, "dst_ip": true, "method": true, "format": true, "tsh": true,
		"program": true, "key_fp": true, "client": true,
	}
	// paddedFields are numbers stored as zero-padded keywords (width in
	// digits). A Bleve numeric field indexes ~16 terms per value: on a 1M
	// record Zeek conn.log the three size fields made import 4x slower and
	// the index 3x larger than all other fields together (measured).
	paddedFields = map[string]int{"src_port": 5, "dst_port": 5, "pid": 10,
		"duration": 13, "bytes_out": 16, "bytes_in": 16, "failures": 7}
	// paddedScale stores a fractional number as an integer: duration in ms.
	paddedScale = map[string]float64{"duration": 1000}
	// textFields are analysed for full-text search.
	textFields = []string{"message", "command", "reason", "forward", "commands"}
	// ipFields hold addresses: field:10.0.0.0/8 is a CIDR query (cidr.go).
	ipFields = map[string]bool{"src_ip": true, "dst_ip": true}
)

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
	for _, f := range keywordFields {
		dm.AddFieldMappingsAt(f, keywordField(docValueFields[f]))
	}
	for f := range paddedFields {
		dm.AddFieldMappingsAt(f, keywordField(false))
	}
	dm.AddFieldMappingsAt("ts", keywordField(true))
	dm.AddFieldMappingsAt("tsh", keywordField(true))
	dm.AddFieldMappingsAt("end", keywordField(true))
	for _, f := range textFields {
		tf := bleve.NewTextFieldMapping()
		tf.Analyzer = TextAnalyzer
		tf.Store = false
		tf.IncludeInAll = false
		tf.IncludeTermVectors = true // phrase queries
		tf.DocValues = false
		dm.AddFieldMappingsAt(f, tf)
	}
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.DocValues = false
	dm.AddFieldMappingsAt(srcField, src)
	dm.AddFieldMappingsAt(posField, src)

	im.AddDocumentMapping(TypeEvent, dm)
	im.AddDocumentMapping(TypeSession, dm)
	im.DefaultMapping = dm
	im.TypeField = typeField
	return im, nil
}

const (
	typeField = "doctype"
	srcField  = "_src" // stored JSON of sessions
	posField  = "_pos" // stored offset of an event in the event log
)

func keywordField(docValues bool) *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = docValues
	return f
}
