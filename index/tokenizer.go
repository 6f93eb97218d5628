package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// LogTokenizerName is a tokenizer for log text. Unicode word segmentation
// (Bleve's default) was the largest single cost of indexing messages and
// splits what analysts search for whole: addresses (198.51.100.23,
// 2001:db8::5), key fingerprints, user@host. This one splits on whitespace
// and on = , ; ( ) [ ] { } < > " ' ` and trims . : from token ends, so
// "from 198.51.100.23 port 22 ssh2: RSA SHA256:abc" gives
// from, 198.51.100.23, port, 22, ssh2, rsa, sha256:abc.
const LogTokenizerName = "sshtrail_log"

type logTokenizer struct{}

func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '=', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>', '"', '\'', '`', '|', '!', '?', '*':
		return true
	}
	return c < 0x20 || c == 0x7f
}

func isTrim(c byte) bool { return c == '.' || c == ':' || c == '-' || c == '/' || c == '\\' }

func (logTokenizer) Tokenize(input []byte) analysis.TokenStream {
	rv := make(analysis.TokenStream, 0, 16)
	pos := 1
	eachToken(input, func(s, e int) {
		rv = append(rv, &analysis.Token{Term: input[s:e], Start: s, End: e, Position: pos, Type: analysis.AlphaNumeric})
		pos++
	})
	return rv
}

// eachToken calls fn with the bounds of every token of input, in order:
// the one definition of a token for the analyser (indexing) and for the
// message scan (textquery.go), so both see the same words.
func eachToken(input []byte, fn func(start, end int)) {
	i := 0
	for i < len(input) {
		for i < len(input) && isSep(input[i]) {
			i++
		}
		start := i
		for i < len(input) && !isSep(input[i]) {
			i++
		}
		s, e := start, i
		for s < e && isTrim(input[s]) {
			s++
		}
		for e > s && isTrim(input[e-1]) {
			e--
		}
		if s == e {
			continue
		}
		fn(s, e)
	}
}

func init() {
	registry.RegisterTokenizer(LogTokenizerName, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return logTokenizer{}, nil
	})
}
