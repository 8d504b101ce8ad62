package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/timd/timd/internal/sqlstore"
)

// runStateCmd runs `timd export` or `timd import` on the data.
func runStateCmd(data string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	env := map[string]string{"TIMD_DATA": data}
	err := run(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), err
}

// accountStatus answers account_check for the users, on the development app.
func accountStatus(t *testing.T, m *Main, users ...string) string {
	t.Helper()
	w := m.DevWelcome(t)
	var b strings.Builder
	for _, u := range users {
		r := m.MustCall(t, 0, w.SDKAppID, w.SecretKey, "administrator", "im_open_login_svc", "account_check",
			`{"CheckItem":[{"UserID":"`+u+`"}]}`)
		b.WriteString(u + "=" + strconv.FormatBool(strings.Contains(r.Raw, `"AccountStatus":"Imported"`)) + " ")
	}
	return b.String()
}

// Ensure timd export writes the development app's state, one row a line,
// that --seed replaces the state by it at every start, and that timd import
// replaces it on a stopped server's data.
func TestStateCmd_ExportSeedImport(t *testing.T) {
	dir := t.TempDir()
	data, file := filepath.Join(dir, "timd.db"), filepath.Join(dir, "state.json")
	m := MustRunMain(t, map[string]string{"TIMD_DATA": data})
	w := m.DevWelcome(t)
	app := strconv.FormatUint(w.SDKAppID, 10)
	m.MustCall(t, 0, w.SDKAppID, w.SecretKey, "administrator", "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	if _, err := runStateCmd(data, "export", "--app", app); err == nil || !strings.Contains(err.Error(), "use timd_control/export") {
		t.Fatalf("export of a served file: %v", err)
	}
	mustClose(t, m)
	if _, err := runStateCmd(data, "export", "--app", app, "--out", file); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(saved), "{\n\"Format\": \"timd-export\",\n\"Version\": 1,\n\"SdkAppId\": "+app+",\n") ||
		!strings.Contains(string(saved), "\"Accounts\": [\n  {") || !strings.Contains(string(saved), `"user_id":"alice"`) {
		t.Fatalf("exported:\n%s", saved)
	}
	if out, err := runStateCmd(data, "export", "--app", app); err != nil || out != string(saved) {
		t.Fatalf("export to stdout: %v\n%s", err, out)
	}

	m = MustRunMain(t, map[string]string{"TIMD_DATA": data})
	m.MustCall(t, 0, w.SDKAppID, w.SecretKey, "administrator", "im_open_login_svc", "account_import", `{"UserID":"bob"}`)
	mustClose(t, m)
	for range 2 { // every start replaces the state by the seed's
		m = MustRunMain(t, map[string]string{"TIMD_DATA": data, "TIMD_SEED": file})
		if got := accountStatus(t, m, "alice", "bob", "administrator"); got != "alice=true bob=false administrator=true " {
			t.Fatalf("seeded start: %s", got)
		}
		m.MustCall(t, 0, w.SDKAppID, w.SecretKey, "administrator", "im_open_login_svc", "account_import", `{"UserID":"bob"}`)
		mustClose(t, m)
	}

	other := strings.Replace(strings.Replace(string(saved), `"alice"`, `"carol"`, 1), "\"SdkAppId\": "+app, `"SdkAppId": 1`, 1)
	if err := os.WriteFile(file, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runStateCmd(data, "import", "--app", app, file); err != nil {
		t.Fatal(err)
	}
	m = MustRunMain(t, map[string]string{"TIMD_DATA": data})
	if got := accountStatus(t, m, "alice", "bob", "carol", "administrator"); got != "alice=false bob=false carol=true administrator=true " {
		t.Fatalf("after timd import: %s", got)
	}
}

// Ensure timd import and --seed refuse what they cannot use, and change
// nothing.
func TestStateCmd_Refusals(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "timd.db")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	misspelt := write("misspelt.json", `{"Format":"timd-export","Version":1,"Acounts":[]}`)
	version := write("version.json", `{"Format":"timd-export","Version":9}`)
	otherApp := write("other.json", `{"Format":"timd-export","Version":1,"SdkAppId":7}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", misspelt}, "--app is required"},
		{[]string{"import", "--app", "7", misspelt}, `"Acounts" is not a key`},
		{[]string{"import", "--app", "7", version}, "Version"},
		{[]string{"import", "--app", "7"}, "usage: timd import"},
		{[]string{"export"}, "--app is required"},
	} {
		if _, err := runStateCmd(data, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("timd %v: %v, want %q", c.args, err, c.want)
		}
	}
	m := NewMain()
	env := map[string]string{"TIMD_DATA": data, "TIMD_SEED": otherApp}
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	m.Stdout, m.Stderr = &bytes.Buffer{}, &bytes.Buffer{}
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "app 7 is not served") {
		t.Errorf("seed of an app not served: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Error(err)
	}
	db, err := sqlstore.Open(context.Background(), data, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := db.ExportApp(context.Background(), 7); err != nil || len(doc.Accounts) != 0 {
		t.Errorf("a refusal imported into app 7: %v %v", doc, err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}

func mustClose(t *testing.T, m *Main) {
	t.Helper()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}
