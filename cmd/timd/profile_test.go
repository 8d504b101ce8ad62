package main

import "testing"

// Ensure the custom profile fields of TIMD_PROFILE_FIELDS reach the app
// timd serves: portrait_set takes a declared field with its type and
// answers 40009 for an undeclared one.
func TestMain_ProfileFields(t *testing.T) {
	m := MustRunMain(t, map[string]string{
		"TIMD_SDKAPPID": "1400000099", "TIMD_SECRET_KEY": cfgKey, "TIMD_ADMINS": "boss",
		"TIMD_PROFILE_FIELDS": "Score:integer,Motto:string:4",
	})
	m.MustCall(t, 0, cfgAppID, cfgKey, "boss", "im_open_login_svc", "account_import", `{"UserID":"carol"}`)
	for _, c := range []struct {
		item string
		code int
	}{
		{`{"Tag":"Tag_Profile_Custom_Score","Value":5}`, 0},
		{`{"Tag":"Tag_Profile_Custom_Score","Value":"5"}`, 40001},
		{`{"Tag":"Tag_Profile_Custom_Motto","Value":"abcd"}`, 0},
		{`{"Tag":"Tag_Profile_Custom_Motto","Value":"abcde"}`, 40601},
		{`{"Tag":"Tag_Profile_Custom_Other","Value":"x"}`, 40009},
	} {
		m.MustCall(t, c.code, cfgAppID, cfgKey, "boss", "profile", "portrait_set", `{"From_Account":"carol","ProfileItem":[`+c.item+`]}`)
	}
}
