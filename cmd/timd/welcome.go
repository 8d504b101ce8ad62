package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/timd/timd/internal/usersig"
)

// printWelcome tells a new user what they need for a first call: the app,
// its admin, the secret key (only for the development app timd made itself:
// a configured key is the operator's and stays out of the output), a fresh
// admin UserSig and a curl command ready to paste.
func (m *Main) printWelcome() {
	app := m.Apps[0]
	admin := app.Admins[0]
	sig, err := usersig.Gen(app.SDKAppID, app.SecretKey, admin, DefaultSigExpire, time.Now())
	if err != nil {
		m.Logger.Error("generate admin usersig", "err", err)
		return
	}
	where := m.Config.Data
	if m.Store.Dialect() == "postgres" {
		where = "PostgreSQL"
	}
	w := m.Stdout
	fmt.Fprintf(w, "\ntimd %s is serving the Tencent Cloud Chat REST API at %s (data: %s)\n\n", Version(), m.URL(), where)
	fmt.Fprintf(w, "  SDKAppID:    %d\n", app.SDKAppID)
	fmt.Fprintf(w, "  Admin:       %s\n", admin)
	if len(m.Config.AllApps()) == 0 {
		note := "stored with the data, reused on later starts"
		if m.DevAppCreated {
			note = "development app created now; " + note
		}
		fmt.Fprintf(w, "  Secret key:  %s  (%s)\n", app.SecretKey, note)
	} else {
		fmt.Fprintf(w, "  Secret key:  (from your configuration)\n")
	}
	if len(m.Apps) > 1 {
		fmt.Fprintf(w, "  (%d more apps configured)\n", len(m.Apps)-1)
	}
	fmt.Fprintf(w, "  UserSig:     %s  (admin, valid 180 days)\n\n", sig)
	// Tencent's parameter order, as its documentation writes the URL.
	query := fmt.Sprintf("sdkappid=%d&identifier=%s&usersig=%s&random=1&contenttype=json",
		app.SDKAppID, url.QueryEscape(admin), url.QueryEscape(sig))
	fmt.Fprintf(w, "Import a first account:\n\n  curl -s '%s/v4/im_open_login_svc/account_import?%s' -d '{\"UserID\":\"alice\",\"Nick\":\"Alice\"}'\n\n",
		m.URL(), query)
}
