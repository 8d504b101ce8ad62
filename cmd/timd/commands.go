package main

import (
	"flag"
	"io"

	"github.com/timd/timd/internal/config"
)

// command is one subcommand of timd as the help and the completion scripts
// show it; run (main.go) dispatches it.
type command struct {
	name    string
	usage   string // the help's synopsis
	summary string
	// flagSet returns the command's flags, for a command other than serve
	// that has some (serve's are config's settings table).
	flagSet func() *flag.FlagSet
	args    []string // the words it takes after its name, for completion
	hidden  bool     // not offered by completion (timd bench)
}

// commands lists timd's subcommands, serve (the default) first.
var commands = []command{
	{name: "serve", usage: "timd [serve] [flags]", summary: "run the server (the default command)"},
	{name: "usersig", usage: "timd usersig [flags]", summary: "print a UserSig made with Tencent's algorithm",
		flagSet: func() *flag.FlagSet { return usersigFlags(&usersigOpts{}) }},
	{name: "export", usage: "timd export --app ID [--out FILE]",
		summary: "write the app's whole state as one JSON document (docs/control-state.md)",
		flagSet: func() *flag.FlagSet { return newStateFlags("export", io.Discard).fs }},
	{name: "import", usage: "timd import --app ID FILE", summary: "replace the app's state by such a document",
		flagSet: func() *flag.FlagSet { return newStateFlags("import", io.Discard).fs }},
	{name: "healthcheck", usage: "timd healthcheck [flags]",
		summary: "exit 0 when a running timd is ready (GET /readyz), else 1; one line either way",
		flagSet: func() *flag.FlagSet { return healthcheckFlags(&healthcheckOpts{}) }},
	{name: "completion", usage: "timd completion bash|zsh|fish", summary: "print a shell completion script for timd",
		args: completionShells},
	{name: "bench", usage: "timd bench", summary: "moved to its own command: timd-bench (go run ./cmd/timd-bench -h)", hidden: true},
	{name: "version", usage: "timd version", summary: "print the version, commit and Go version (also: timd --version)"},
	{name: "help", usage: "timd help", summary: "print this help (also: timd -h, timd --help, timd serve -h)"},
}

// flagInfo is one flag as completion offers it.
type flagInfo struct {
	name, usage string
	isBool      bool     // takes no value
	values      []string // the values it takes, when they are few
	file        bool     // its value is a path
}

// valueHints are what completion offers after a flag of serve: a path, or
// one of a few words. TestCompletion_Hints checks each names a setting.
var valueHints = map[string]flagInfo{
	"config":              {file: true},
	"data":                {file: true},
	"ready-file":          {file: true},
	"proxy-ca-dir":        {file: true},
	"edition":             {values: []string{"ultimate", "pro", "standard"}},
	"control":             {values: []string{"on", "off"}},
	"time-control":        {values: []string{"on", "off"}},
	"console":             {values: []string{"on", "off"}},
	"rate-limit":          {values: []string{"tencent", "off"}},
	"callback-on-failure": {values: []string{config.OnFailureAllow, "reject"}},
	"log-level":           {values: []string{"debug", "info", "warn", "error"}},
	"log-format":          {values: []string{"text", "json"}},
}

// flags returns the flags of c, serve's from the settings table.
func (c command) flags() []flagInfo {
	var out []flagInfo
	switch {
	case c.name == "serve":
		for _, s := range config.Settings() {
			f := valueHints[s.Flag]
			f.name, f.usage, f.isBool = s.Flag, s.Usage, s.Bool
			out = append(out, f)
		}
	case c.flagSet != nil:
		c.flagSet().VisitAll(func(fl *flag.Flag) {
			b, ok := fl.Value.(interface{ IsBoolFlag() bool })
			out = append(out, flagInfo{name: fl.Name, usage: fl.Usage, isBool: ok && b.IsBoolFlag()})
		})
	}
	return out
}

// completable are the commands completion offers.
func completable() []command {
	var out []command
	for _, c := range commands {
		if !c.hidden {
			out = append(out, c)
		}
	}
	return out
}
