package timd_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/testcontainers/testcontainers-go"

	timd "github.com/timd/timd/testcontainers"
)

// A test starts timd's image, imports an account as the admin and stops
// the container. (Not run by go test: it needs Docker and the image.)
func ExampleRun() {
	ctx := context.Background()
	ctr, err := timd.Run(ctx, "timd:latest", testcontainers.WithEnv(map[string]string{"TIMD_EDITION": "pro"}))
	defer func() {
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			log.Print(err)
		}
	}()
	if err != nil {
		log.Fatal(err)
	}
	base, err := ctr.URL(ctx)
	if err != nil {
		log.Fatal(err)
	}
	q, err := ctr.Query()
	if err != nil {
		log.Fatal(err)
	}
	resp, err := http.Post(base+"/v4/im_open_login_svc/account_import?"+q, "application/json", strings.NewReader(`{"UserID":"alice"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, resp.Body.Close())
}
