package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ct-dev/ct/views"
)

// One line is typed as it is; several lines are one bracketed paste, so the
// agent's TUI takes the newlines as text and the Enter after it submits the
// whole prompt.
func TestPromptBytes(t *testing.T) {
	if got := string(promptBytes("/compact")); got != "/compact\r" {
		t.Errorf("one line: %q", got)
	}
	if got := string(promptBytes("look\n@/tmp/a.png")); got != "\x1b[200~look\r@/tmp/a.png\x1b[201~\r" {
		t.Errorf("two lines: %q", got)
	}
}

// A prompt naming a delivered attachment gets its thumbnail; other @paths
// and other kinds of entries do not.
func TestWithThumbs(t *testing.T) {
	items := withThumbs("s1", []views.TranscriptItem{
		{Kind: "user", Text: "see\n@/run/user/1/ct-attach-123/0123456789abcdef-shot.png and @src/main.go"},
		{Kind: "user", Text: "@/tmp/ct-attach-9/fedcba9876543210-notes.txt"},
		{Kind: "assistant", Text: "@/tmp/ct-attach-9/fedcba9876543210-shot.png"},
	})
	if f := items[0].Files; len(f) != 1 || f[0].URL != "/s/s1/attach/0123456789abcdef" || !f[0].Image || f[0].Name != "shot.png" {
		t.Errorf("image prompt: %+v", f)
	}
	if f := items[1].Files; len(f) != 1 || f[0].Image {
		t.Errorf("text file prompt: %+v", f)
	}
	if len(items[2].Files) != 0 {
		t.Errorf("a reply got a thumbnail: %+v", items[2].Files)
	}
}

// The hub checks a file itself, whatever the page did: by its bytes (a
// program renamed .png is refused) and by its size (the limit in the
// message), before anything reaches the workstation.
func TestComposeRefusesBadFiles(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-a", "box-a")
	admin := cred{fresh: func() string { return f.cookie("admin", time.Hour) }}
	post := func(name string, data []byte) result {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("text", "look at this")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		return f.do("POST", "/s/sess-a/compose", body.String(), admin, map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	if res := post("evil.png", []byte("\x7fELF\x02\x01\x01\x00binary")); res.status != http.StatusUnsupportedMediaType || !strings.Contains(res.body, "attach an image") {
		t.Errorf("a program as .png: %d %.300s", res.status, res.body)
	}
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, DefaultAttachMax)...)
	if res := post("big.png", big); res.status != http.StatusRequestEntityTooLarge || !strings.Contains(res.body, "larger than 10 MB") {
		t.Errorf("a 10 MB+ file: %d %.300s", res.status, res.body)
	}
	if res := f.do("POST", "/s/sess-a/compose", "text=", admin, nil); res.status != http.StatusBadRequest || !strings.Contains(res.body, "Write a prompt") {
		t.Errorf("nothing to send: %d %.300s", res.status, res.body)
	}
}

// A prompt carries up to four files, all checked before any is sent: a
// fifth file, or one bad file among good ones, refuses the whole prompt.
func TestComposeChecksEveryFile(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.session("sess-a", "box-a")
	admin := cred{fresh: func() string { return f.cookie("admin", time.Hour) }}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	post := func(files map[string][]byte) result {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("text", "look at these")
		for name, data := range files {
			fw, _ := mw.CreateFormFile("file", name)
			_, _ = fw.Write(data)
		}
		_ = mw.Close()
		return f.do("POST", "/s/sess-a/compose", body.String(), admin, map[string]string{"Content-Type": mw.FormDataContentType()})
	}
	five := map[string][]byte{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		five[n+".png"] = png
	}
	if res := post(five); res.status != http.StatusBadRequest || !strings.Contains(res.body, "attach at most 4") {
		t.Errorf("five files: %d %.300s", res.status, res.body)
	}
	mixed := map[string][]byte{"a.png": png, "b.png": png, "evil.png": []byte("\x7fELF\x02\x01\x01\x00binary")}
	if res := post(mixed); res.status != http.StatusUnsupportedMediaType || !strings.Contains(res.body, "evil.png looks like") {
		t.Errorf("a program among pictures: %d %.300s", res.status, res.body)
	}
	if list, _ := f.store.Attachments("sess-a"); len(list) != 0 {
		t.Errorf("a refused prompt left %d files on the hub", len(list))
	}
}
