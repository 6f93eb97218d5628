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

func (b *docBuilder) event(ev *schema.Event, pos []byte) *document.Document {
	d := document.NewDocument(ev.ID)
	b.keyword(d, "ts", FormatTS(ev.TS))
	b.keyword(d, "tsh", ev.TS.UTC().Format(hourLayout))
	b.keyword(d, "format", ev.Format)
	b.keyword(d, "file", ev.File)
	b.keyword(d, "host", ev.Host)
	b.keyword(d, "action", ev.Action)
	b.keyword(d, "outcome", ev.Outcome)
	b.keyword(d, "user", ev.User)
	b.keyword(d, "uid", ev.UID)
	b.keyword(d, "src_ip", ev.SrcIP)
	b.keyword(d, "dst_ip", ev.DstIP)
	b.padded(d, "src_port", ev.SrcPort)
	b.padded(d, "dst_port", ev.DstPort)
	b.padded(d, "pid", ev.PID)
	b.keyword(d, "dst_host", ev.DstHost)
	b.keyword(d, "method", ev.Method)
	b.keyword(d, "key_type", ev.KeyType)
	b.keyword(d, "key_fp", ev.KeyFP)
	b.keyword(d, "sid", ev.SID)
	b.keyword(d, "client", ev.Client)
	b.keyword(d, "server", ev.Server)
	b.keyword(d, "hassh", ev.HASSH)
	b.keyword(d, "hassh_server", ev.HASSHServer)
	b.keyword(d, "program", ev.Program)
	b.keyword(d, "tty", ev.TTY)
	b.keyword(d, "ses", ev.Ses)
	b.keyword(d, "conn_state", ev.ConnState)
	b.keyword(d, "service", ev.Service)
	b.keyword(d, "notice", ev.Notice)
	b.keyword(d, "zeek_uid", ev.ZeekUID)
	b.number(d, "duration", ev.Duration)
	b.number(d, "bytes_out", float64(ev.BytesOut))
	b.number(d, "bytes_in", float64(ev.BytesIn))
	b.textf(d, "message", ev.Message)
	b.textf(d, "command", ev.Command)
	b.textf(d, "reason", ev.Reason)
	b.textf(d, "forward", ev.Forward)
	b.stored(d, posField, pos)
	return d
}
