package coord

import (
	"strings"
	"testing"
)

// Sharing a name again makes a new version; list shows the newest with
// the count, get returns any version in full, with who shared it.
func TestSkillVersions(t *testing.T) {
	s, _ := newSvc(t)
	v1, err := s.ShareSkill("alice", Skill{Name: "go-release", Description: "cut a release", Instructions: "tag it",
		Files: []SkillFile{{Path: "scripts/release.sh", Content: "#!/bin/sh\n"}}})
	if err != nil || v1.Version != 1 || v1.SharedBy != "alice" {
		t.Fatalf("share: %+v %v", v1, err)
	}
	if _, err := s.ShareSkill("bob", Skill{Name: "go-release", Description: "cut a release, signed", Instructions: "tag -s it"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ShareSkill("bob", Skill{Name: "a-first", Description: "d", Instructions: "i"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Skills()
	if err != nil || len(list) != 2 || list[1].Name != "go-release" || list[1].Version != 2 || list[1].Versions != 2 ||
		list[1].SharedBy != "bob" || list[1].Instructions != "" {
		t.Fatalf("list: %+v %v", list, err)
	}
	old, err := s.Skill("go-release", 1)
	if err != nil || old.Instructions != "tag it" || len(old.Files) != 1 || old.SharedBy != "alice" || old.Versions != 2 {
		t.Fatalf("v1: %+v %v", old, err)
	}
	cur, err := s.Skill("go-release", 0)
	if err != nil || cur.Version != 2 || cur.Instructions != "tag -s it" {
		t.Fatalf("newest: %+v %v", cur, err)
	}
	_, err = s.Skill("go-release", 3)
	kindIs(t, err, NotFound)
	_, err = s.Skill("nope", 0)
	kindIs(t, err, NotFound)
}

// Bad names, paths that climb out, oversized parts and credentials are refused.
func TestSkillRefused(t *testing.T) {
	s, _ := newSvc(t)
	ok := Skill{Name: "x", Description: "d", Instructions: "i"}
	for name, tc := range map[string]struct {
		edit func(*Skill)
		kind Kind
	}{
		"name":     {func(k *Skill) { k.Name = "../etc" }, Invalid},
		"climb":    {func(k *Skill) { k.Files = []SkillFile{{Path: "../../.bashrc"}} }, Invalid},
		"absolute": {func(k *Skill) { k.Files = []SkillFile{{Path: "/etc/passwd"}} }, Invalid},
		"dup":      {func(k *Skill) { k.Files = []SkillFile{{Path: "a"}, {Path: "a"}} }, Invalid},
		"big":      {func(k *Skill) { k.Instructions = strings.Repeat("x", MaxSkillInstructions+1) }, TooLarge},
		"bigfile":  {func(k *Skill) { k.Files = []SkillFile{{Path: "a", Content: strings.Repeat("x", MaxSkillFile+1)}} }, TooLarge},
		"total": {func(k *Skill) {
			for i := range 5 {
				k.Files = append(k.Files, SkillFile{Path: string(rune('a' + i)), Content: strings.Repeat("x", MaxSkillFile)})
			}
		}, TooLarge},
		"secret": {func(k *Skill) { k.Instructions = "use AKIAIOSFODNN7EXAMPLE" }, Invalid},
	} {
		k := ok
		tc.edit(&k)
		if _, err := s.ShareSkill("alice", k); KindOf(err) != tc.kind {
			t.Errorf("%s: error %v, want kind %d", name, err, tc.kind)
		}
	}
	for range MaxSkillVersions {
		if _, err := s.ShareSkill("alice", ok); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.ShareSkill("alice", ok)
	kindIs(t, err, TooMany)
}
