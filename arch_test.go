package main

import (
	"go/build"
	"strings"
	"testing"
)

// The package map (docs/design.md) as a test: the hub side never imports a
// workstation package, views imports nothing of ct's but the screen model,
// and workstation packages never import the hub's.
func TestPackageDependenciesPointOneWay(t *testing.T) {
	const mod = "github.com/ct-dev/ct/"
	rules := map[string][]string{
		"handlers":     {"claudehook", "codexhook", "ptywrap", "nodeagent", "client", "agent", "wsdial", "mcpserver", "fileshare"},
		"hub":          {"handlers", "claudehook", "codexhook", "ptywrap", "nodeagent", "client", "agent", "views", "fileshare"},
		"fileshare":    {"hub", "handlers", "db", "coord", "views", "ptywrap"},
		"views":        {"handlers", "hub", "db", "coord", "auth", "notify"},
		"db":           {"hub", "handlers", "coord", "views"},
		"coord":        {"hub", "handlers", "views"},
		"audit":        {"hub", "handlers"},
		"promptnotice": {"handlers"},
		"ptywrap":      {"hub", "handlers", "db", "coord", "views"},
		"wsdial":       {"hub", "handlers", "db", "ptywrap"},
		"nodeagent":    {"hub", "handlers", "db"},
		"client":       {"hub", "handlers", "ptywrap", "views"},
		"connect":      {"hub", "handlers", "db", "views", "ptywrap"},
		"agent":        {"hub", "handlers", "db"},
		"claudehook":   {"hub", "handlers", "db"},
		"codexhook":    {"hub", "handlers", "db", "views"},
		"wire":         {"hub", "handlers", "db", "ptywrap"},
		"platform":     {"hub", "handlers", "db", "ptywrap", "client", "nodeagent", "claudehook", "wire", "coord", "views"},
	}
	for pkg, banned := range rules {
		p, err := build.Import(mod+pkg, ".", 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			for _, b := range banned {
				if imp == mod+b || strings.HasPrefix(imp, mod+b+"/") {
					t.Errorf("%s imports %s: see the package map in docs/design.md", pkg, b)
				}
			}
		}
	}
}
