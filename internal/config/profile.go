package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// ProfileFieldConfig declares one custom profile field of an app, as
// Tencent's console does (Feature Configuration > User Custom Field): its
// tag is Tag_Profile_Custom_<Name>.
type ProfileFieldConfig struct {
	Name string `yaml:"name"`
	// Type is "string" (the default, also for "") or "integer".
	Type string `yaml:"type"`
	// MaxLength bounds a string field's value in bytes, 1 to 500;
	// 0 means 500. An integer field has none.
	MaxLength int `yaml:"max_length"`
}

// parseProfileFields parses TIMD_PROFILE_FIELDS: comma-separated
// name[:type[:max_length]], e.g. "Test:string:100,Score:integer".
func parseProfileFields(v string) ([]ProfileFieldConfig, error) {
	var out []ProfileFieldConfig
	for _, item := range splitList(v) {
		parts := strings.Split(item, ":")
		if len(parts) > 3 {
			return nil, fmt.Errorf("%q: want name[:type[:max_length]]", item)
		}
		f := ProfileFieldConfig{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			f.Type = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			n, err := strconv.Atoi(strings.TrimSpace(parts[2]))
			if err != nil {
				return nil, fmt.Errorf("%q: max_length %q is not a number", item, parts[2])
			}
			f.MaxLength = n
		}
		out = append(out, f)
	}
	return out, nil
}

// validateProfileFields reports, through add, each problem of an app's
// custom profile fields.
func validateProfileFields(fields []ProfileFieldConfig, add func(format string, args ...any)) {
	seen := map[string]bool{}
	for _, f := range fields {
		if !im.ValidProfileFieldName(f.Name) {
			add("profile field %q: the name must be 1 to %d bytes of A-Z a-z 0-9 _", f.Name, im.MaxProfileFieldName)
		}
		if seen[f.Name] {
			add("profile field %q is declared twice", f.Name)
		}
		seen[f.Name] = true
		switch im.ProfileFieldType(f.Type) {
		case "", im.ProfileFieldString:
			if f.MaxLength < 0 || f.MaxLength > im.MaxProfileValueBytes {
				add("profile field %q: max_length %d must be 1 to %d (0: %d)", f.Name, f.MaxLength, im.MaxProfileValueBytes, im.MaxProfileValueBytes)
			}
		case im.ProfileFieldInteger:
			if f.MaxLength != 0 {
				add("profile field %q: an integer field has no max_length", f.Name)
			}
		default:
			add("profile field %q: type %q: want string or integer", f.Name, f.Type)
		}
	}
}

// ProfileFields returns the app's custom profile fields as the domain
// type, every unset setting at its default.
func (a AppConfig) ProfileFields() []im.ProfileField {
	var out []im.ProfileField
	for _, f := range a.Profile {
		t := im.ProfileFieldType(f.Type)
		if t == "" {
			t = im.ProfileFieldString
		}
		max := f.MaxLength
		if max == 0 && t == im.ProfileFieldString {
			max = im.MaxProfileValueBytes
		}
		out = append(out, im.ProfileField{Name: f.Name, Type: t, MaxBytes: max})
	}
	return out
}
