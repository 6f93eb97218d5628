package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/sshtrail/sshtrail/schema"
)

// The store's fields come from the field table, schema.EventFields: a
// field's kind says how it is mapped, indexed and queried, so adding an
// event field is one row there (and its importer). Listed here are only the
// fields the store adds itself.
//
// The kinds are chosen on measured cost (DESIGN.md "Measured here"):
// datetime and numeric fields index ~16 prefix terms per value and halve
// ingest speed, so Time and Number fields are fixed-width keywords that
// sort and range-compare correctly as strings; the query rewriter
// (query.go) lets users write them as times and numbers. On a 1M record
// Zeek conn.log the three size fields as Bleve numbers made import 4x
// slower and the index 3x larger than all other fields together.

// hourField is the hour of ts (hourLayout), on events and sessions alike:
// histograms, and the time windows of deep pages, read its dictionary.
const hourField = "tsh"

// storeFields are the store's own searchable fields besides the table's.
// Session documents reuse the event field names (host, user, src_ip, ts =
// start, ...) and add these; their sources, events, parent and group
// fields are not mapped and match exactly (the default keyword analyser).
var storeFields = []schema.Field{
	{Name: hourField, Kind: schema.Keyword, DocValues: true, Meaning: "hour of ts, for histograms"},
	{Name: "end", Kind: schema.Time, DocValues: true, Meaning: "session end"},
	{Name: "failures", Kind: schema.Number, Width: 7, Meaning: "failed attempts of a session"},
	{Name: "commands", Kind: schema.Text, Meaning: "commands run in a session"},
}

// Field lists derived from the table and storeFields.
var (
	// keywordFields are the event fields that match exactly, one term per
	// value (keywords and addresses).
	keywordFields []string
	// docValueFields are the facet fields; session documents keep their
	// doc values (Bleve facets sessions), events only eventDocValues'.
	docValueFields = map[string]bool{}
	// paddedFields are numbers stored as zero-padded keywords (width in
	// digits); paddedScale stores a fractional number as an integer
	// (duration in ms).
	paddedFields = map[string]int{}
	paddedScale  = map[string]float64{}
	// textFields are analysed for full-text search.
	textFields []string
	// ipFields hold addresses: field:10.0.0.0/8 is a CIDR query (cidr.go).
	ipFields = map[string]bool{}
	// mappedFields is every searchable field with its kind (the mapping).
	mappedFields []schema.Field
	// eventDocFields is how the builder writes each searchable event field.
	eventDocFields []docField
)

// scanFields are searched by scanning the message stream, not Bleve
// (textquery.go).
var scanFields = map[string]bool{"message": true}

// eventDocValues are the event fields that keep per-document values: ts,
// which pages sort on, and the facet fields with many values, which
// bitFacets reads per hit. Facets of the others (host, action, outcome,
// method, format, program, client, the hour) come from their postings, so
// their doc values were never read; dropping them took the events index
// of 250k auth lines from 34.9 to 28.1 MB.
var eventDocValues = map[string]bool{"ts": true, "user": true, "src_ip": true, "dst_ip": true, "key_fp": true}

func init() {
	for _, f := range schema.EventFields {
		if !f.Searchable() || scanFields[f.Name] {
			continue
		}
		if f.Value == nil || (f.Kind == schema.Number && f.Num == nil) {
			// Fail at start, not on the first import.
			panic("index: field table row " + f.Name + " has no accessor")
		}
		addField(f)
		switch f.Kind {
		case schema.Keyword, schema.Address:
			keywordFields = append(keywordFields, f.Name)
		}
		eventDocFields = append(eventDocFields, newDocField(f))
	}
	for _, f := range storeFields {
		addField(f)
	}
}

func addField(f schema.Field) {
	mappedFields = append(mappedFields, f)
	if f.DocValues && f.Name != "end" {
		// end is mapped with doc values but session documents never carried
		// them: nothing sorts or facets on it.
		docValueFields[f.Name] = true
	}
	switch f.Kind {
	case schema.Number:
		paddedFields[f.Name] = f.Width
		if f.Scale != 0 && f.Scale != 1 {
			paddedScale[f.Name] = f.Scale
		}
	case schema.Text:
		textFields = append(textFields, f.Name)
	case schema.Address:
		ipFields[f.Name] = true
	}
}

// docField is one field of the table as the document builder writes it.
type docField struct {
	name  string
	kind  schema.Kind
	opts  bindex.FieldIndexingOptions
	value func(*schema.Event) string
	num   func(*schema.Event) float64
}

func newDocField(f schema.Field) docField {
	df := docField{name: f.Name, kind: f.Kind, opts: bindex.IndexField, value: f.Value, num: f.Num}
	if f.Kind == schema.Text {
		// Term vectors (positions) make phrase queries ("Failed password") work.
		df.opts |= bindex.IncludeTermVectors
	} else if f.DocValues && eventDocValues[f.Name] {
		df.opts |= bindex.DocValues
	}
	return df
}

// analyzer is what a field of kind k is analysed with.
func (b *docBuilder) analyzer(k schema.Kind) analysis.Analyzer {
	if k == schema.Text {
		return b.text
	}
	return b.kw
}
