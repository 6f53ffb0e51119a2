package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Docker cannot run here, so these tests hold the Dockerfile, compose.yml,
// .env.example and the systemd unit to what exists: the build command builds
// a static, version-stamped binary; HEALTHCHECK runs a real subcommand; the
// port, volume and CT_* names agree with what ct serve reads.

// dockerfile is the parsed Dockerfile: instructions with continuation lines
// joined, comments dropped.
type dockerfile []string

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out dockerfile
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if more, ok := strings.CutSuffix(line, `\`); ok {
			cur += strings.TrimSpace(more) + " "
			continue
		}
		out = append(out, cur+line)
		cur = ""
	}
	return out
}

// all returns the arguments of every instruction named op.
func (d dockerfile) all(op string) []string {
	var out []string
	for _, ins := range d {
		if name, rest, _ := strings.Cut(ins, " "); strings.EqualFold(name, op) {
			out = append(out, strings.TrimSpace(rest))
		}
	}
	return out
}

// serveEnvNames records every environment name ct serve's configuration
// reads (flags' CT_* twins, and CT_ADMIN_PASSWORD, which has no flag).
// Dockerfile, compose.yml, .env.example and the systemd unit configure ct
// serve, so these are the only names they may set.
func serveEnvNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	getenv := func(k string) string { names[k] = true; return "" }
	if _, err := parseServe(nil, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"CT_ADDR", "CT_DATA", "CT_ADMIN_PASSWORD", "CT_TLS_CERT", "CT_TLS_KEY", "CT_TRUSTED_PROXY"} {
		if !names[must] {
			t.Fatalf("ct serve no longer reads %s; the deployment files and docs rely on it", must)
		}
	}
	return names
}

// envNames records every environment name any subcommand reads: ct serve's,
// each other subcommand's while parsing its flags (--help stops it right
// after), and the credentials ct token create and ct login read (given none
// and a hub that is not there, they fail before dialling anything).
func envNames(t *testing.T) map[string]bool {
	t.Helper()
	names := serveEnvNames(t)
	getenv := func(k string) string { names[k] = true; return "" }
	for _, cmd := range []string{"healthcheck", "backup", "restore", "compact", "wrap"} {
		if err := run(t.Context(), []string{cmd, "--help"}, getenv, nil, io.Discard, io.Discard); !errors.Is(err, errHelp) {
			t.Fatalf("ct %s --help: %v", cmd, err)
		}
	}
	const nowhere = "http://127.0.0.1:1"
	for _, args := range [][]string{
		{"token", "create", "--hub", nowhere, "--name", "x"},
		{"login", "--hub", nowhere, "--name", "x"},
	} {
		if err := run(t.Context(), args, getenv, strings.NewReader(""), io.Discard, io.Discard); err == nil {
			t.Fatalf("ct %v succeeded without credentials", args)
		}
	}
	return names
}

var (
	ctNameRE  = regexp.MustCompile(`\bCT_[A-Z_]+\b`)
	envLineRE = regexp.MustCompile(`^\s*(CT_[A-Z_]+)\s*[:=]`)
)

func TestDockerfileFacts(t *testing.T) {
	d := readDockerfile(t)
	env := map[string]string{}
	for _, e := range d.all("ENV") {
		for _, kv := range strings.Fields(e) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	read := serveEnvNames(t)
	for k := range env {
		if strings.HasPrefix(k, "CT_") && !read[k] {
			t.Errorf("Dockerfile sets %s, which ct does not read", k)
		}
	}
	if got := d.all("EXPOSE"); len(got) != 1 || got[0] != "7200" {
		t.Fatalf("EXPOSE %q, want 7200", got)
	}
	if !strings.HasSuffix(env["CT_ADDR"], ":7200") {
		t.Errorf("CT_ADDR=%q does not listen on the exposed port 7200", env["CT_ADDR"])
	}
	if got := d.all("VOLUME"); len(got) != 1 || got[0] != env["CT_DATA"] || got[0] != "/data" {
		t.Errorf("VOLUME %q and CT_DATA %q must both be /data", got, env["CT_DATA"])
	}
	user := d.all("USER")
	if len(user) == 0 || strings.HasPrefix(user[len(user)-1], "0") || strings.HasPrefix(user[len(user)-1], "root") {
		t.Errorf("the image must run as a non-root user, USER %q", user)
	}
	hc := d.all("HEALTHCHECK")
	if len(hc) != 1 || !strings.Contains(hc[0], `CMD ["/ct", "healthcheck"]`) {
		t.Errorf("HEALTHCHECK %q must run /ct healthcheck", hc)
	}
	if ep := d.all("ENTRYPOINT"); len(ep) != 1 || ep[0] != `["/ct"]` {
		t.Errorf("ENTRYPOINT %q", ep)
	}
	if cmd := d.all("CMD"); len(cmd) != 1 || cmd[0] != `["serve"]` {
		t.Errorf("CMD %q", cmd)
	}
	// Every file copied from the build stage is made there.
	var made []string
	for _, r := range d.all("RUN") {
		for _, f := range strings.Fields(r) {
			if strings.HasPrefix(f, "/out/") {
				made = append(made, f)
			}
		}
	}
	for _, c := range d.all("COPY") {
		f := strings.Fields(c)
		if !slices.ContainsFunc(f, func(s string) bool { return strings.HasPrefix(s, "--from=build") }) {
			for _, src := range f[:len(f)-1] {
				if _, err := os.Stat(src); err != nil && src != "." {
					t.Errorf("COPY %s: %v", src, err)
				}
			}
			continue
		}
		if src := f[len(f)-2]; strings.HasPrefix(src, "/out/") && !slices.Contains(made, src) {
			t.Errorf("COPY --from=build %s: no RUN makes it", src)
		}
	}
}

// The Dockerfile's own build command builds ct statically, stamps the
// version, and the binary has the healthcheck the image relies on.
func TestDockerfileBuildsStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ct with the Dockerfile's flags")
	}
	var build string
	for _, r := range readDockerfile(t).all("RUN") {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-X main.version=${VERSION}", "-o /out/ct"} {
		if !strings.Contains(build, want) {
			t.Fatalf("build command %q lacks %q", build, want)
		}
	}
	bin := filepath.Join(t.TempDir(), "ct")
	cmd := exec.Command("sh", "-c", strings.Replace(build, "-o /out/ct", "-o "+bin, 1))
	cmd.Env = append(os.Environ(), "VERSION=v9.8.7-test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "ct v9.8.7-test" {
		t.Fatalf("ct version: %q %v, want the stamped version", out, err)
	}
	if err := exec.Command(bin, "healthcheck", "--help").Run(); err != nil {
		t.Fatalf("ct healthcheck --help: %v", err)
	}
	assertStatic(t, bin)
}

// assertStatic fails unless bin needs no dynamic loader and no shared library.
func assertStatic(t *testing.T, bin string) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("%s has a %v program header: it is dynamically linked", bin, p.Type)
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	if len(libs) > 0 {
		t.Fatalf("%s needs shared libraries %q", bin, libs)
	}
}

// ctNamesIn returns the CT_* names in text, comments included: a name a
// comment tells people to set must be real too.
func ctNamesIn(text string) []string {
	return slices.Compact(slices.Sorted(slices.Values(ctNameRE.FindAllString(text, -1))))
}

func TestComposeFacts(t *testing.T) {
	b, err := os.ReadFile("compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	read := serveEnvNames(t)
	var live []string // the file without its comments
	for _, l := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, "#") {
			live = append(live, l)
		}
	}
	text := strings.Join(live, "\n")
	for _, l := range live {
		if m := envLineRE.FindStringSubmatch(l); m != nil && !read[m[1]] {
			t.Errorf("compose.yml sets %s, which ct serve does not read", m[1])
		}
	}
	for _, name := range ctNamesIn(string(b)) {
		if !read[name] && name != "CT_VERSION" { // CT_VERSION is the build argument
			t.Errorf("compose.yml names %s, which ct serve does not read", name)
		}
	}
	for _, want := range []string{
		"CT_ADDR: 0.0.0.0:7200", // listens on the exposed port inside the container
		"CT_DATA: /data",        // the volume
		"- ct-data:/data",       // a named volume at /data
		`:7200"`,                // the published port maps to 7200
		`test: ["CMD", "/ct", "healthcheck"]`,
		"restart: unless-stopped",
		"CT_ADMIN_PASSWORD: ${CT_ADMIN_PASSWORD:-}", // the first admin, from .env
		"CT_TRUSTED_PROXY: ${CT_TRUSTED_PROXY:-}",   // for tailscale serve / Caddy in front
		`- "127.0.0.1:7200:7200"`,                   // this machine only unless changed
	} {
		if !strings.Contains(text, want) {
			t.Errorf("compose.yml lacks %q", want)
		}
	}
	if !strings.Contains(string(b), "EXACTLY ONE replica") {
		t.Error("compose.yml must say the hub runs as exactly one replica")
	}
	if strings.Contains(text, "replicas:") || strings.Contains(text, "scale:") {
		t.Error("compose.yml must not scale the hub")
	}
}

func TestEnvExampleAndUnitNamesAreRead(t *testing.T) {
	read := serveEnvNames(t)
	for _, file := range []string{".env.example", "deploy/ct.service"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, l := range strings.Split(string(b), "\n") {
			l = strings.TrimPrefix(strings.TrimSpace(l), "Environment=")
			if strings.HasPrefix(l, "#") {
				continue
			}
			if m := envLineRE.FindStringSubmatch(l); m != nil {
				set[m[1]] = true
			}
		}
		if len(set) == 0 {
			t.Errorf("%s sets no CT_* name", file)
		}
		for _, name := range ctNamesIn(string(b)) {
			if !read[name] {
				t.Errorf("%s names %s, which ct serve does not read", file, name)
			}
		}
		if !strings.Contains(string(b), "CT_ADMIN_PASSWORD") {
			t.Errorf("%s must say how the first admin is made (CT_ADMIN_PASSWORD)", file)
		}
		if file == ".env.example" && !set["CT_ADMIN_PASSWORD"] {
			t.Error(".env.example must offer CT_ADMIN_PASSWORD=")
		}
	}
	unit, _ := os.ReadFile("deploy/ct.service")
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/ct serve\n") {
		t.Error("deploy/ct.service must run ct serve")
	}
}

// Every CT_* name the operations guide and the README (but its Tests
// section) mention is one ct reads (CT_VERSION is compose's build argument).
func TestDocsNamesAreRead(t *testing.T) {
	read := envNames(t)
	for _, file := range []string{"docs/operations.md", "README.md"} {
		doc, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// The README's Tests section names the test suite's own switches.
		text, _, _ := strings.Cut(string(doc), "\n## Tests\n")
		for _, name := range ctNamesIn(text) {
			if !read[name] && name != "CT_VERSION" {
				t.Errorf("%s names %s, which ct does not read", file, name)
			}
		}
	}
}

// The settings table in docs/operations.md lists exactly ct serve's flags,
// each with the environment twin its --help names.
func TestOperationsSettingsTable(t *testing.T) {
	var help bytes.Buffer
	if _, err := parseServe([]string{"--help"}, func(string) string { return "" }, &help, io.Discard); !errors.Is(err, errHelp) {
		t.Fatalf("ct serve --help: %v", err)
	}
	flags := map[string]string{} // flag -> env twin from its usage text
	flagRE := regexp.MustCompile(`(?m)^  -(\S+)`)
	envRE := regexp.MustCompile(`env (CT_[A-Z_]+)`)
	parts := flagRE.FindAllStringSubmatchIndex(help.String(), -1)
	for i, m := range parts {
		end := len(help.String())
		if i+1 < len(parts) {
			end = parts[i+1][0]
		}
		name := help.String()[m[2]:m[3]]
		if e := envRE.FindStringSubmatch(help.String()[m[1]:end]); e != nil {
			flags[name] = e[1]
		} else {
			t.Errorf("ct serve --%s names no CT_* twin in its help", name)
		}
	}
	if len(flags) < 9 {
		t.Fatalf("found %d ct serve flags in its help; the parse is broken:\n%s", len(flags), help.String())
	}
	doc, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	rowRE := regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\| `(CT_[A-Z_]+)` \\|")
	rows := map[string]string{}
	for _, m := range rowRE.FindAllStringSubmatch(string(doc), -1) {
		rows[m[1]] = m[2]
	}
	for name, env := range flags {
		if rows[name] != env {
			t.Errorf("docs/operations.md settings: --%s should be a row with %s, got %q", name, env, rows[name])
		}
	}
	for name := range rows {
		if _, ok := flags[name]; !ok {
			t.Errorf("docs/operations.md settings list --%s, which ct serve does not have", name)
		}
	}
	if !strings.Contains(string(doc), "| (none) | `CT_ADMIN_PASSWORD` |") {
		t.Error("docs/operations.md settings must list CT_ADMIN_PASSWORD (env only)")
	}
}

// .dockerignore must not hide anything the build needs.
func TestDockerignoreKeepsSources(t *testing.T) {
	b, err := os.ReadFile(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var pats []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			pats = append(pats, strings.TrimPrefix(l, "**/"))
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{if .Module}}{{if .Module.Main}}{{.Dir}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}{{end}}{{end}}`, ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	root, _ := os.Getwd()
	needed := []string{"go.mod", "go.sum"}
	for _, line := range strings.Fields(string(out)) {
		parts := strings.Split(line, "|")
		rel, _ := filepath.Rel(root, parts[0])
		for _, f := range append(strings.Split(parts[1], ","), strings.Split(parts[2], ",")...) {
			if f != "" {
				needed = append(needed, filepath.ToSlash(filepath.Join(rel, f)))
			}
		}
	}
	for _, f := range needed {
		// A pattern hides a file when it matches the file or one of its parents.
		for p := f; p != "." && p != "/"; p = filepath.Dir(p) {
			for _, pat := range pats {
				if ok, _ := filepath.Match(pat, p); ok {
					t.Errorf(".dockerignore pattern %q hides %s, which the build needs", pat, f)
				}
				if ok, _ := filepath.Match(pat, filepath.Base(p)); ok && strings.HasPrefix(pat, "*") {
					t.Errorf(".dockerignore pattern **/%s hides %s, which the build needs", pat, f)
				}
			}
		}
	}
	if len(needed) < 10 {
		t.Fatalf("found only %d needed files; the check is not looking", len(needed))
	}
}
