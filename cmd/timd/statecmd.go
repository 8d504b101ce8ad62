package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/timd/timd/internal/config"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/server"
	"github.com/timd/timd/internal/sqlstore"
)

// timd export and timd import: an app's whole state as one document
// (docs/control-state.md), read from and written to the configured
// database directly, while no timd serves a SQLite file.

// stateFlags are the flags export and import share.
type stateFlags struct {
	fs     *flag.FlagSet
	app    *uint64
	data   *string
	config *string
}

func newStateFlags(name string, stderr io.Writer) *stateFlags {
	fs := flag.NewFlagSet("timd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &stateFlags{
		fs:     fs,
		app:    fs.Uint64("app", 0, "SDKAppID of the app (required)"),
		data:   fs.String("data", "", "SQLite file or directory, or a postgres:// URL (default: TIMD_DATA, the config file's, or serve's default)"),
		config: fs.String("config", "", "YAML configuration file (default: TIMD_CONFIG)"),
	}
}

// open checks --app and opens the configured database, returning the
// configuration too.
func (f *stateFlags) open(ctx context.Context, getenv func(string) string) (*sqlstore.DB, config.Config, error) {
	if *f.app == 0 {
		return nil, config.Config{}, errors.New("--app is required")
	}
	var args []string
	if *f.config != "" {
		args = append(args, "--config", *f.config)
	}
	if *f.data != "" {
		args = append(args, "--data", *f.data)
	}
	c, err := config.Load(args, getenv)
	if err != nil {
		return nil, c, err
	}
	db, err := sqlstore.Open(ctx, c.Data, sqlstore.Options{})
	if errors.Is(err, sqlstore.ErrInUse) {
		err = fmt.Errorf("%w: stop the timd serving it, or use timd_control/export and import (docs/control-state.md)", err)
	}
	return db, c, err
}

// exportCmd writes the app's state to --out or stdout.
func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f := newStateFlags("export", stderr)
	out := f.fs.String("out", "", "file to write the document to (default: standard output)")
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", f.fs.Args())
	}
	db, _, err := f.open(ctx, getenv)
	if err != nil {
		return err
	}
	doc, err := db.ExportApp(ctx, *f.app)
	if err = errors.Join(err, db.Close()); err != nil {
		return err
	}
	var b bytes.Buffer
	writeStateDoc(&b, doc)
	if *out == "" {
		_, err = stdout.Write(b.Bytes())
		return err
	}
	return os.WriteFile(*out, b.Bytes(), 0o600)
}

// importCmd replaces the app's state by the document in FILE.
func importCmd(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	f := newStateFlags("import", stderr)
	if err := f.fs.Parse(args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 || *f.app == 0 {
		return errors.New("usage: timd import --app ID [--data DSN] FILE: --app is required, and one FILE")
	}
	doc, err := server.ReadStateDoc(f.fs.Arg(0))
	if err != nil {
		return err
	}
	db, c, err := f.open(ctx, getenv)
	if err != nil {
		return err
	}
	var admins []string
	for _, a := range c.AllApps() {
		if a.SDKAppID == *f.app {
			admins = a.Admins
		}
	}
	return errors.Join(db.ImportApp(ctx, *f.app, doc, admins), db.Close())
}

// writeStateDoc writes a document as JSON with one key, and one row, a
// line, so that documents kept in version control diff by row.
func writeStateDoc(w *bytes.Buffer, doc *im.StateDoc) {
	v := reflect.ValueOf(doc).Elem()
	w.WriteString("{\n")
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		fmt.Fprintf(w, "%q: ", name)
		if rows, ok := v.Field(i).Interface().([]im.StateRow); ok {
			writeRows(w, rows)
		} else {
			b, _ := json.Marshal(v.Field(i).Interface()) // strings and numbers
			w.Write(b)
		}
		if i < v.NumField()-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString("}\n")
}

// writeRows writes a list of rows, one a line.
func writeRows(w *bytes.Buffer, rows []im.StateRow) {
	if len(rows) == 0 {
		w.WriteString("[]")
		return
	}
	w.WriteString("[\n")
	for i, r := range rows {
		b, _ := json.Marshal(r) // raw values that came from json.Marshal
		w.WriteString("  ")
		w.Write(b)
		if i < len(rows)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString("]")
}
