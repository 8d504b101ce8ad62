package server

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/timd/timd/internal/sqlstore"
	"github.com/timd/timd/internal/usersig"
)

// dataPlace says where the data of c.Data lives, for the welcome and the
// log: an absolute SQLite path (so that a start in another directory, which
// makes a new database, shows it), "in memory", or the PostgreSQL URL
// without its password. existed reports whether the SQLite file was there
// before this start; call it before the database is opened.
func dataPlace(data string) (where string, existed bool) {
	switch {
	case sqlstore.IsMemory(data):
		return "in memory", false
	case sqlstore.IsPostgres(data):
		if u, err := url.Parse(data); err == nil {
			return u.Redacted(), true
		}
		return "PostgreSQL", true
	}
	path := sqlstore.SQLitePath(data)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	_, err := os.Stat(path)
	return path, err == nil
}

// printWelcome tells a new user what they need for a first call. For the
// development app timd made itself it shows everything: where its data and
// key live, the key, a fresh admin UserSig and a curl command ready to
// paste. A configured app's key is the operator's, and a long-lived admin
// UserSig is as good as the key: for those it shows how to make one. It
// is written in one write, so that a script (or a test) reading timd's
// output never sees half of it.
func (m *Server) printWelcome() {
	var b bytes.Buffer
	defer func() { _, _ = m.Stdout.Write(b.Bytes()) }() // a closed stdout leaves no one to tell
	app := m.Apps[0]
	admin := app.Admins[0]
	dev := len(m.Config.AllApps()) == 0
	w := &b
	fmt.Fprintf(w, "\ntimd %s is serving the Tencent Cloud Chat REST API at %s (%s)\n\n", m.Version, m.URL(), m.dbKind())
	fmt.Fprintf(w, "  Data:        %s\n", m.dataNote())
	fmt.Fprintf(w, "  SDKAppID:    %d\n", app.SDKAppID)
	fmt.Fprintf(w, "  Admin:       %s\n", admin)
	m.printProxy(w)
	if !dev {
		fmt.Fprintf(w, "  Secret key:  (from your configuration)\n")
		if len(m.Apps) > 1 {
			fmt.Fprintf(w, "  (%d more apps configured)\n", len(m.Apps)-1)
		}
		fmt.Fprintf(w, "  UserSig:     not printed for a configured app; make one with\n"+
			"               timd usersig --sdkappid %d --key <secret key> --identifier %s\n", app.SDKAppID, admin)
		m.printConsole(w, dev)
		fmt.Fprintln(w)
		return
	}
	note := "development app stored in the data above, reused on later starts"
	switch {
	case sqlstore.IsMemory(m.Config.Data):
		note = "development app created now, in memory: a new one on every start"
	case m.DevAppCreated:
		note = "development app created now, stored in the data above; reused on later starts"
	}
	fmt.Fprintf(w, "  Secret key:  %s  (%s)\n", app.SecretKey, note)
	sig, err := usersig.Gen(app.SDKAppID, app.SecretKey, admin, usersig.DefaultExpire, time.Now())
	if err != nil {
		m.Logger.Error("generate admin usersig", "err", err)
		return
	}
	fmt.Fprintf(w, "  UserSig:     %s  (admin, valid 180 days)\n", sig)
	m.printConsole(w, dev)
	fmt.Fprintln(w)
	// Tencent's parameter order, as its documentation writes the URL.
	query := fmt.Sprintf("sdkappid=%d&identifier=%s&usersig=%s&random=1&contenttype=json",
		app.SDKAppID, url.QueryEscape(admin), url.QueryEscape(sig))
	// The README's examples start from these shell variables; the key of
	// the development app is printed above anyway.
	fmt.Fprintf(w, "For the README's examples, paste into your shell:\n\n  Q='%s' APP=%d KEY=%s\n\n", query, app.SDKAppID, app.SecretKey)
	fmt.Fprintf(w, "Import a first account:\n\n  curl -s '%s/v4/im_open_login_svc/account_import?%s' -d '{\"UserID\":\"alice\",\"Nick\":\"Alice\"}'\n\n",
		m.URL(), query)
}

// dbKind names the database for the welcome's first line.
func (m *Server) dbKind() string {
	switch {
	case sqlstore.IsMemory(m.Config.Data):
		return "SQLite in memory"
	case m.Store.Dialect() == "postgres":
		return "PostgreSQL"
	}
	return "SQLite"
}

// dataNote is the welcome's Data line: where the data is and whether this
// start created it.
func (m *Server) dataNote() string {
	switch {
	case sqlstore.IsMemory(m.Config.Data):
		return "in memory only: everything, the development app's key included, is lost when timd exits"
	case m.Store.Dialect() == "postgres":
		return m.dataWhere
	case m.dataExisted:
		return m.dataWhere + "  (existing database, reused)"
	}
	return m.dataWhere + "  (new database, created now: timd found none at this path; " +
		"start it with the same --data to reuse it)"
}
