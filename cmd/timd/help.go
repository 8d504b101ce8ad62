package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/timd/timd/internal/config"
)

const helpHead = `timd serves the Tencent Cloud Chat (Tencent IM) server REST API and delivers
its third-party callbacks, on embedded SQLite or on PostgreSQL.

Commands:
  timd [serve] [flags]   run the server (the default command)
  timd usersig [flags]   print a UserSig made with Tencent's algorithm
  timd export --app ID [--out FILE]
                         write the app's whole state as one JSON document (docs/control-state.md)
  timd import --app ID FILE
                         replace the app's state by such a document
  timd bench             moved to its own command: timd-bench (go run ./cmd/timd-bench -h)
  timd version           print the version, commit and Go version (also: timd --version)
  timd help              print this help (also: timd -h, timd --help, timd serve -h)

Flags of timd serve. Each can also be set by its TIMD_* variable or in the
YAML file of --config; a flag wins over its variable, a variable over the file.
Started with nothing set, timd creates a development app in ./timd-data/.

`

// writeHelp prints the whole help: the commands, and every flag of each
// (serve's with their TIMD_* variables and defaults).
func writeHelp(w io.Writer) {
	_, _ = io.WriteString(w, helpHead) // for people, as the fmt.Fprint* in .ci/errcheck_excludes.txt
	config.WriteHelp(w)
	// The other commands describe their own flags, as `timd X -h` prints
	// them, so that this help cannot drift from them.
	for _, sub := range []struct {
		name string
		run  func(stderr io.Writer) error
	}{
		{"usersig", func(e io.Writer) error { return usersigCmd([]string{"-h"}, io.Discard, e) }},
		{"export", func(e io.Writer) error {
			return exportCmd(context.Background(), []string{"-h"}, os.Getenv, io.Discard, e)
		}},
		{"import", func(e io.Writer) error { return importCmd(context.Background(), []string{"-h"}, os.Getenv, e) }},
	} {
		var b bytes.Buffer
		// -h: it returns flag.ErrHelp, with the flags written to b.
		_ = sub.run(&b)
		_, flags, _ := strings.Cut(b.String(), "\n") // drop flag's "Usage of ...:" line
		fmt.Fprintf(w, "\nFlags of timd %s:\n%s", sub.name, flags)
	}
}
