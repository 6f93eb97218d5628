package index

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
)

// The query language as data: each input and the query it becomes after
// the rewrites (canon's notation: match/term/phrase/wildcard/regexp with
// field=value, range(field [min,max)) over the stored keywords, cidr,
// and/or, bool(+must -must_not), all, none; "_" is the mapping's default
// field, message; text: marks a free-text clause, answered by the scan).
func TestParseQuery(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// Everything.
		{"", "all"},
		{"  ", "all"},
		{"*", "all"},
		{"(*)", "all"},

		// Fielded terms: keywords keep the value whole; quoting makes it
		// one exact term even with spaces or operators inside.
		{"user:root", `match(user="root")`},
		{`user:"root"`, `term(user="root")`},
		{`host:"web 01 (old)"`, `term(host="web 01 (old)")`},
		{`user:"x\" OR user:*"`, `term(user="x\" OR user:*")`},
		{"+host:db02", `match(host="db02")`},
		{"sources:zeek_ssh", `match(sources="zeek_ssh")`}, // a session field
		{"nosuch:foo", `match(nosuch="foo")`},             // unknown fields are accepted and match nothing
		{"user:root^2", `match(user="root")`},             // boosts mean nothing without scores
		{"user:root~1", `match(user="root"~1)`},

		// Phrases: on text fields positions match; on keywords a phrase is
		// the exact value.
		{`message:"Failed password"`, `text:phrase(message="Failed password")`},
		{`command:"rm -rf"`, `phrase(command="rm -rf")`},
		{`method:"keyboard-interactive"`, `term(method="keyboard-interactive")`},

		// Unfielded words and phrases search the message.
		{"password", `text:match(_="password")`},
		{`"Failed password"`, `text:phrase(_="Failed password")`},
		{"Failed password", `bool(+and(text:match(_="Failed") text:match(_="password")))`},

		// Addresses: an address is a term, a block a CIDR query (IPv4, IPv6).
		{"src_ip:10.0.0.5", `match(src_ip="10.0.0.5")`},
		{"src_ip:10.0.0.0/8", "cidr(src_ip=10.0.0.0/8)"},
		{"dst_ip:10.1.2.77/24", "cidr(dst_ip=10.1.2.0/24)"}, // masked
		{`src_ip:"2001:db8::/32"`, "cidr(src_ip=2001:db8::/32)"},

		// Times: ranges over the fixed-width UTC keyword; dates are midnight
		// UTC; start (sessions) is ts.
		{`ts:>="2026-03-14T02:00:00Z"`, "range(ts [2026-03-14T02:00:00.000000Z,*))"},
		{`ts:<"2026-03-14"`, "range(ts (*,2026-03-14T00:00:00.000000Z))"},
		{`ts:>"2026-03-14T04:00:00+02:00"`, "range(ts (2026-03-14T02:00:00.000000Z,*))"},
		{`ts:>"2026-03-14" ts:<="2026-03-15T04:00:00Z"`, "bool(+and(range(ts (2026-03-14T00:00:00.000000Z,*)) range(ts (*,2026-03-15T04:00:00.000000Z])))"},
		{`start:>="2026-03-14"`, "range(ts [2026-03-14T00:00:00.000000Z,*))"},
		{`end:<"2026-03-14"`, "range(end (*,2026-03-14T00:00:00.000000Z))"},

		// Numbers: exact values and ranges over zero-padded keywords
		// (duration in ms, rounded inward).
		{"src_port:22", `term(src_port="00022")`},
		{"dst_port:>=1024", "range(dst_port [01024,*))"},
		{"dst_port:<1024", "range(dst_port (*,01024))"},
		{"dst_port:>=-5", "range(dst_port [00000,*))"},
		{"dst_port:<-1", "none"},
		{"pid:-1", `match(pid="-1")`}, // no such value: matches nothing
		{"bytes_out:>1000000", "range(bytes_out (0000000001000000,*))"},
		{"duration:>3600", "range(duration (0000003600000,*))"},
		{"duration:<=0.5", "range(duration (*,0000000000500])"},
		{"duration:>=0.0005", "range(duration [0000000000001,*))"},
		{"duration:5.6", `term(duration="0000000005600")`},
		{"failures:>=3", "range(failures [0000003,*))"}, // a session field
		// A bare number on any other field becomes a numeric range, which
		// no field of this index holds: uid:0, user:1000, "22" find
		// nothing today (reported; quote the value: uid:"0").
		{"uid:0", "numeric(uid [0,0])"},
		{`uid:"0"`, `term(uid="0")`},

		// Booleans: side by side means AND; OR, NOT, -, parentheses.
		{"user:root AND host:db02", `bool(+and(match(user="root") match(host="db02")))`},
		{"user:root host:db02", `bool(+and(match(user="root") match(host="db02")))`},
		{"user:root && host:db02", `bool(+and(match(user="root") match(host="db02")))`},
		{"user:root OR user:admin", `or(match(user="root") match(user="admin"))`},
		{"user:root || user:admin", `or(match(user="root") match(user="admin"))`},
		{"user:root host:x OR host:y", `or(bool(+and(match(user="root") match(host="x"))) match(host="y"))`},
		{"user:root (host:x OR host:y)", `bool(+and(match(user="root") or(match(host="x") match(host="y"))))`},
		{"NOT host:db02", `bool(+and(all) -or(match(host="db02")))`},
		{"! host:db02", `bool(+and(all) -or(match(host="db02")))`},
		{"-host:db02", `bool(+and(all) -or(match(host="db02")))`},
		{"NOT NOT user:root", `match(user="root")`},
		{"(user:admin OR user:oracle) AND NOT src_port:40022", `bool(+and(or(match(user="admin") match(user="oracle"))) -or(term(src_port="40022")))`},
		{"user:root -*", `bool(+and(match(user="root")) -or(all))`},
		{"!host:db02", `match(!host="db02")`}, // "!" is an operator only on its own
		{"NOT", "bool(+and(all) -or(none))"},  // NOT nothing: everything

		// Wildcards and regexps.
		{"user:adm*", `wildcard(user="adm*")`},
		{"user:ro?t", `wildcard(user="ro?t")`},
		{"message:fail*", `text:wildcard(message="fail*")`},
		{"/fail.*/", `text:regexp(_="fail.*")`},
		{"user:/ro+t/", `regexp(user="ro+t")`},
		{`-user:/ro+t/`, `bool(+and(all) -or(regexp(user="ro+t")))`},
		{`user:/a\/b/`, `regexp(user="a/b")`},
	} {
		q, err := ParseQuery(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got := canon(q); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	if im, _ := NewMapping(); im.DefaultField != "message" {
		t.Errorf("unfielded terms search %q, want message", im.DefaultField)
	}
}

// Invalid input is an error that names what is wrong.
func TestParseQueryErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"(user:root", "missing )"},
		{"user:root)", `unexpected ")"`},
		{"((user:root)", "missing )"},
		{"()", "empty expression"},
		{"AND", "empty expression"},
		{"user:root OR", "empty expression"},
		{"user:(unclosed", "syntax error"},
		{"user:", "syntax error"},
		{":root", "syntax error"},
		{`user:"unclosed`, "unclosed quote"},
		{"/unclosed", "unclosed /regexp/"},
		{"src_ip:10.0.0.0/33", `bad CIDR "10.0.0.0/33"`},
		{"src_ip:nope/8", `bad CIDR "nope/8"`},
		{`dst_ip:"2001:db8::/129"`, "bad CIDR"},
		{`ts:>"yesterday"`, "invalid time"},
		{`ts:>"2026-13-45"`, "invalid time"},
		{`user:>"2026-03-14"`, "user is not a time field (ts is)"},
	} {
		q, err := ParseQuery(c.in)
		if err == nil {
			t.Errorf("%q: accepted as %s", c.in, canon(q))
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", strings.TrimSpace(c.in))) {
			t.Errorf("%q: error %q, want it to quote the query and say %q", c.in, err, c.want)
		}
	}
}

// canon writes a parsed query in one canonical line: the form the query
// language tests compare.
func canon(q query.Query) string {
	field := func(f string) string {
		if f == "" {
			return "_" // the mapping's default field (message)
		}
		return f
	}
	bound := func(v string, incl *bool, lo bool) string {
		if v == "" {
			if lo {
				return "(*"
			}
			return "*)"
		}
		in := incl == nil || *incl
		if !lo {
			in = incl != nil && *incl
		}
		switch {
		case lo && in:
			return "[" + v
		case lo:
			return "(" + v
		case in:
			return v + "]"
		default:
			return v + ")"
		}
	}
	list := func(op string, qs []query.Query) string {
		parts := make([]string, len(qs))
		for i, q := range qs {
			parts[i] = canon(q)
		}
		return op + "(" + strings.Join(parts, " ") + ")"
	}
	if tq, ok := q.(*textQuery); ok {
		return "text:" + canon(tq.orig)
	}
	switch t := q.(type) {
	case nil:
		return "<nil>"
	case *query.MatchAllQuery:
		return "all"
	case *query.MatchNoneQuery:
		return "none"
	case *query.TermQuery:
		return fmt.Sprintf("term(%s=%q)", field(t.FieldVal), t.Term)
	case *query.MatchQuery:
		s := fmt.Sprintf("match(%s=%q", field(t.FieldVal), t.Match)
		if t.Fuzziness != 0 {
			s += fmt.Sprintf("~%d", t.Fuzziness)
		}
		return s + ")"
	case *query.MatchPhraseQuery:
		return fmt.Sprintf("phrase(%s=%q)", field(t.FieldVal), t.MatchPhrase)
	case *query.WildcardQuery:
		return fmt.Sprintf("wildcard(%s=%q)", field(t.FieldVal), t.Wildcard)
	case *query.RegexpQuery:
		return fmt.Sprintf("regexp(%s=%q)", field(t.FieldVal), t.Regexp)
	case *query.TermRangeQuery:
		return fmt.Sprintf("range(%s %s,%s)", field(t.FieldVal), bound(t.Min, t.InclusiveMin, true), bound(t.Max, t.InclusiveMax, false))
	case *query.NumericRangeQuery:
		f := func(v *float64) string {
			if v == nil {
				return ""
			}
			return fmt.Sprint(*v)
		}
		return fmt.Sprintf("numeric(%s %s,%s)", field(t.FieldVal), bound(f(t.Min), t.InclusiveMin, true), bound(f(t.Max), t.InclusiveMax, false))
	case *cidrQuery:
		return fmt.Sprintf("cidr(%s=%s)", t.field, t.prefix)
	case *query.ConjunctionQuery:
		return list("and", t.Conjuncts)
	case *query.DisjunctionQuery:
		return list("or", t.Disjuncts)
	case *query.BooleanQuery:
		var parts []string
		for _, c := range []struct {
			op string
			q  query.Query
		}{{"+", t.Must}, {"?", t.Should}, {"-", t.MustNot}} {
			if c.q != nil {
				parts = append(parts, c.op+canon(c.q))
			}
		}
		return "bool(" + strings.Join(parts, " ") + ")"
	}
	return fmt.Sprintf("%T", q)
}
