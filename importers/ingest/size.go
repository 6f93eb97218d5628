package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sshtrail/sshtrail/importers"
)

// Size is a byte count given as "20GiB", "500MiB", "1.5 GB" or plain bytes;
// it is a flag value (pflag.Value) for --max-expanded.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	// Bare letters as du and sort -h read them: binary.
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseSize reads a size such as "20GiB" or "500MiB".
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 || f*mult > 1<<62 {
		return 0, fmt.Errorf("size %q: want a positive number with a unit, like 20GiB or 500MiB", s)
	}
	return int64(f * mult), nil
}

func (z *Size) String() string { return strings.ReplaceAll(importers.FormatSize(int64(*z)), " ", "") }

// Set implements pflag.Value.
func (z *Size) Set(s string) error {
	n, err := ParseSize(s)
	if err != nil {
		return err
	}
	*z = Size(n)
	return nil
}

// Type implements pflag.Value.
func (z *Size) Type() string { return "size" }
