package coord

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// Templates set a hub up for a kind of team on its first start with
// ct serve --template NAME: named groups and roles (kept as the state
// keys hub/groups and hub/roles for agents and people to read), the
// default priority of each message type, a welcome message to everyone
// and a few skills. The hub records hub/template once applied, so a
// later start with any template changes nothing.

//go:embed templates/*.json
var templateFiles embed.FS

// Template is one embedded template (coord/templates/NAME.json).
type Template struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Groups      []struct {
		Name    string `json:"name"`
		Purpose string `json:"purpose"`
	} `json:"groups"`
	Roles []struct {
		Name string `json:"name"`
		Does string `json:"does"`
	} `json:"roles"`
	Priorities map[string]string `json:"priorities"` // message type -> P0..P3
	Welcome    string            `json:"welcome"`
	Skills     []Skill           `json:"skills"`
}

// templatePeer is who a template's welcome, skills and keys are from.
const templatePeer = "ct"

// TemplateNames lists the embedded templates.
func TemplateNames() []string {
	ents, _ := templateFiles.ReadDir("templates")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	return out
}

// LoadTemplate reads the embedded template name and checks it.
func LoadTemplate(name string) (Template, error) {
	var t Template
	b, err := templateFiles.ReadFile("templates/" + name + ".json")
	if err != nil || !slices.Contains(TemplateNames(), name) {
		return t, errf(Invalid, "no template %q; use one of %s", name, strings.Join(TemplateNames(), ", "))
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("template %s: %w", name, err)
	}
	for typ, p := range t.Priorities {
		if !slices.Contains(MessageTypes, typ) || !slices.Contains(Priorities, p) {
			return t, fmt.Errorf("template %s: priority %s for type %s", name, p, typ)
		}
	}
	for _, k := range t.Skills {
		if err := k.check(); err != nil {
			return t, fmt.Errorf("template %s: skill %s: %w", name, k.Name, err)
		}
	}
	return t, nil
}

// ApplyTemplate sets the hub up from template name unless a template was
// applied before (then applied is false and nothing changes).
func (s *Service) ApplyTemplate(name string) (applied bool, err error) {
	t, err := LoadTemplate(name)
	if err != nil {
		return false, err
	}
	if cur, err := s.GetState("hub/template", false); err == nil && cur.Value != "" {
		return false, nil
	}
	keys := map[string]any{"hub/groups": t.Groups, "hub/roles": t.Roles, "hub/priorities": t.Priorities}
	for _, key := range []string{"hub/groups", "hub/roles", "hub/priorities"} {
		b, _ := json.Marshal(keys[key])
		if _, err := s.SetState(templatePeer, key, string(b)); err != nil {
			return false, err
		}
	}
	for _, k := range t.Skills {
		if _, err := s.ShareSkill(templatePeer, k); err != nil {
			return false, err
		}
	}
	if t.Welcome != "" {
		if _, err := s.Send(templatePeer, Message{To: "*", Type: "note", Subject: "Welcome (" + t.Name + ")", Body: t.Welcome}); err != nil {
			return false, err
		}
	}
	if _, err := s.SetState(templatePeer, "hub/template", t.Name); err != nil {
		return false, err
	}
	s.setPriorities(t.Priorities)
	return true, nil
}

// defaultPriorities is the template's default priority per message type,
// read from hub/priorities at start and set when a template is applied.
type defaultPriorities struct {
	p atomic.Pointer[map[string]string]
}

func (s *Service) setPriorities(m map[string]string) { s.prio.p.Store(&m) }

// loadPriorities reads hub/priorities (no key: none).
func (s *Service) loadPriorities() {
	v, err := s.GetState("hub/priorities", false)
	if err != nil || v.Value == "" {
		return
	}
	var m map[string]string
	if json.Unmarshal([]byte(v.Value), &m) == nil {
		s.setPriorities(m)
	}
}

// defaultPriority is the template's priority for a message of typ
// ("" is a note), or "" for the built-in default (P2).
func (s *Service) defaultPriority(typ string) string {
	m := s.prio.p.Load()
	if m == nil {
		return ""
	}
	if typ == "" {
		typ = "note"
	}
	return (*m)[typ]
}
