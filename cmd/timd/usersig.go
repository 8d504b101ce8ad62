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

// usersigOpts are the flags of `timd usersig`.
type usersigOpts struct {
	appID  uint64
	key    string
	ident  string
	expire int64
}

func usersigFlags(o *usersigOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("timd usersig", flag.ContinueOnError)
	fs.Uint64Var(&o.appID, "sdkappid", 0, "SDKAppID the UserSig is for")
	fs.StringVar(&o.key, "key", "", "the app's secret key")
	fs.StringVar(&o.ident, "identifier", "", "UserID the UserSig is for")
	fs.Int64Var(&o.expire, "expire", DefaultSigExpire, "validity in seconds")
	return fs
}

// usersigCmd prints a UserSig made with Tencent's algorithm.
func usersigCmd(args []string, stdout, stderr io.Writer) error {
	var o usersigOpts
	fs := usersigFlags(&o)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	appID, key, ident, expire := &o.appID, &o.key, &o.ident, &o.expire
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
