package config

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

// Setting describes one setting of `timd serve` for its help: the flag,
// the TIMD_* variable, what it does and its default, and whether the flag
// may be given without a value.
type Setting struct {
	Flag, Env, Usage, Default string
	Bool                      bool
}

// Settings lists every setting of `timd serve`, --config first, in the order
// of the settings table.
func Settings() []Setting {
	out := []Setting{{Flag: "config", Env: EnvConfigFile, Usage: configUsage, Default: "none"}}
	for _, s := range settings {
		out = append(out, Setting{Flag: s.flag, Env: s.env, Usage: s.usage, Default: defaultText(s.flag), Bool: boolSettings[s.flag]})
	}
	return out
}

// WriteHelp writes the flags of `timd serve`, each with its variable and
// default.
func WriteHelp(w io.Writer) {
	for _, s := range Settings() {
		value := " value"
		if s.Bool {
			value = ""
		}
		fmt.Fprintf(w, "  --%s%s  (%s, default %s)\n      %s\n", s.Flag, value, s.Env, s.Default, s.Usage)
	}
}

// fixedDefaults are the defaults the help describes rather than reads.
var fixedDefaults = map[string]string{
	"sdkappid":       "none: timd creates a development app, stored with the data",
	"secret-key":     "none",
	"ready-file":     "none",
	"public-url":     "the address each call came to",
	"seed":           "none",
	"profile-fields": "none: only the standard profile fields",
	"control":        "on for the development app, off for a configured one",
	"console":        "on for the development app, off for a configured one",
	"pprof-addr":     "off",
	"proxy-addr":     "off",
	"proxy-ca-dir":   "the directory of the SQLite file",
	"time-control":   "off",
}

// defaultText is how the help shows a setting's default, read from Default()
// and the callback defaults so that it cannot drift from them. A setting
// missing here shows "?" in the help, and the help test fails.
func defaultText(flag string) string {
	if strings.HasPrefix(flag, "callback-") {
		return callbackDefaultText(flag)
	}
	if text, ok := fixedDefaults[flag]; ok {
		return text
	}
	c := Default()
	switch flag {
	case "addr":
		return c.Addr
	case "data":
		return c.Data
	case "admins":
		return strings.Join(c.App.Admins, ",")
	case "edition":
		return c.App.Edition
	case "rate-limit":
		return c.RateLimit
	case "max-body-bytes":
		return strconv.FormatInt(c.MaxBodyBytes, 10)
	case "max-conns":
		return strconv.Itoa(c.MaxConns)
	case "max-connections":
		return strconv.Itoa(c.MaxConnections)
	case "max-inflight-bytes":
		return strconv.FormatInt(c.MaxInflightBytes, 10)
	case "shutdown-timeout":
		return shortDuration(c.ShutdownTimeout)
	case "log-level":
		return c.LogLevel
	case "log-format":
		return c.LogFormat
	case "pprof-allow-remote":
		return strconv.FormatBool(c.PprofAllowRemote)
	}
	return "?"
}

// callbackDefaultText is defaultText of the callback-* settings.
func callbackDefaultText(flag string) string {
	c := Default()
	switch flag {
	case "callback-url":
		return "none: no callbacks"
	case "callback-token", "callback-secret":
		return "none"
	case "callback-commands":
		return "all"
	case "callback-timeout":
		return shortDuration(DefaultCallbackTimeout)
	case "callback-retry":
		var ds []string
		for _, d := range im.DefaultRetry() {
			ds = append(ds, shortDuration(d))
		}
		return strings.Join(ds, ",")
	case "callback-concurrency":
		return strconv.Itoa(DefaultCallbackConcurrency)
	case "callback-before-timeout":
		return shortDuration(DefaultBeforeTimeout)
	case "callback-on-failure":
		return OnFailureAllow
	case "callback-retention":
		return shortDuration(c.CallbackRetention)
	case "callback-lease":
		return shortDuration(c.CallbackLease)
	}
	return "?"
}

// shortDuration writes d without zero units: 168h, not 168h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
