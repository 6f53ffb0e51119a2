package handlers

import (
	"net/http"
	"strconv"

	"github.com/ct-dev/ct/coord"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// The skills catalog (coord/skills.go): GET /api/v1/skills lists the newest
// version of each, POST shares one (a new version when the name exists),
// GET /api/v1/skills/{name}?version=N returns one in full; /skills is the
// page that browses them.

// shareSkillIn is POST /api/v1/skills's body: who shares comes from the
// caller, the version from the hub.
type shareSkillIn struct {
	Name         string            `json:"name"`
	Description  string            `json:"description"`
	Instructions string            `json:"instructions"`
	Files        []coord.SkillFile `json:"files,omitempty"`
}

func (s *Server) handleAPISkillsList(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	list, err := s.coord.Skills()
	if err != nil {
		return err
	}
	if list == nil {
		list = []coord.Skill{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleAPISkillShare(w http.ResponseWriter, r *http.Request) error {
	if err := canWrite(r); err != nil {
		return err
	}
	peer, _, err := s.peerOf(r)
	if err != nil {
		return coordErr(err)
	}
	var in shareSkillIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	k, err := s.coord.ShareSkill(peer.Name, coord.Skill{Name: in.Name, Description: in.Description, Instructions: in.Instructions, Files: in.Files})
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (s *Server) handleAPISkillShow(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	version := 0
	if vs := r.URL.Query().Get("version"); vs != "" {
		n, err := strconv.Atoi(vs)
		if err != nil || n < 1 {
			return errorf(http.StatusBadRequest, "version is a number from 1 (list_skills says how many a skill has); leave it out for the newest")
		}
		version = n
	}
	k, err := s.coord.Skill(chi.URLParam(r, "skill"), version)
	if err != nil {
		return coordErr(err)
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

// handleSkillsPage is /skills: every skill's newest version, and one in
// full when ?name= (and ?version=) picks it.
func (s *Server) handleSkillsPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	list, err := s.coord.Skills()
	if err != nil {
		return err
	}
	p := views.SkillsPage{}
	for _, k := range list {
		p.Skills = append(p.Skills, skillRow(k))
	}
	if name := r.URL.Query().Get("name"); name != "" {
		version, _ := strconv.Atoi(r.URL.Query().Get("version"))
		k, err := s.coord.Skill(name, max(version, 0))
		if err != nil {
			return coordErr(err)
		}
		row := skillRow(k)
		p.Open = &row
	}
	return render(w, r, views.SkillsView(p))
}

func skillRow(k coord.Skill) views.SkillRow {
	row := views.SkillRow{Name: k.Name, Version: k.Version, Versions: k.Versions, Description: k.Description,
		Instructions: k.Instructions, SharedBy: k.SharedBy, SharedAt: k.SharedAt}
	for _, f := range k.Files {
		row.Files = append(row.Files, views.SkillFileRow{Path: f.Path, Content: f.Content})
	}
	return row
}
