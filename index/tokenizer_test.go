package index

import (
	"strings"
	"testing"
)

func TestLogTokenizer(t *testing.T) {
	cases := []struct{ in, want string }{
		// Real lines (fail2ban sshd corpus, OpenSSH 9.x forms).
		{"Accepted publickey for git from 192.0.2.3 port 56870 ssh2: RSA SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k",
			"Accepted publickey for git from 192.0.2.3 port 56870 ssh2 RSA SHA256:Jp1sYnY8uGnGQ1u5Jmz2oDmIjdZ0B+FZk3sm7c5KU0k"},
		{"Failed password for invalid user admin from 2001:db8::5 port 22 ssh2", "Failed password for invalid user admin from 2001:db8::5 port 22 ssh2"},
		{"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root",
			"pam_unix sshd:auth authentication failure logname uid 0 euid 0 tty ssh ruser rhost 192.0.2.1 user root"},
		{"Connection closed by authenticating user root 192.0.2.4 port 49410 [preauth]", "Connection closed by authenticating user root 192.0.2.4 port 49410 preauth"},
		{"...  ::: --", ""},
	}
	for _, c := range cases {
		var got []string
		for _, tok := range (logTokenizer{}).Tokenize([]byte(c.in)) {
			got = append(got, string(tok.Term))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.in, strings.Join(got, " "), c.want)
		}
	}
}

func FuzzLogTokenizer(f *testing.F) {
	f.Add([]byte("Accepted publickey for git from 192.0.2.3 port 56870 ssh2: RSA SHA256:abc"))
	f.Add([]byte("\x1b]0;pwned\x07 ::: ..."))
	f.Fuzz(func(t *testing.T, b []byte) {
		last := 0
		for _, tok := range (logTokenizer{}).Tokenize(b) {
			if len(tok.Term) == 0 || tok.Start < last || tok.End > len(b) || string(b[tok.Start:tok.End]) != string(tok.Term) {
				t.Fatalf("bad token %+v in %q", tok, b)
			}
			last = tok.End
		}
	})
}
