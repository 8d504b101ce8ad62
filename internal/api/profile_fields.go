package api

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// The profile fields and the values each accepts (1047/33520, 269/1500;
// docs/fidelity/profiles.md#fields).

// profileKind is how a standard field's value is written.
type profileKind int

const (
	kindString profileKind = iota // a JSON string of at most max bytes
	kindEnum                      // a JSON string, one of values
	kindUint32                    // a JSON integer in 0..4294967295
)

// standardField is one Tag_Profile_IM_* field. values[0] of an enum is its
// default.
type standardField struct {
	kind   profileKind
	max    int
	values []string
}

var standardFields = map[string]standardField{
	im.TagNick:            {kind: kindString, max: im.MaxProfileValueBytes},
	im.TagGender:          {kind: kindEnum, values: []string{im.GenderUnknown, im.GenderFemale, im.GenderMale}},
	im.TagBirthDay:        {kind: kindUint32},
	im.TagLocation:        {kind: kindString, max: im.MaxLocationBytes},
	im.TagSelfSignature:   {kind: kindString, max: im.MaxProfileValueBytes},
	im.TagAllowType:       {kind: kindEnum, values: []string{im.AllowTypeNeedConfirm, im.AllowTypeAllowAny, im.AllowTypeDenyAny}},
	im.TagLanguage:        {kind: kindUint32},
	im.TagImage:           {kind: kindString, max: im.MaxProfileValueBytes},
	im.TagMsgSettings:     {kind: kindUint32},
	im.TagAdminForbidType: {kind: kindEnum, values: []string{im.AdminForbidNone, im.AdminForbidSendOut}},
	im.TagLevel:           {kind: kindUint32},
	im.TagRole:            {kind: kindUint32},
}

// profileDefault is the value portrait_get gives a field an account never
// set: "" or 0, an enum's first value; ok is false for a tag that is
// neither a standard field nor a custom field the app declares.
func profileDefault(app *im.App, tag string) (v json.RawMessage, ok bool) {
	if f, ok := standardFields[tag]; ok {
		switch f.kind {
		case kindEnum:
			return json.RawMessage(strconv.Quote(f.values[0])), true
		case kindUint32:
			return json.RawMessage("0"), true
		}
		return json.RawMessage(`""`), true
	}
	if f, ok := app.ProfileField(tag); ok {
		if f.Type == im.ProfileFieldInteger {
			return json.RawMessage("0"), true
		}
		return json.RawMessage(`""`), true
	}
	return nil, false
}

func unknownProfileTag(field, tag string) error {
	return im.Errorf(im.CodeProfileTagUnknown, "%s: %q is neither a standard profile field nor a custom one the app declares", field, tag)
}

// checkProfileValue checks value for the field tag names and returns it in
// its canonical JSON form.
func checkProfileValue(app *im.App, field, tag string, value json.RawMessage) (json.RawMessage, error) {
	v := strings.TrimSpace(string(value))
	if v == "" {
		return nil, invalidParam(field + ".Value is required")
	}
	if f, ok := standardFields[tag]; ok {
		return f.check(field+".Value", v)
	}
	if f, ok := app.ProfileField(tag); ok {
		return checkCustomValue(f, field+".Value", v)
	}
	return nil, unknownProfileTag(field+".Tag", tag)
}

// check checks a standard field's value v: 40610 for the wrong JSON type,
// 40605 for a value the field does not allow, 40601 for a string over its
// length, the invalid-parameter code for a NUL character.
func (f standardField) check(field, v string) (json.RawMessage, error) {
	if f.kind == kindUint32 {
		if !isJSONNumber(v) {
			return nil, im.Errorf(im.CodeProfileBadType, "%s must be an integer", field)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return nil, im.Errorf(im.CodeProfileBadValue, "%s must be an integer from 0 to %d", field, uint32(math.MaxUint32))
		}
		return json.RawMessage(strconv.FormatUint(n, 10)), nil
	}
	var s string
	if !strings.HasPrefix(v, `"`) || json.Unmarshal([]byte(v), &s) != nil {
		return nil, im.Errorf(im.CodeProfileBadType, "%s must be a string", field)
	}
	switch {
	case f.kind == kindEnum && !slices.Contains(f.values, s):
		return nil, im.Errorf(im.CodeProfileBadValue, "%s %q is not one of %s", field, s, strings.Join(f.values, ", "))
	case f.kind == kindString && len(s) > f.max:
		return nil, im.Errorf(im.CodeProfileTooLong, "%s is longer than %d bytes", field, f.max)
	case strings.IndexByte(s, 0) >= 0:
		return nil, invalidParam(field + " must not contain the NUL character")
	}
	b, err := json.Marshal(s)
	return b, err
}

// checkCustomValue checks a custom field's value v: a string of at most
// its declared length (40601 beyond) or an integer, as the app declares the
// field; the wrong type is the invalid-parameter code.
func checkCustomValue(f im.ProfileField, field, v string) (json.RawMessage, error) {
	if f.Type == im.ProfileFieldInteger {
		if !isInteger(v) {
			return nil, invalidParam(field + " must be an integer: the field is declared integer")
		}
		return json.RawMessage(v), nil
	}
	var s string
	if !strings.HasPrefix(v, `"`) || json.Unmarshal([]byte(v), &s) != nil {
		return nil, invalidParam(field + " must be a string: the field is declared string")
	}
	max := f.MaxBytes
	if max <= 0 {
		max = im.MaxProfileValueBytes
	}
	if len(s) > max {
		return nil, im.Errorf(im.CodeProfileTooLong, "%s is longer than %d bytes", field, max)
	}
	b, err := json.Marshal(s)
	return b, err
}

// isJSONNumber reports whether v is a JSON number (of any form).
func isJSONNumber(v string) bool {
	var n json.Number
	return v != "" && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') && json.Unmarshal([]byte(v), &n) == nil
}
