package detect

import (
	"fmt"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// Config is everything the rules read. The CLI fills it from viper
// (viper.UnmarshalKey("detect", &cfg)); the mapstructure tags are the keys
// of the `detect:` section of the config file. Start from DefaultConfig so
// that keys the file leaves out keep their defaults.
type Config struct {
	// Groups maps an asset group name (Domain_Controller, VCS_Server, ...)
	// to its hosts. Names match case-insensitively (viper lowercases keys).
	Groups map[string]AssetGroup `mapstructure:"groups" yaml:"groups" json:"groups"`
	// HostAddresses maps a host name to its addresses, so Zeek records
	// (which only know addresses) can be tied to the host's own logs. The
	// engine also learns this from sshd "Connection from A port P on B port Q".
	HostAddresses map[string][]string `mapstructure:"host_addresses" yaml:"host_addresses" json:"host_addresses"`

	// ServiceAccounts are account names (globs allowed) that must never log
	// on by SSH. They add to DaemonNames and the uid rule of thumb.
	ServiceAccounts []string `mapstructure:"service_accounts" yaml:"service_accounts" json:"service_accounts"`
	// NotServiceAccounts removes names from the rule of thumb (e.g. "git" on
	// a forge where git-over-SSH is the point).
	NotServiceAccounts []string `mapstructure:"not_service_accounts" yaml:"not_service_accounts" json:"not_service_accounts"`
	// DaemonNames is the built-in list of daemon account names.
	DaemonNames []string `mapstructure:"daemon_names" yaml:"daemon_names" json:"daemon_names"`
	// ServiceUIDMax: a known uid below it, other than 0, is a system account.
	ServiceUIDMax int `mapstructure:"service_uid_max" yaml:"service_uid_max" json:"service_uid_max"`

	WorkingHours WorkingHours `mapstructure:"working_hours" yaml:"working_hours" json:"working_hours"`
	Thresholds   Thresholds   `mapstructure:"thresholds" yaml:"thresholds" json:"thresholds"`

	// BaselineDays is how many days from a host's (or, for user rules, the
	// case's) first event are learned as normal.
	BaselineDays int `mapstructure:"baseline_days" yaml:"baseline_days" json:"baseline_days"`
	// BaselineUntil, when set, ends the baseline for every host at this time.
	BaselineUntil time.Time `mapstructure:"baseline_until" yaml:"baseline_until" json:"baseline_until"`

	// PasswordMethods are the methods that mean "a password was typed".
	PasswordMethods []string `mapstructure:"password_methods" yaml:"password_methods" json:"password_methods"`

	// Rules are user rules written inline in the config file.
	Rules []YAMLRule `mapstructure:"rules" yaml:"rules" json:"rules"`
	// RulesDir is a folder of *.yml / *.yaml user rule files.
	RulesDir string `mapstructure:"rules_dir" yaml:"rules_dir" json:"rules_dir"`
	// Disabled rule ids (globs allowed) are left out of Rules.
	Disabled []string `mapstructure:"disabled" yaml:"disabled" json:"disabled"`

	// MaxEvidence caps the event ids one finding lists (the summary keeps
	// the full count).
	MaxEvidence int `mapstructure:"max_evidence" yaml:"max_evidence" json:"max_evidence"`
}

// AssetGroup is a set of hosts: names, globs (db-*.corp) and CIDRs.
type AssetGroup struct {
	Hosts []string `mapstructure:"hosts" yaml:"hosts" json:"hosts"`
	CIDRs []string `mapstructure:"cidrs" yaml:"cidrs" json:"cidrs"`
	// AllowUsers, when not empty, are the only users (globs allowed) that
	// may log on to the group's hosts (ATT&CK mitigation M1018).
	AllowUsers []string `mapstructure:"allow_users" yaml:"allow_users" json:"allow_users"`
}

// WorkingHours is when logons are expected.
type WorkingHours struct {
	Start    string   `mapstructure:"start" yaml:"start" json:"start"` // "07:00"
	End      string   `mapstructure:"end" yaml:"end" json:"end"`       // "20:00" (exclusive)
	Days     []string `mapstructure:"days" yaml:"days" json:"days"`    // mon..sun
	TimeZone string   `mapstructure:"time_zone" yaml:"time_zone" json:"time_zone"`
}

// Thresholds of the counting rules.
type Thresholds struct {
	BruteForceFailures int           `mapstructure:"brute_force_failures" yaml:"brute_force_failures" json:"brute_force_failures"`
	BruteForceWindow   time.Duration `mapstructure:"brute_force_window" yaml:"brute_force_window" json:"brute_force_window"`
	SprayUsers         int           `mapstructure:"spray_users" yaml:"spray_users" json:"spray_users"`
	SprayWindow        time.Duration `mapstructure:"spray_window" yaml:"spray_window" json:"spray_window"`
	GuessFailures      int           `mapstructure:"guess_failures" yaml:"guess_failures" json:"guess_failures"`
	GuessWindow        time.Duration `mapstructure:"guess_window" yaml:"guess_window" json:"guess_window"`
	InvalidUsers       int           `mapstructure:"invalid_users" yaml:"invalid_users" json:"invalid_users"`
	InvalidUserWindow  time.Duration `mapstructure:"invalid_user_window" yaml:"invalid_user_window" json:"invalid_user_window"`
	// KeyNormLogons: a user with at least this many earlier key logons and
	// no earlier password logon "logs on by key".
	KeyNormLogons int `mapstructure:"key_norm_logons" yaml:"key_norm_logons" json:"key_norm_logons"`
	// LongSSHDuration and LongSSHBytes define a tunnel-like SSH connection.
	LongSSHDuration time.Duration `mapstructure:"long_ssh_duration" yaml:"long_ssh_duration" json:"long_ssh_duration"`
	LongSSHBytes    int64         `mapstructure:"long_ssh_bytes" yaml:"long_ssh_bytes" json:"long_ssh_bytes"`
	// WindowsPorts are the service ports a tunnel to a Windows host reaches.
	WindowsPorts []int `mapstructure:"windows_ports" yaml:"windows_ports" json:"windows_ports"`
	// ClockSkew is how far apart a Zeek record and the host's own log line
	// of the same logon may be.
	ClockSkew time.Duration `mapstructure:"clock_skew" yaml:"clock_skew" json:"clock_skew"`
	// LateralHops is the shortest path (in hops) that is reported.
	LateralHops int `mapstructure:"lateral_hops" yaml:"lateral_hops" json:"lateral_hops"`
}

// DefaultDaemonNames are accounts that run services and never log on
// interactively. Automation accounts that log on by SSH by design (ansible,
// deploy, gitlab-runner) are not here; git and jenkins are (an SSH logon by
// them on a host that is not a forge or build agent is wrong) — allow them
// per group with allow_users, or drop them with not_service_accounts.
var DefaultDaemonNames = []string{
	"daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
	"proxy", "www-data", "backup", "list", "irc", "gnats", "nobody", "nfsnobody",
	"systemd-*", "syslog", "messagebus", "_apt", "sshd", "dbus", "polkitd",
	"postgres", "mysql", "mariadb", "oracle", "redis", "mongodb", "memcached",
	"apache", "nginx", "httpd", "tomcat", "jetty", "ftp", "named", "bind",
	"ntp", "chrony", "postfix", "dovecot", "exim", "squid", "elasticsearch",
	"kafka", "zookeeper", "rabbitmq", "zabbix", "nagios", "prometheus",
	"git", "jenkins", "tss", "uuidd", "tcpdump", "dnsmasq", "avahi", "colord",
	"rpc", "rpcuser", "operator", "halt", "shutdown", "adm",
}

// GroupNames are the built-in asset groups (issue 5); each gets an
// <Group>_Abnormal_Access rule whether or not the config fills it.
var GroupNames = []string{
	"Domain_Controller", "Antivirus_Server", "Update_Server", "Developer_PC",
	"Top_Managers", "Release_Build_Agent", "VCS_Server", "Unix_Server",
	"App_1C_User_PC", "App_1C_Server", "Critical_Server",
}

// DefaultConfig is a working configuration with no config file at all.
func DefaultConfig() Config {
	return Config{
		DaemonNames:   append([]string(nil), DefaultDaemonNames...),
		ServiceUIDMax: 1000,
		WorkingHours: WorkingHours{
			Start: "07:00", End: "20:00",
			Days:     []string{"mon", "tue", "wed", "thu", "fri"},
			TimeZone: "UTC",
		},
		Thresholds: Thresholds{
			BruteForceFailures: 30, BruteForceWindow: 30 * time.Minute,
			SprayUsers: 10, SprayWindow: time.Hour,
			GuessFailures: 5, GuessWindow: 30 * time.Minute,
			InvalidUsers: 10, InvalidUserWindow: 30 * time.Minute,
			KeyNormLogons:   3,
			LongSSHDuration: time.Hour, LongSSHBytes: 100 << 20,
			WindowsPorts: []int{3389, 445, 5985, 5986, 135},
			ClockSkew:    2 * time.Minute,
			LateralHops:  2,
		},
		BaselineDays:    7,
		PasswordMethods: []string{"password", "keyboard-interactive"},
		MaxEvidence:     200,
	}
}

// DecodeHook is the mapstructure hook set viper uses, so ConfigFromMap and
// viper.UnmarshalKey read durations ("30m"), times (RFC 3339) and
// comma-separated lists the same way.
func DecodeHook() mapstructure.DecodeHookFunc {
	return mapstructure.ComposeDecodeHookFunc(
		mapstructure.StringToTimeDurationHookFunc(),
		mapstructure.StringToTimeHookFunc(time.RFC3339),
		mapstructure.StringToSliceHookFunc(","),
	)
}

// ConfigFromMap overlays m (the `detect:` section as a map) on the defaults.
func ConfigFromMap(m map[string]any) (Config, error) {
	cfg := DefaultConfig()
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		DecodeHook:       DecodeHook(),
		Result:           &cfg,
		WeaklyTypedInput: true,
		ErrorUnused:      true,
	})
	if err != nil {
		return cfg, err
	}
	if err := dec.Decode(m); err != nil {
		return cfg, fmt.Errorf("detect config: %w", err)
	}
	return cfg, cfg.Validate()
}

// Validate checks the config and says what is wrong with it.
func (c Config) Validate() error {
	_, err := compile(c)
	return err
}
