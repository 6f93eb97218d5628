package index

import (
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"

	"github.com/sshtrail/sshtrail/schema"
)

// The mapping is the field table: a field mapping of the table's kind for
// every searchable field, none for stored-only fields, and nothing that is
// neither the table's nor the store's own (storeFields, _src, _pos).
func TestMappingFollowsFieldTable(t *testing.T) {
	im, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	props := im.TypeMapping[TypeEvent].Properties
	want := map[string]schema.Field{}
	for _, f := range schema.EventFields {
		if !f.Searchable() || scanFields[f.Name] {
			if _, ok := props[f.Name]; ok {
				t.Errorf("%s is stored only or scanned (%s) but mapped", f.Name, f.Kind)
			}
			continue
		}
		want[f.Name] = f
	}
	for _, f := range storeFields {
		if _, dup := want[f.Name]; dup {
			t.Errorf("store field %s is also in the field table", f.Name)
		}
		want[f.Name] = f
	}
	for name, f := range want {
		p, ok := props[name]
		if !ok || len(p.Fields) != 1 {
			t.Errorf("%s (%s): no field mapping", name, f.Kind)
			continue
		}
		fm := p.Fields[0]
		if f.Kind == schema.Text {
			if fm.Analyzer != TextAnalyzer || !fm.IncludeTermVectors || fm.DocValues {
				t.Errorf("%s: text field mapped as %+v", name, fm)
			}
		} else if fm.Analyzer != "keyword" || fm.DocValues != f.DocValues || fm.IncludeTermVectors {
			// Keywords, addresses, padded numbers and fixed-width times
			// are all exact-match keywords.
			t.Errorf("%s (%s): mapped as %+v, want a keyword (doc values %v)", name, f.Kind, fm, f.DocValues)
		}
		if fm.Store || fm.IncludeInAll {
			t.Errorf("%s: stored or in _all: %+v", name, fm)
		}
	}
	for name := range props {
		if _, ok := want[name]; !ok && name != srcField {
			t.Errorf("%s is mapped but neither in the field table nor a store field", name)
		}
	}
	if im.TypeMapping[TypeSession] != im.TypeMapping[TypeEvent] {
		t.Error("sessions and events no longer share one mapping")
	}
}

// fullEvent sets every field of schema.Event, found by reflection, so a
// field added to Event is covered without touching this test.
func fullEvent(t *testing.T) *schema.Event {
	ev := &schema.Event{}
	v := reflect.ValueOf(ev).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("v" + v.Type().Field(i).Name)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(1000 + i))
		case reflect.Float64:
			f.SetFloat(12.5)
		default:
			if f.Type() == reflect.TypeOf(time.Time{}) {
				f.Set(reflect.ValueOf(time.Date(2026, 3, 14, 2, 3, 4, 5000, time.UTC)))
				continue
			}
			t.Fatalf("fullEvent: set Event.%s (%s)", v.Type().Field(i).Name, f.Type())
		}
	}
	return ev
}

// The document of a fully populated event holds exactly the searchable
// fields of the table but the scanned message, each indexed as its kind
// says, plus the hour of ts; its id is its log number.
func TestEventDocumentHoldsSearchableFields(t *testing.T) {
	s := newStore(t)
	ev := fullEvent(t)
	d := s.build.event(ev, 7)
	if d.ID() != "17" {
		t.Errorf("document id %q, want 17 (one digit: 7)", d.ID())
	}
	got := map[string]document.Field{}
	var names []string
	for _, f := range d.Fields {
		if _, dup := got[f.Name()]; dup {
			t.Errorf("%s indexed twice", f.Name())
		}
		got[f.Name()] = f
		names = append(names, f.Name())
	}
	want := []string{hourField}
	for _, f := range schema.EventFields {
		if f.Searchable() && !scanFields[f.Name] {
			want = append(want, f.Name)
		}
	}
	sort.Strings(names)
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Fatalf("document fields\n got %v\nwant %v", names, want)
	}
	for _, f := range schema.EventFields {
		df, ok := got[f.Name]
		if !ok {
			continue
		}
		opts := df.Options()
		val := string(df.Value())
		if !opts.IsIndexed() || opts.IsStored() {
			t.Errorf("%s: options %v", f.Name, opts)
		}
		if opts.IncludeDocValues() != (f.DocValues && f.Kind != schema.Text && eventDocValues[f.Name]) {
			t.Errorf("%s: doc values %v, table says %v (events keep them for %v only)", f.Name, opts.IncludeDocValues(), f.DocValues, eventDocValues)
		}
		if opts.IncludeTermVectors() != (f.Kind == schema.Text) {
			t.Errorf("%s: term vectors %v", f.Name, opts.IncludeTermVectors())
		}
		var wantVal string
		switch f.Kind {
		case schema.Number:
			scale := f.Scale
			if scale == 0 {
				scale = 1
			}
			wantVal = PadInt(f.Name, int64(f.Num(ev)*scale))
			if len(val) != f.Width {
				t.Errorf("%s: %q is not %d digits wide", f.Name, val, f.Width)
			}
		case schema.Time:
			wantVal = FormatTS(ev.TS)
		default:
			wantVal = f.Value(ev)
		}
		if val != wantVal {
			t.Errorf("%s: indexed %q, want %q", f.Name, val, wantVal)
		}
	}
	if h := string(got[hourField].Value()); h != "2026-03-14T02" {
		t.Errorf("tsh %q", h)
	}
	// Unset fields are not indexed (a missing time is: pages sort on it).
	d = s.build.event(&schema.Event{ID: "empty"}, 0)
	names = names[:0]
	for _, f := range d.Fields {
		names = append(names, f.Name())
	}
	if want := []string{"ts", hourField}; !slices.Equal(names, want) {
		t.Errorf("empty event indexes %v, want %v", names, want)
	}
}

// Document ids sort as the event numbers do: ties in time page in import
// order.
func TestDocIDsSortAsNumbers(t *testing.T) {
	nums := []uint64{0, 1, 9, 10, 35, 36, 37, 1295, 1296, 46655, 46656, 1 << 32, 1<<64 - 1}
	for i, n := range nums {
		id := DocID(n)
		back, err := seqOf(id)
		if err != nil || back != n {
			t.Fatalf("%d -> %q -> %d (%v)", n, id, back, err)
		}
		if i > 0 && DocID(nums[i-1]) >= id {
			t.Errorf("%q (%d) does not sort before %q (%d)", DocID(nums[i-1]), nums[i-1], id, n)
		}
	}
	for _, bad := range []string{"", "1", "2a", "s:x", "0123456789abcdef01234567"} {
		if _, err := seqOf(bad); err == nil {
			t.Errorf("%q read as an event number", bad)
		}
	}
}
