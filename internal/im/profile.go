package im

import (
	"context"
	"encoding/json"
)

// Profiles (profile/portrait_set, profile/portrait_get;
// docs/fidelity/profiles.md). A profile is a set of Tag/Value fields: the
// standard Tag_Profile_IM_* fields of 1047/33520 and the custom
// Tag_Profile_Custom_* fields an app declares (App.ProfileFields, as
// Tencent's console declares them). Nick and Image are the accounts row's
// nick and face_url, which account_import also writes; every other field
// set is a row of its own.

// The standard profile tags (1047/33520, 269/1500).
const (
	TagNick            = "Tag_Profile_IM_Nick"
	TagGender          = "Tag_Profile_IM_Gender"
	TagBirthDay        = "Tag_Profile_IM_BirthDay"
	TagLocation        = "Tag_Profile_IM_Location"
	TagSelfSignature   = "Tag_Profile_IM_SelfSignature"
	TagAllowType       = "Tag_Profile_IM_AllowType"
	TagLanguage        = "Tag_Profile_IM_Language"
	TagImage           = "Tag_Profile_IM_Image"
	TagMsgSettings     = "Tag_Profile_IM_MsgSettings"
	TagAdminForbidType = "Tag_Profile_IM_AdminForbidType"
	TagLevel           = "Tag_Profile_IM_Level"
	TagRole            = "Tag_Profile_IM_Role"

	// ProfileCustomPrefix starts every custom field's tag; the rest is the
	// name the app declares.
	ProfileCustomPrefix = "Tag_Profile_Custom_"
)

// The values of the enumerated standard fields. The first of each is what
// an account that never set the field has.
const (
	GenderUnknown = "Gender_Type_Unknown"
	GenderFemale  = "Gender_Type_Female"
	GenderMale    = "Gender_Type_Male"

	// AllowTypeNeedConfirm is Tag_Profile_IM_AllowType's default: the
	// friends chain reads an absent row as it.
	AllowTypeNeedConfirm = "AllowType_Type_NeedConfirm"
	AllowTypeAllowAny    = "AllowType_Type_AllowAny"
	AllowTypeDenyAny     = "AllowType_Type_DenyAny"

	AdminForbidNone    = "AdminForbid_Type_None"
	AdminForbidSendOut = "AdminForbid_Type_SendOut"
)

// Profile limits.
const (
	// MaxProfileValueBytes bounds a string field (Nick, SelfSignature,
	// Image, a custom string): 500 bytes, 40601 beyond (1047/33520).
	MaxProfileValueBytes = MaxProfileBytes
	// MaxLocationBytes bounds Tag_Profile_IM_Location: 16 bytes.
	MaxLocationBytes = 16
	// MaxProfileAccounts bounds portrait_get's To_Account: 100.
	MaxProfileAccounts = 100
)

// Profile codes (1047/34916, 1047/34917). 40601 is CodeProfileTooLong.
const (
	CodeProfileInvalid         = 40001 // invalid parameter
	CodeProfileToAccountEmpty  = 40002 // portrait_get: To_Account missing or empty
	CodeProfileAccountNotFound = 40003 // the account is not imported
	CodeProfileAdminRequired   = 40004 // never answered: a non-admin identifier is 60010 first
	CodeProfileInternal        = 40006 // internal error
	CodeProfileNoReadAccess    = 40007 // never answered: timd has no read permissions
	CodeProfileNoWriteAccess   = 40008 // never answered: timd has no write permissions
	CodeProfileTagUnknown      = 40009 // no such standard tag, or a custom tag the app did not declare
	CodeProfileBadValue        = 40605 // a standard field's value is not one it allows
	CodeProfileBadType         = 40610 // a standard field's value is of the wrong JSON type
)

// ProfileFieldType is the type of a custom profile field.
type ProfileFieldType string

// The custom field types Tencent's console offers.
const (
	ProfileFieldString  ProfileFieldType = "string"
	ProfileFieldInteger ProfileFieldType = "integer"
)

// ProfileField is a custom profile field an app declares: its tag is
// ProfileCustomPrefix + Name.
type ProfileField struct {
	Name string
	Type ProfileFieldType
	// MaxBytes bounds a string field's value (at most
	// MaxProfileValueBytes); 0 means MaxProfileValueBytes.
	MaxBytes int
}

// ProfileField returns the custom field the app declares with tag, if any.
func (a *App) ProfileField(tag string) (ProfileField, bool) {
	for _, f := range a.ProfileFields {
		if ProfileCustomPrefix+f.Name == tag {
			return f, true
		}
	}
	return ProfileField{}, false
}

// ProfileItem is one field of a profile: its tag and its value as JSON (a
// string or a number), as portrait_set gave it and portrait_get returns it.
type ProfileItem struct {
	Tag   string          `json:"Tag"`
	Value json.RawMessage `json:"Value"`
}

// Profile is what portrait_get reads of one account: whether it is
// imported, and its fields that are set, by tag. Nick and Image are always
// there for an imported account (as stored, "" if never set).
type Profile struct {
	Found  bool
	Fields map[string]json.RawMessage
}

// ProfileService stores profiles.
type ProfileService interface {
	// SetProfile sets userID's fields in one transaction and records
	// Profile.CallbackPortraitSet with them: 40003 if userID is not
	// imported. The caller has validated every item (their tags are
	// distinct, their values canonical JSON).
	SetProfile(ctx context.Context, op Op, userID string, items []ProfileItem) error

	// GetProfiles reads the profiles of userIDs, one per id in order.
	GetProfiles(ctx context.Context, app uint64, userIDs []string) ([]Profile, error)
}
