package timdtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/timd/timd/timdtest"
)

// A test starts timd, calls it as the app's admin and stops it.
func ExampleRun() {
	srv, err := timdtest.Run(context.Background())
	if err != nil {
		panic(err)
	}
	resp, err := http.Post(srv.CallURL("im_open_login_svc", "account_import"), "application/json",
		strings.NewReader(`{"UserID":"alice"}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Status)
	if err := errors.Join(resp.Body.Close(), srv.Close()); err != nil {
		panic(err)
	}
	// Output: 200 OK
}

// In a test, Start fails the test when timd does not start and stops it
// when the test ends.
func ExampleStart() {
	var t *testing.T // the test's
	srv := timdtest.Start(t, timdtest.WithEnv("TIMD_EDITION", "pro"))
	_ = srv.CallURL("group_open_http_svc", "create_group")
}
