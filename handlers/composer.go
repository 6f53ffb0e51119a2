package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/hub"
	"github.com/ct-dev/ct/wire"
	"github.com/go-chi/chi/v5"
)

// DefaultAttachMax is the largest file the composer takes (--attach-max).
const DefaultAttachMax = 10 << 20

// DefaultAttachSessionMax bounds the files one session keeps on the hub
// (--attach-session-max).
const DefaultAttachSessionMax = 100 << 20

// attachAtOnce is how many prompts with files the hub takes at the same
// time; each reads one file at a time, so with --attach-max 10MiB at most
// ~40 MB of uploads are in memory (the rest wait in the form's temp files).
const attachAtOnce = 4

// filesPerPrompt is how many files one prompt may carry: a few photos of
// a whiteboard or a screen, not a folder.
const filesPerPrompt = 4

// Bracketed paste: a multi-line prompt is pasted, so the agent's TUI takes
// its newlines as text and Enter after it submits the whole prompt at once.
const (
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// attachTypes are the media types the composer takes (as sniffed from the
// bytes, never as the browser claims), with the extension an agent needs
// to see to read the file as that type.
var attachTypes = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "text/plain; charset=utf-8": "",
}

// handleSessionCompose takes the composer: a prompt of any number of lines
// and up to filesPerPrompt files. Each file is checked, stored on the hub,
// written by the wrap into the session's private folder, and named in the
// prompt as "@path", the way Claude Code takes files. Only the wheel holder
// sends.
func (s *Server) handleSessionCompose(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	p := principal(r)
	if _, err := s.visibleSession(p, id, true); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, filesPerPrompt*s.attachMax+hub.MaxInput+64<<10)
	// A text-only prompt may come form-encoded (no file part): that is
	// ErrNotMultipart with the form already parsed.
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("The files are too large: attach at most %d files of at most %s each (ct serve --attach-max).", filesPerPrompt, sizeText(s.attachMax)))
		}
		return errorf(http.StatusBadRequest, "The prompt could not be read; reload the page and send it again.")
	}
	var fhs []*multipart.FileHeader
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		fhs = r.MultipartForm.File["file"]
	}
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))
	if len(fhs) > 0 {
		select {
		case s.attachSlots <- struct{}{}:
			defer func() { <-s.attachSlots }()
		default:
			return errorf(http.StatusServiceUnavailable, "The hub is receiving other files; send yours again in a moment.")
		}
		paths, err := s.attachFiles(r, id, fhs)
		if err != nil {
			return err
		}
		text = strings.TrimSpace(text + "\n@" + strings.Join(paths, " @"))
	}
	if text == "" {
		return errorf(http.StatusBadRequest, "Write a prompt or choose a file, then Send.")
	}
	if err := s.hub.InputAs(id, p.User, promptBytes(text)); err != nil {
		return err
	}
	s.audit(r, "input", id+" prompt "+strconv.Itoa(len(text))+" bytes")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// promptBytes is what the agent's TUI gets for a prompt: one line is typed
// as it is (a slash command then opens its menu as if typed); several
// lines are one bracketed paste. Enter follows either way.
func promptBytes(text string) []byte {
	if !strings.Contains(text, "\n") {
		return []byte(text + "\r")
	}
	return []byte(pasteStart + strings.ReplaceAll(text, "\n", "\r") + pasteEnd + "\r")
}

// attachFiles checks every file of a prompt (count, size, type and the
// session's total) before any reaches the workstation, so a prompt is sent
// with all its files or refused whole; then it delivers them one at a time
// (one file in memory per request) and returns their paths in order.
func (s *Server) attachFiles(r *http.Request, sid string, fhs []*multipart.FileHeader) ([]string, error) {
	if len(fhs) > filesPerPrompt {
		return nil, errorf(http.StatusBadRequest, fmt.Sprintf("%d files chosen; attach at most %d to one prompt and send the rest with the next.", len(fhs), filesPerPrompt))
	}
	used, err := s.attachedBytes(sid)
	if err != nil {
		return nil, err
	}
	for _, fh := range fhs {
		if err := s.checkAttach(fh); err != nil {
			return nil, err
		}
		used += fh.Size
	}
	if used > s.attachSessionMax {
		return nil, errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("These files would take this session's attachments past %s (ct serve --attach-session-max); send fewer, or start a new session to send more.", sizeText(s.attachSessionMax)))
	}
	paths := make([]string, 0, len(fhs))
	for _, fh := range fhs {
		path, err := s.attachFile(r, sid, fh)
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// checkAttach refuses a file over the size limit or of a type the
// composer does not take, from its first bytes (never the browser's word).
func (s *Server) checkAttach(fh *multipart.FileHeader) error {
	if fh.Size > s.attachMax {
		return errorf(http.StatusRequestEntityTooLarge, fmt.Sprintf("%s is larger than %s, the most this hub takes; attach a smaller file (ct serve --attach-max).", wire.AttachName(fh.Filename), sizeText(s.attachMax)))
	}
	if fh.Size == 0 {
		return errorf(http.StatusBadRequest, wire.AttachName(fh.Filename)+" is empty; choose another.")
	}
	f, err := fh.Open()
	if err != nil {
		return errorf(http.StatusBadRequest, "The file could not be read; choose it again.")
	}
	defer f.Close()
	head := make([]byte, 512) // all http.DetectContentType reads
	n, _ := io.ReadFull(f, head)
	if mediaType := http.DetectContentType(head[:n]); !attachable(mediaType) {
		return errorf(http.StatusUnsupportedMediaType, fmt.Sprintf("%s looks like %s; attach an image (PNG, JPEG, GIF, WebP), a PDF or a text file.", wire.AttachName(fh.Filename), mediaType))
	}
	return nil
}

func attachable(mediaType string) bool {
	_, ok := attachTypes[mediaType]
	return ok
}

// attachFile reads one checked file, has the wrap write it, stores it on
// the hub and returns its path on the workstation.
func (s *Server) attachFile(r *http.Request, sid string, fh *multipart.FileHeader) (string, error) {
	f, err := fh.Open()
	if err != nil {
		return "", errorf(http.StatusBadRequest, "The file could not be read; choose it again.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.attachMax+1))
	if err != nil || int64(len(data)) > s.attachMax || len(data) == 0 {
		return "", errorf(http.StatusBadRequest, "The file could not be read; choose it again.")
	}
	mediaType := http.DetectContentType(data) // the same first bytes checkAttach read
	ext := attachTypes[mediaType]
	name := wire.AttachName(fh.Filename)
	if ext != "" && !strings.EqualFold(filepath.Ext(name), ext) && !(ext == ".jpg" && strings.EqualFold(filepath.Ext(name), ".jpeg")) {
		name = wire.AttachName(strings.TrimSuffix(name, filepath.Ext(name)) + ext) // the agent tells images by their extension
	}
	att := db.Attachment{ID: newAttachID(), Session: sid, Name: name, Type: mediaType, Size: int64(len(data)), By: principal(r).User, At: time.Now().UTC()}
	path, err := s.hub.Deliver(r.Context(), sid, att.By, att.ID, name, data)
	if errors.Is(err, hub.ErrAttachFailed) {
		return "", errorf(http.StatusBadGateway, "Not sent: "+err.Error()+".")
	}
	if err != nil {
		return "", err
	}
	att.Path = path
	if err := s.store.PutAttachment(att, data, s.attachSessionMax); err != nil {
		if errors.Is(err, db.ErrAttachmentsFull) {
			return "", errorf(http.StatusRequestEntityTooLarge, err.Error())
		}
		return "", err
	}
	s.audit(r, "attach", sid+" "+name+" "+strconv.Itoa(len(data))+" bytes")
	return path, nil
}

// attachedBytes is how much a session's attachments hold on the hub.
func (s *Server) attachedBytes(sid string) (int64, error) {
	list, err := s.store.Attachments(sid)
	var n int64
	for _, a := range list {
		n += a.Size
	}
	return n, err
}

// newAttachID is an attachment's id: 16 hex digits, unguessable.
func newAttachID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sizeText says a byte count as a person reads it, rounded down (a cap
// is never said as more than it is): "10 MB", "1.5 MB", "63 KB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".0") + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
