package nodeagent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Policy is what this workstation allows the hub to start: the only place
// that decides. The hub's copy is for display; a request is checked here
// again whatever the hub says.
type Policy struct {
	Allow []string // program names (or paths), matched exactly
	Roots []string // absolute, symlink-free directories
}

// NewPolicy checks and normalises the allow-list and the roots: every root
// must be an existing directory; "~/" is the home directory.
func NewPolicy(allow, roots []string) (Policy, error) {
	var p Policy
	for _, a := range allow {
		for _, c := range strings.Split(a, ",") {
			if c = strings.TrimSpace(c); c != "" {
				p.Allow = append(p.Allow, c)
			}
		}
	}
	if len(p.Allow) == 0 {
		return p, errors.New("no command is allowed: pass --allow 'claude,bash' (or \"allow\" in --config)")
	}
	for _, r := range roots {
		abs, err := resolveDir(expandHome(r))
		if err != nil {
			return p, fmt.Errorf("root %s: %w", r, err)
		}
		p.Roots = append(p.Roots, abs)
	}
	if len(p.Roots) == 0 {
		return p, errors.New("no working directory is allowed: pass --root DIR (or \"roots\" in --config)")
	}
	return p, nil
}

// Command checks that command is on the allow-list.
func (p Policy) Command(command string) error {
	for _, a := range p.Allow {
		if command == a {
			return nil
		}
	}
	return fmt.Errorf("command %q is not allowed on this machine (allowed: %s)", command, strings.Join(p.Allow, ", "))
}

// Dir resolves the requested working directory ("" means the first root)
// and checks that it lies within a root, after following symlinks.
func (p Policy) Dir(cwd string) (string, error) {
	if cwd == "" {
		return p.Roots[0], nil
	}
	if !filepath.IsAbs(cwd) {
		return "", fmt.Errorf("working directory %q is not an absolute path", cwd)
	}
	dir, err := resolveDir(cwd)
	if err != nil {
		return "", fmt.Errorf("working directory %s: %w", cwd, err)
	}
	for _, r := range p.Roots {
		if within(r, dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("working directory %s is outside the allowed roots (%s)", cwd, strings.Join(p.Roots, ", "))
}

func within(root, dir string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

func resolveDir(d string) (string, error) {
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", errors.New("does not exist")
	}
	fi, err := os.Stat(real)
	if err != nil || !fi.IsDir() {
		return "", errors.New("is not a directory")
	}
	return real, nil
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
