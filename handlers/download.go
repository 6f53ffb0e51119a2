package handlers

import (
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/ct-dev/ct/auth"
	"github.com/go-chi/chi/v5"
)

// releaseTargets are the OS/arch pairs scripts/release builds; only these
// names are looked up, so the URL never becomes a path.
func releaseTargets() []string {
	return []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
}

// downloads finds ct's own binaries: ct-<os>-<arch>[.exe] in dir (what
// scripts/release writes), and the running binary for its own OS/arch.
type downloads struct {
	dir  string // empty: none but self
	self string // the running binary; empty: not served
}

// binaryName is what scripts/release calls the binary for target.
func binaryName(target string) string {
	name := "ct-" + strings.ReplaceAll(target, "/", "-")
	if strings.HasPrefix(target, "windows/") {
		name += ".exe"
	}
	return name
}

// find returns the file to serve for target, if there is one.
func (d downloads) find(target string) (string, bool) {
	if !slices.Contains(releaseTargets(), target) {
		return "", false
	}
	if d.dir != "" {
		p := filepath.Join(d.dir, binaryName(target))
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, true
		}
	}
	if d.self != "" && target == runtime.GOOS+"/"+runtime.GOARCH {
		return d.self, true
	}
	return "", false
}

// available lists the targets find can serve.
func (d downloads) available() []string {
	var out []string
	for _, t := range releaseTargets() {
		if _, ok := d.find(t); ok {
			out = append(out, t)
		}
	}
	return out
}

// handleDownload is GET /download/{os}/{arch}: ct's binary for that
// platform, so a workstation on the hub's network installs ct from the hub
// alone. It takes a logged-in person or an API token, or a pairing code
// still valid (?code=, not used up by this; failures count against the
// address like a wrong code at ct login). Not public: every endpoint needs
// a credential (docs/design.md, Security model), and 15 MB a request is
// too cheap a way for anyone on the network to load the hub. A machine
// token is refused, as everywhere but the sockets.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) error {
	if e := s.downloadAllowed(r); e != nil {
		return e
	}
	target := chi.URLParam(r, "os") + "/" + chi.URLParam(r, "arch")
	path, ok := s.downloads.find(target)
	if !ok {
		have := strings.Join(s.downloads.available(), ", ")
		if have == "" {
			have = "none (put scripts/release's dist/ beside ct, or pass ct serve --downloads DIR)"
		}
		return errorf(http.StatusNotFound, "No ct binary for "+target+" on this hub. Available: "+have+".")
	}
	f, err := os.Open(path)
	if err != nil {
		return &Error{Status: http.StatusInternalServerError, Msg: "Could not read the binary.", Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return &Error{Status: http.StatusInternalServerError, Msg: "Could not read the binary.", Err: err}
	}
	name := "ct"
	if strings.HasPrefix(target, "windows/") {
		name = "ct.exe"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store") // the code in the URL must not make it cacheable
	http.ServeContent(w, r, name, fi.ModTime(), f)
	return nil
}

// downloadAllowed checks the credentials a download takes (see
// handleDownload).
func (s *Server) downloadAllowed(r *http.Request) *Error {
	if p, err := s.authenticate(r); err == nil && p.Kind != auth.KindMachine && p.Kind != auth.KindAgent { // people and their scripts, not workstations or agents
		return nil
	}
	code := r.URL.Query().Get("code")
	if code == "" {
		return errorf(http.StatusUnauthorized, "Log in first, or add ?code= with a pairing code from the hub's Add a workstation page (/pair).")
	}
	if _, e := s.checkPairCode(r, code, false); e != nil {
		return e
	}
	return nil
}
