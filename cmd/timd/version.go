package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

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

// versionText is what `timd version` prints: the version, the commit the
// binary was built from and the Go that built it.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	return formatVersion(Version(), bi)
}

// formatVersion writes the version lines from bi. `go build` records the
// commit from git (vcs.revision, and vcs.modified for uncommitted changes);
// it is "unknown" for a build outside a checkout, with -buildvcs=false, and
// for test binaries. A nil bi is a binary without build information.
func formatVersion(v string, bi *debug.BuildInfo) string {
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
	return fmt.Sprintf("timd %s\ncommit: %s%s\ngo:     %s %s/%s\n",
		v, commit, modified, goVersion, runtime.GOOS, runtime.GOARCH)
}
