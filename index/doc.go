package index

import (
	"math"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/sshtrail/sshtrail/schema"
)

// TSLayout is the fixed-width UTC form ts is indexed in: it sorts and
// range-compares correctly as a string.
const TSLayout = "2006-01-02T15:04:05.000000Z"

// FormatTS renders t as indexed.
func FormatTS(t time.Time) string { return t.UTC().Format(TSLayout) }

// hourLayout buckets events by hour for histograms without a datetime field.
const hourLayout = "2006-01-02T15"

// docBuilder turns records into Bleve documents directly, without the
// reflection walk of mapping-driven indexing (measured: the walk was a large
// share of ingest CPU).
type docBuilder struct {
	kw   analysis.Analyzer
	text analysis.Analyzer
}

func (b *docBuilder) keyword(d *document.Document, name, v string) {
	if v == "" {
		return
	}
	opts := bindex.IndexField
	if docValueFields[name] {
		opts |= bindex.DocValues
	}
	d.AddField(document.NewTextFieldCustom(name, nil, []byte(v), opts, b.kw))
}

func (b *docBuilder) textf(d *document.Document, name, v string) {
	if v == "" {
		return
	}
	// Term vectors (positions) make phrase queries ("Failed password") work.
	d.AddField(document.NewTextFieldCustom(name, nil, []byte(v), bindex.IndexField|bindex.IncludeTermVectors, b.text))
}

func (b *docBuilder) padded(d *document.Document, name string, v int) {
	if v == 0 {
		return
	}
	d.AddField(document.NewTextFieldCustom(name, nil, []byte(PadInt(name, int64(v))), bindex.IndexField, b.kw))
}

// number indexes a size or duration as a padded keyword (see paddedFields).
func (b *docBuilder) number(d *document.Document, name string, v float64) {
	if v <= 0 {
		return
	}
	d.AddField(document.NewTextFieldCustom(name, nil, []byte(PadInt(name, scaled(name, v))), bindex.IndexField, b.kw))
}

// scaled is v in the stored unit of field (ms for duration), rounded down.
func scaled(field string, v float64) int64 {
	if s, ok := paddedScale[field]; ok {
		v *= s
	}
	return int64(math.Floor(v))
}

func (b *docBuilder) stored(d *document.Document, name string, v []byte) {
	d.AddField(document.NewTextFieldCustom(name, nil, v, bindex.StoreField, b.kw))
}

// PadInt renders an integer field the way it is indexed.
func PadInt(field string, v int64) string {
	w := paddedFields[field]
	s := strconv.FormatInt(v, 10)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

// event is the document of one event: every searchable field of the table
// by its kind (fields.go) but the scanned ones, and the hour of ts. Its id
// is its number in the event log (DocID): short and in import order, where
// the 24-hex event id made every id lookup and merge walk random terms.
func (b *docBuilder) event(ev *schema.Event, seq uint64) *document.Document {
	d := document.NewDocument(DocID(seq))
	for i := range eventDocFields {
		f := &eventDocFields[i]
		var v string
		switch f.kind {
		case schema.Number:
			// Sizes, ports and pids of 0 are unknown: not indexed.
			n := f.num(ev)
			if n <= 0 {
				continue
			}
			v = PadInt(f.name, scaled(f.name, n))
		case schema.Time:
			// Always indexed (a missing time as the zero time): pages sort on it.
			t := tableTime(f.value(ev))
			d.AddField(document.NewTextFieldCustom(f.name, nil, []byte(FormatTS(t)), f.opts, b.kw))
			if f.name == "ts" {
				d.AddField(document.NewTextFieldCustom(hourField, nil, []byte(t.Format(hourLayout)), bindex.IndexField, b.kw))
			}
			continue
		default:
			if v = f.value(ev); v == "" {
				continue
			}
		}
		d.AddField(document.NewTextFieldCustom(f.name, nil, []byte(v), f.opts, b.analyzer(f.kind)))
	}
	return d
}

// tableTime reads a Time field's value back from the table's RFC 3339 UTC
// text ("" or unreadable: the zero time).
func tableTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
