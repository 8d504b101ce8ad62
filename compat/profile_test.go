package compat

import (
	"reflect"
	"testing"
	"time"

	"github.com/dobyte/tencent-im/profile"
)

// Ensure the SDK's profile calls work against timd: SetProfile with every
// standard field the SDK has a setter for and two custom ones (the app
// declares Motto, a string, and Score, an integer), GetProfiles reading
// them back through the SDK's getters, an account that is not imported
// reported as its item's error, and SetProfile's codes for an unknown tag
// and an account that is not imported.
func TestDobyte_Profiles(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	api := sdk.Profile()
	p := profile.NewProfile("alice")
	p.SetNickname("Alice")
	p.SetGender(profile.GenderTypeFemale)
	p.SetBirthday(time.Date(2019, 4, 19, 0, 0, 0, 0, time.UTC))
	p.SetLocation(86, 1, 2, 3)
	p.SetSignature("hello")
	p.SetAllowType(profile.AllowTypeDenyAny)
	p.SetLanguage(2052)
	p.SetAvatar("http://example.com/a.png")
	p.SetMsgSettings(1)
	p.SetAdminForbidType(profile.AdminForbidTypeSendOut)
	p.SetLevel(7)
	p.SetRole(9)
	p.SetCustomAttr("Motto", "carpe diem")
	p.SetCustomAttr("Score", 42)
	if err := api.SetProfile(p); err != nil {
		t.Fatalf("SetProfile: %v", err)
	}
	tags := make([]string, 0, len(p.GetAttrs()))
	for tag := range p.GetAttrs() {
		tags = append(tags, tag)
	}
	got, err := api.GetProfiles([]string{"alice", "ghost"}, tags)
	if err != nil || len(got) != 2 {
		t.Fatalf("GetProfiles: %v, %v", got, err)
	}
	sdkCheckProfile(t, got[0])
	if got[1].GetUserId() != "ghost" || codeOf(got[1].GetError()) != 40003 {
		t.Errorf("ghost: %s %v", got[1].GetUserId(), got[1].GetError())
	}

	bad := profile.NewProfile("bob")
	bad.SetCustomAttr("Undeclared", "x")
	if err := api.SetProfile(bad); codeOf(err) != 40009 {
		t.Errorf("SetProfile of an undeclared custom field: %v, want 40009", err)
	}
	ghost := profile.NewProfile("ghost")
	ghost.SetNickname("boo")
	if err := api.SetProfile(ghost); codeOf(err) != 40003 {
		t.Errorf("SetProfile of an account not imported: %v, want 40003", err)
	}
}

// sdkCheckProfile reads alice's fields back through the SDK's getters.
// GetBirthday is not called: v0.1.1 asserts the value is a string, and a
// birthday is a number on Tencent's pages (1047/33520) as in timd; it is
// read with GetAttr instead.
func sdkCheckProfile(t *testing.T, p *profile.Profile) {
	t.Helper()
	if p.GetUserId() != "alice" || p.GetError() != nil {
		t.Fatalf("alice: %s %v", p.GetUserId(), p.GetError())
	}
	nick, _ := p.GetNickname()
	gender, _ := p.GetGender()
	country, province, city, region, _ := p.GetLocation()
	sig, _ := p.GetSignature()
	allow, _ := p.GetAllowType()
	lang, _ := p.GetLanguage()
	avatar, _ := p.GetAvatar()
	msg, _ := p.GetMsgSettings()
	forbid, _ := p.GetAdminForbidType()
	level, _ := p.GetLevel()
	role, _ := p.GetRole()
	birthday, _ := p.GetAttr("Tag_Profile_IM_BirthDay")
	motto, _ := p.GetCustomAttr("Motto")
	score, _ := p.GetCustomAttr("Score")
	got := []any{nick, gender, country, province, city, region, sig, allow, lang, avatar, msg, forbid, level, role, birthday, motto, score}
	want := []any{"Alice", profile.GenderTypeFemale, uint32(86), uint32(1), uint32(2), uint32(3), "hello", profile.AllowTypeDenyAny,
		uint(2052), "http://example.com/a.png", uint(1), profile.AdminForbidTypeSendOut, uint(7), uint(9), float64(20190419), "carpe diem", float64(42)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields read back:\n got %v\nwant %v", got, want)
	}
}
