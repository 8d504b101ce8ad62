package main

import "runtime/debug"

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
