package server

import (
	"strings"
	"testing"
)

// Ensure the command line pprof serves hides secrets given as flags.
func TestRedactArgs(t *testing.T) {
	got := redactArgs([]string{"timd", "--secret-key", "k1", "-secret-key=k2", "--callback-token", "t1",
		"--callback-secret=whsec_abc", "--data", "postgres://u:pw@db/timd", "--data=postgres://u:pw2@db/timd",
		"--callback-url", "https://cb:pw3@cb.example/im", "--key", "k3", "--admins", "boss", "--pprof-addr=127.0.0.1:6060"})
	joined := strings.Join(got, " ")
	for _, secret := range []string{"k1", "k2", "t1", "whsec_abc", ":pw@", ":pw2@", ":pw3@", "k3"} {
		if strings.Contains(joined, secret) {
			t.Errorf("%q left in %s", secret, joined)
		}
	}
	want := "timd --secret-key xxxxx -secret-key=xxxxx --callback-token xxxxx --callback-secret=xxxxx " +
		"--data postgres://u:xxxxx@db/timd --data=postgres://u:xxxxx@db/timd --callback-url https://cb:xxxxx@cb.example/im " +
		"--key xxxxx --admins boss --pprof-addr=127.0.0.1:6060"
	if joined != want {
		t.Errorf("redactArgs =\n%s\nwant\n%s", joined, want)
	}
}
