package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/timd/timd/internal/usersig"
)

// DefaultSigExpire is how long generated UserSigs stay valid: 180 days, the
// default of Tencent's own generators.
const DefaultSigExpire = usersig.DefaultExpire

// usersigCmd prints a UserSig made with Tencent's algorithm.
func usersigCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("timd usersig", flag.ContinueOnError)
	fs.SetOutput(stderr)
	appID := fs.Uint64("sdkappid", 0, "SDKAppID the UserSig is for")
	key := fs.String("key", "", "the app's secret key")
	ident := fs.String("identifier", "", "UserID the UserSig is for")
	expire := fs.Int64("expire", DefaultSigExpire, "validity in seconds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var errs []error
	if *appID == 0 {
		errs = append(errs, errors.New("--sdkappid is required"))
	}
	if *key == "" {
		errs = append(errs, errors.New("--key is required"))
	}
	if *ident == "" {
		errs = append(errs, errors.New("--identifier is required"))
	}
	if *expire <= 0 {
		errs = append(errs, errors.New("--expire must be positive"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	sig, err := usersig.Gen(*appID, *key, *ident, *expire, time.Now())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, sig)
	return err
}
