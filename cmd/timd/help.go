package main

import (
	"fmt"
	"io"

	"github.com/timd/timd/internal/config"
)

const helpIntro = `timd serves the Tencent Cloud Chat (Tencent IM) server REST API and delivers
its third-party callbacks, on embedded SQLite or on PostgreSQL.

Commands:
`

const helpServe = `
Flags of timd serve. Each can also be set by its TIMD_* variable or in the
YAML file of --config; a flag wins over its variable, a variable over the file.
Started with nothing set, timd creates a development app in ./timd-data/.

`

// writeHelp prints the whole help: the commands, and every flag of each
// (serve's with their TIMD_* variables and defaults).
func writeHelp(w io.Writer) {
	_, _ = io.WriteString(w, helpIntro) // for people, as the fmt.Fprint* in .ci/errcheck_excludes.txt
	width := 0
	for _, c := range commands {
		width = max(width, len(c.usage))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.usage, c.summary)
	}
	_, _ = io.WriteString(w, helpServe)
	config.WriteHelp(w)
	// The other commands' flags are printed by their own flag sets, as
	// `timd X -h` prints them, so that this help cannot drift from them.
	for _, c := range commands {
		if c.flagSet != nil {
			fmt.Fprintf(w, "\nFlags of timd %s:\n", c.name)
			fs := c.flagSet()
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
	}
}
