package gen

// The planted intrusion (all from 198.51.100.77, starting at `at`):
//
//  1. brute force on web01: 30 failed passwords (root, admin, deploy...),
//     then "Accepted password for deploy" from the same address; the border
//     sensor logs every attempt (conn.json) and two notices
//     (SSH::Password_Guessing, SSH::Login_By_Password_Guesser);
//  2. from web01, deploy logs into bastion01 by key (hop 1);
//  3. on bastion01, deploy runs
//     ssh -N -o "ExitOnForwardFailure yes" -L 13389:10.20.50.5:3389 postgres@db01
//     (auditd SYSCALL/EXECVE/PROCTITLE, the option in hex): a password logon
//     of the daemon account postgres on db01 (hop 2, a 3-hop chain
//     attacker -> web01 -> bastion01 -> db01) carrying an RDP tunnel, which
//     the inside sensor sees as db01 -> 10.20.50.5:3389.
func (s *sim) plant(at int64) {
	s.planted = true
	web := s.hosts[hWeb]
	guesses := []string{"root", "admin", "root", "test", "deploy", "ubuntu", "root", "oracle", "deploy", "admin"}
	t := at
	for i := 0; i < 30; i++ {
		name := guesses[i%len(guesses)]
		s.queueFailure(t, web, attacker, name, name != "root" && name != "deploy")
		t += 6e6 + s.r.Int64N(4e6)
	}
	s.after(t, laterPlant, nil, 1)
}

// plantStage runs the intrusion's later steps when their time comes, so
// the files stay in time order.
func (s *sim) plantStage(t int64, prev *session, stage int) {
	web, bastion, db := s.hosts[hWeb], s.hosts[hBastion], s.hosts[hDB]
	deploy := s.userNamed("deploy")
	switch stage {
	case 1:
		if s.dmz != nil {
			writeNoticeTSV(s.dmz.notice, t, "SSH::Password_Guessing", "198.51.100.77 appears to be guessing SSH passwords (seen in 30 connections).",
				"Sampled servers:  "+ipString(web.ip), attacker, 0)
		}
		in := s.login(t+5e6, web, deploy, attacker, "password", 3*3600e6)
		if s.dmz != nil {
			writeNoticeTSV(s.dmz.notice, t+6e6, "SSH::Login_By_Password_Guesser", "Successful SSH login by password guesser 198.51.100.77", "30 failed logins", attacker, web.ip)
		}
		s.after(t+8*60e6, laterPlant, in, 2)
	case 2: // hop 1: web01 -> bastion01
		if web.audit != nil {
			s.argv = append(s.argv[:0], "ssh", "deploy@"+ipString(bastion.ip))
			web.audit.exec(web, t, web.nextPID(s.r), prev.pid+2, prev.ses, deploy, s.argv, true)
		}
		mid := s.login(t+400000, bastion, deploy, web.ip, "publickey", 150*60e6)
		s.after(t+7*60e6, laterPlant, mid, 3)
	case 3: // hop 2 with the tunnel: bastion01 -> db01 as postgres
		if bastion.audit != nil {
			s.argv = append(s.argv[:0], "ssh", "-N", "-o", "ExitOnForwardFailure yes", "-L", "13389:"+ipString(winHost)+":3389", "postgres@"+ipString(db.ip))
			bastion.audit.exec(bastion, t, bastion.nextPID(s.r), prev.pid+2, prev.ses, deploy, s.argv, true)
		}
		postgres := &user{name: "postgres", uid: 26}
		last := s.login(t+500000, db, postgres, bastion.ip, "password", 120*60e6)
		s.after(last.start+40e6, laterPlant, last, 4)
	case 4: // the forwarded RDP connection, seen from inside
		if s.core != nil {
			c := conn{us: t, uid: s.zeekUID(), orig: db.ip, origPort: s.port(), resp: winHost, respPort: 3389, service: "rdp",
				durUS: 95 * 60e6, origBytes: 4812331, respBytes: 48211907, state: "SF", localOrig: true, history: "ShADadFf", origPkts: 31022, respPkts: 40187}
			writeConnTSV(s.core.conn, &c)
		}
	}
}

func (s *sim) userNamed(name string) *user {
	for _, u := range s.users {
		if u.name == name {
			return u
		}
	}
	return &user{name: name, uid: 1100}
}
