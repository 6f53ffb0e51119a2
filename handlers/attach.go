package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// handleAttachmentShow serves a file sent with a prompt to those who may see
// its session: images inline (the transcript's thumbnails), anything else
// as a download. The type is the one sniffed at upload, never guessed again.
func (s *Server) handleAttachmentShow(w http.ResponseWriter, r *http.Request) error {
	sid, aid := chi.URLParam(r, "id"), chi.URLParam(r, "att")
	if _, err := s.visibleSession(principal(r), sid, false); err != nil {
		return err
	}
	a, data, err := s.store.GetAttachment(sid, aid)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", a.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=86400") // an attachment never changes
	disp := "attachment"
	if strings.HasPrefix(a.Type, "image/") {
		disp = "inline"
	}
	h.Set("Content-Disposition", disp+`; filename="`+a.Name+`"`) // a cleaned name: no quotes or spaces
	_, _ = w.Write(data)
	return nil
}

// attachRef finds "@path" references to files the composer delivered: the
// wrap writes each into a ct-attach-* folder as "<attachment id>-<name>".
var attachRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`@\S*/ct-attach-[^/\s]+/([0-9a-f]{16})-([A-Za-z0-9._-]+)`)
})

// withThumbs gives each prompt of session sid that names an attachment its
// thumbnail (an image) or link (any other file).
func withThumbs(sid string, items []views.TranscriptItem) []views.TranscriptItem {
	for i, it := range items {
		if it.Kind != "user" {
			continue
		}
		for _, m := range attachRef().FindAllStringSubmatch(it.Text, 4) {
			items[i].Files = append(items[i].Files, views.TxFile{
				URL: "/s/" + sid + "/attach/" + m[1], Name: m[2], Image: isImageName(m[2]),
			})
		}
	}
	return items
}

func isImageName(name string) bool {
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".webp"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}
