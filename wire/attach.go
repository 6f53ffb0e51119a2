package wire

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Attachments: a file a person sends with a prompt from the hub's composer,
// delivered to the workstation in chunks (one frame holds at most MaxData).
// Not sequenced: an attachment lives as long as the connection that carries
// it; if it drops, the hub tells the person to send again.
const (
	TypeAttachPut  = "attach.put"  // hub → wrap: one chunk of a file in Data, at Off
	TypeAttachDone = "attach.done" // wrap → hub: the file is written (Path) or refused (Error)
)

// Attachment limits both ends apply, whatever the hub's own settings say.
const (
	MaxAttach      = 32 << 20  // bytes in one attachment
	AttachChunk    = 512 << 10 // bytes of Data in one attach.put
	MaxAttachTotal = 256 << 20 // bytes of attachments one wrap keeps for its session
	MaxAttachName  = 80        // bytes of a file name as the workstation writes it
)

// AttachPut is attach.put's payload. Chunks of one attachment arrive in
// order: Off is how many bytes came before; the chunk that ends at Size
// completes it.
type AttachPut struct {
	ID   string `json:"id"`   // the hub's attachment id (letters and digits)
	Name string `json:"name"` // the file's name, cleaned by AttachName
	Size int64  `json:"size"` // the whole file's size
	Off  int64  `json:"off"`
}

// AttachDone is attach.done's payload: where the workstation wrote the file,
// or why it did not.
type AttachDone struct {
	ID    string `json:"id"`
	Path  string `json:"path,omitempty"`
	Error string `json:"error,omitempty"`
}

// Check refuses a chunk header no well-behaved hub sends.
func (p AttachPut) Check(chunk int) error {
	switch {
	case !attachID(p.ID):
		return fmt.Errorf("attachment id %q is not 1-32 letters and digits", p.ID)
	case p.Size <= 0 || p.Size > MaxAttach:
		return fmt.Errorf("attachment size %d is out of range (1-%d bytes)", p.Size, MaxAttach)
	case chunk > AttachChunk || p.Off < 0 || p.Off+int64(chunk) > p.Size:
		return fmt.Errorf("attachment chunk at %d of %d bytes overruns its %d-byte file", p.Off, chunk, p.Size)
	case AttachName(p.Name) != p.Name:
		return fmt.Errorf("attachment name %q is not a clean file name", p.Name)
	}
	return nil
}

func attachID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// AttachName turns a file name a browser sent into one safe to write and to
// name in a prompt: its base name, only letters, digits, '.', '-' and '_'
// (anything else becomes '_'), no leading dot, at most MaxAttachName bytes,
// the extension kept. Claude takes "@path" up to the first space, so a
// cleaned name never has one.
func AttachName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.TrimLeft(b.String(), ".")
	if len(out) > MaxAttachName {
		ext := filepath.Ext(out)
		if len(ext) > 10 {
			ext = ""
		}
		out = out[:MaxAttachName-len(ext)] + ext
	}
	if out == "" || out == "_" {
		return "file"
	}
	return out
}
