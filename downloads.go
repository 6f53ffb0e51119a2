package main

import (
	"os"
	"path/filepath"
)

// downloadsDir returns the running binary (served for its own OS/arch) and
// the directory of release binaries the hub serves at /download: dir when
// given (--downloads), else dist/ beside the binary when there is one (the
// layout of an unpacked release, and of scripts/release in a checkout).
func downloadsDir(dir string) (self, downloads string) {
	self, err := os.Executable()
	if err != nil {
		self = ""
	} else if p, err := filepath.EvalSymlinks(self); err == nil {
		self = p
	}
	if dir != "" || self == "" {
		return self, dir
	}
	d := filepath.Join(filepath.Dir(self), "dist")
	if fi, err := os.Stat(d); err == nil && fi.IsDir() {
		return self, d
	}
	return self, ""
}
