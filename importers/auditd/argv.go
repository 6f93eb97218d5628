package auditd

import (
	"strings"
)

// maxArgs bounds how many arguments of one EXECVE are kept: argc is written
// by the kernel but the line may be hostile; memory must not follow it.
const maxArgs = 4096

// ExecveArgs rebuilds argv from the fields of one or more EXECVE records of
// an event. It understands aN="quoted", aN=HEX, and the split form of long
// arguments (aN_len=NNN aN[0]=... aN[1]=...). complete is false when an index
// below the highest one seen (or below argc) is missing.
func ExecveArgs(records [][]Field) (argv []string, complete bool) {
	argc := -1
	parts := map[int]*strings.Builder{}
	hi := -1
	for _, fs := range records {
		for _, f := range fs {
			if f.Key == "argc" {
				if n, ok := atoiSmall(f.Val); ok {
					argc = n
				}
				continue
			}
			n := argIndex(f.Key)
			if n < 0 || n >= maxArgs {
				continue
			}
			b := parts[n]
			if b == nil {
				b = &strings.Builder{}
				parts[n] = b
			}
			b.WriteString(decode(f))
			if n > hi {
				hi = n
			}
		}
	}
	want := hi + 1
	if argc > want && argc <= maxArgs {
		want = argc
	}
	complete = want > 0
	argv = make([]string, 0, want)
	for i := 0; i < want; i++ {
		if b := parts[i]; b != nil {
			argv = append(argv, b.String())
		} else {
			complete = false
			argv = append(argv, "")
		}
	}
	return argv, complete
}

// ProctitleArgs decodes PROCTITLE's proctitle= value: hex with NUL between
// arguments, or a quoted single word. The kernel cuts it at 128 bytes, so
// EXECVE is preferred when present.
func ProctitleArgs(f Field) []string {
	s := decode(f)
	s = strings.TrimRight(s, "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

func atoiSmall(s string) (int, bool) {
	if s == "" || len(s) > 9 || !digits(s) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
