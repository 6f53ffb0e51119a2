package main

import (
	"bufio"
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

// envNames records every environment name a subcommand reads while parsing
// its flags (--help stops it right after).
func envNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	getenv := func(k string) string { names[k] = true; return "" }
	if _, err := parseServe(nil, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"healthcheck", "backup", "restore", "compact"} {
		if err := run(t.Context(), []string{cmd, "--help"}, getenv, nil, io.Discard, io.Discard); !errors.Is(err, errHelp) {
			t.Fatalf("ct %s --help: %v", cmd, err)
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
	read := envNames(t)
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

func TestComposeFacts(t *testing.T) {
	b, err := os.ReadFile("compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	read := envNames(t)
	var live []string // the file without its comments
	for _, l := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(l); s != "" && !strings.HasPrefix(s, "#") {
			live = append(live, l)
		}
	}
	text := strings.Join(live, "\n")
	for _, l := range live {
		if m := envLineRE.FindStringSubmatch(l); m != nil && !read[m[1]] {
			t.Errorf("compose.yml sets %s, which ct does not read", m[1])
		}
	}
	for _, want := range []string{
		"CT_ADDR: 0.0.0.0:7200", // listens on the exposed port inside the container
		"CT_DATA: /data",        // the volume
		"- ct-data:/data",       // a named volume at /data
		`:7200"`,                // the published port maps to 7200
		`test: ["CMD", "/ct", "healthcheck"]`,
		"restart: unless-stopped",
		"CT_ADMIN_TOKEN: ${CT_ADMIN_TOKEN",
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
	read := envNames(t)
	for _, file := range []string{".env.example", "deploy/ct.service"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			l = strings.TrimPrefix(strings.TrimSpace(l), "Environment=")
			if strings.HasPrefix(l, "#") {
				continue
			}
			if m := envLineRE.FindStringSubmatch(l); m != nil {
				n++
				if !read[m[1]] {
					t.Errorf("%s sets %s, which ct does not read", file, m[1])
				}
			}
		}
		if n == 0 {
			t.Errorf("%s sets no CT_* name", file)
		}
	}
	unit, _ := os.ReadFile("deploy/ct.service")
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/ct serve\n") {
		t.Error("deploy/ct.service must run ct serve")
	}
	// Every CT_* name the docs mention is real.
	doc, err := os.ReadFile("docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ctNameRE.FindAllString(string(doc), -1) {
		if !read[name] && name != "CT_ADMIN_PASSWORD" && name != "CT_VERSION" {
			t.Errorf("docs/operations.md names %s, which ct does not read", name)
		}
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
