package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// The build stamps these with -ldflags, as the Dockerfile, .goreleaser.yaml
// and scripts/release-snapshot do:
//
//	-X main.version=v1.2.3 -X main.commit=0123abc -X main.date=2026-01-02T03:04:05Z
//
// Unset, the version comes from the module version `go install` recorded and
// the commit from the VCS information `go build` recorded.
var version, commit, date = "", "", ""

// Version returns the build's version: the -ldflags value, else the module
// version `go install` recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// buildStamp is what -ldflags stamped besides the version.
type buildStamp struct{ commit, date string }

// versionText is what `timd version` prints: the version, the commit the
// binary was built from (and when, if stamped) and the Go that built it.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(Version(), buildStamp{commit, date}, bi)
}

// formatVersion writes the version lines from the stamp and bi. A stamped
// commit wins; else `go build` records the commit from git (vcs.revision,
// and vcs.modified for uncommitted changes); it is "unknown" for a build
// outside a checkout, with -buildvcs=false, and for test binaries. A nil bi
// is a binary without build information.
func formatVersion(v string, stamp buildStamp, bi *debug.BuildInfo) string {
	commit, modified := "unknown", ""
	goVersion := runtime.Version()
	if bi != nil {
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				commit = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				modified = " (with uncommitted changes)"
			}
		}
	}
	if stamp.commit != "" {
		commit, modified = stamp.commit, ""
	}
	built := ""
	if stamp.date != "" {
		built = "built:  " + stamp.date + "\n"
	}
	return fmt.Sprintf("timd %s\ncommit: %s%s\n%sgo:     %s %s/%s\n",
		v, commit, modified, built, goVersion, runtime.GOOS, runtime.GOARCH)
}
