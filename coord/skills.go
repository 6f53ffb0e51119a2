package coord

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ct-dev/ct/db"
)

// The skills catalog: a peer shares a named skill (what it is for, how to
// do it, a few files); each share of a name is its next version, kept with
// who shared it. Records live in coord_skills under name + 0x00 + the
// 8-byte version, so one name's versions sort together, oldest first.

const bSkills = "coord_skills"

// Skill limits: a skill is a page of instructions and a few small files,
// not a repository. The whole stays under the API's 512 KB request bound.
const (
	MaxSkillDescription  = 1 << 10
	MaxSkillInstructions = 64 << 10
	MaxSkillFiles        = 16
	MaxSkillFile         = 64 << 10
	MaxSkillTotal        = 256 << 10
	MaxSkillVersions     = 100  // per name: older ones are the history, not a store
	MaxSkillNames        = 1000 // across the hub
)

var skillName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })

// SkillFile is one file that comes with a skill: a relative path and its text.
type SkillFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Skill is one version of a shared skill. List answers carry no
// Instructions or Files (Get has them); Versions is how many there are.
type Skill struct {
	Name         string      `json:"name"`
	Version      int         `json:"version"`
	Description  string      `json:"description"`
	Instructions string      `json:"instructions,omitempty"`
	Files        []SkillFile `json:"files,omitempty"`
	SharedBy     string      `json:"shared_by"`
	SharedAt     time.Time   `json:"shared_at"`
	Versions     int         `json:"versions,omitempty"`
}

func skillKey(name string, version int) []byte {
	return append([]byte(name+"\x00"), db.SeqKey(uint64(version))...)
}

// check trims and bounds k, refusing what could not be a skill.
func (k *Skill) check() error {
	k.Name, k.Description = strings.TrimSpace(k.Name), strings.TrimSpace(k.Description)
	if !skillName().MatchString(k.Name) {
		return errf(Invalid, "a skill name is 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. go-release)")
	}
	if k.Description == "" || len(k.Description) > MaxSkillDescription {
		return errf(Invalid, "a skill needs a description of 1 to %d bytes: one line on when to use it", MaxSkillDescription)
	}
	if strings.TrimSpace(k.Instructions) == "" || len(k.Instructions) > MaxSkillInstructions {
		return errf(TooLarge, "a skill needs instructions of 1 byte to %d KB; put long material in files", MaxSkillInstructions>>10)
	}
	if len(k.Files) > MaxSkillFiles {
		return errf(TooLarge, "a skill has at most %d files", MaxSkillFiles)
	}
	total := len(k.Instructions) + len(k.Description)
	seen := map[string]bool{}
	for _, f := range k.Files {
		if err := checkSkillPath(f.Path); err != nil {
			return err
		}
		if seen[f.Path] {
			return errf(Invalid, "skill file %q is listed twice", f.Path)
		}
		seen[f.Path] = true
		if len(f.Content) > MaxSkillFile {
			return errf(TooLarge, "skill file %q is over %d KB", f.Path, MaxSkillFile>>10)
		}
		total += len(f.Content)
		if err := checkSecrets("skill file "+f.Path, f.Content); err != nil {
			return err
		}
	}
	if total > MaxSkillTotal {
		return errf(TooLarge, "a skill is limited to %d KB in all (instructions and files)", MaxSkillTotal>>10)
	}
	if err := checkSecrets("description", k.Description); err != nil {
		return err
	}
	return checkSecrets("instructions", k.Instructions)
}

// checkSkillPath allows a clean relative path only: whoever fetches the
// skill may write its files under a directory of its own.
func checkSkillPath(p string) error {
	if p == "" || len(p) > 200 || strings.ContainsAny(p, "\\\x00") || path.IsAbs(p) || path.Clean(p) != p ||
		p == ".." || strings.HasPrefix(p, "../") {
		return errf(Invalid, "skill file path %q must be a clean relative path of up to 200 bytes (like scripts/run.sh), without .., \\ or a leading /", p)
	}
	return nil
}

// ShareSkill stores k as the next version of its name, shared by peer.
func (s *Service) ShareSkill(peer string, k Skill) (Skill, error) {
	if err := k.check(); err != nil {
		return Skill{}, err
	}
	k.SharedBy, k.SharedAt, k.Versions = peer, s.clock.Now().UTC(), 0
	err := s.store.CoordUpdate(func(tx db.CoordTx) error {
		latest, names, err := skillVersions(tx, k.Name)
		if err != nil {
			return err
		}
		if latest >= MaxSkillVersions {
			return errf(TooMany, "skill %s has %d versions, the most kept; share it under a new name", k.Name, latest)
		}
		if latest == 0 && names >= MaxSkillNames {
			return errf(TooMany, "the hub has %d skills, the most it keeps; ask an admin to remove old ones", names)
		}
		k.Version = latest + 1
		return tx.Put(bSkills, skillKey(k.Name, k.Version), k)
	})
	if err != nil {
		return Skill{}, err
	}
	sum := k.summary()
	s.bus.Publish(Event{Type: "skill", At: k.SharedAt, Skill: &sum,
		Notice: fmt.Sprintf("%s shared skill %s v%d: %s", peer, k.Name, k.Version, k.Description)})
	return k, nil
}

// skillVersions returns name's newest version (0: none) and how many
// names there are.
func skillVersions(tx db.CoordTx, name string) (latest, names int, err error) {
	prev := ""
	err = tx.Each(bSkills, false, func(key, _ []byte) (bool, error) {
		n, v := splitSkillKey(key)
		if n != prev {
			names++
			prev = n
		}
		if n == name {
			latest = v
		}
		return true, nil
	})
	return latest, names, err
}

func splitSkillKey(key []byte) (string, int) {
	i := bytes.IndexByte(key, 0)
	if i < 0 || len(key) != i+9 {
		return string(key), 0
	}
	return string(key[:i]), int(binary.BigEndian.Uint64(key[i+1:]))
}

func (k Skill) summary() Skill {
	k.Instructions, k.Files = "", nil
	return k
}

// Skills lists the newest version of every skill, by name, without
// instructions or files.
func (s *Service) Skills() ([]Skill, error) {
	var out []Skill
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.Each(bSkills, false, func(_, value []byte) (bool, error) {
			var k Skill
			if err := json.Unmarshal(value, &k); err != nil {
				return false, err
			}
			k = k.summary()
			if n := len(out); n > 0 && out[n-1].Name == k.Name {
				k.Versions = out[n-1].Versions + 1
				out[n-1] = k
			} else {
				k.Versions = 1
				out = append(out, k)
			}
			return true, nil
		})
	})
	return out, err
}

// Skill returns one version of name in full; version 0 is the newest.
func (s *Service) Skill(name string, version int) (Skill, error) {
	if !skillName().MatchString(name) {
		return Skill{}, errf(Invalid, "no skill is named %q: names are lowercase letters, digits, '.', '_' or '-'; list_skills shows them", name)
	}
	var k Skill
	found, versions := false, 0
	err := s.store.CoordView(func(tx db.CoordTx) error {
		return tx.EachFrom(bSkills, []byte(name+"\x00"), func(key, value []byte) (bool, error) {
			n, v := splitSkillKey(key)
			if n != name {
				return false, nil
			}
			if version == 0 || v == version {
				if err := json.Unmarshal(value, &k); err != nil {
					return false, err
				}
				found = true
			}
			versions = v
			return true, nil
		})
	})
	if err != nil {
		return Skill{}, err
	}
	if !found {
		if version > 0 {
			return Skill{}, errf(NotFound, "skill %s has no version %d; list_skills says how many it has", name, version)
		}
		return Skill{}, errf(NotFound, "no skill is named %s; list_skills shows them", name)
	}
	k.Versions = versions
	return k, nil
}
