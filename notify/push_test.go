package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/db"
	"golang.org/x/crypto/hkdf"
)

// fakeDevice is a browser's side of a push subscription: its key pair and
// auth secret, which the test uses to decrypt what the hub sent.
type fakeDevice struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func newDevice(t *testing.T) fakeDevice {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return fakeDevice{priv: priv, auth: auth}
}

func (d fakeDevice) sub(endpoint string) db.PushSub {
	return db.PushSub{Endpoint: endpoint, P256dh: base64.RawURLEncoding.EncodeToString(d.priv.PublicKey().Bytes()),
		Auth: base64.RawURLEncoding.EncodeToString(d.auth)}
}

// decrypt undoes RFC 8291 (Web Push message encryption) over RFC 8188's
// aes128gcm content coding, as the browser does.
func (d fakeDevice) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("body shorter than the aes128gcm header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen {
		return nil, errors.New("truncated key id")
	}
	asPub, ct := body[21:21+idlen], body[21+idlen:]
	if uint32(len(ct)) > rs {
		return nil, errors.New("more than one record; the hub sends one")
	}
	serverKey, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		return nil, err
	}
	secret, err := d.priv.ECDH(serverKey)
	if err != nil {
		return nil, err
	}
	keyInfo := append(append([]byte("WebPush: info\x00"), d.priv.PublicKey().Bytes()...), asPub...)
	ikm := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, d.auth, keyInfo), ikm); err != nil {
		return nil, err
	}
	cek, nonce := make([]byte, 16), make([]byte, 12)
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: aes128gcm\x00")), cek); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, ikm, salt, []byte("Content-Encoding: nonce\x00")), nonce); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	// Strip the padding: the last record ends with 0x02 then zeros.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:i], nil
}

// pushService is a fake push service on 127.0.0.1 that keeps what it got.
type pushService struct {
	*httptest.Server
	mu   sync.Mutex
	got  []pushRequest
	recv chan pushRequest
}

type pushRequest struct {
	header http.Header
	body   []byte
	at     time.Time
}

func newPushService(t *testing.T) *pushService {
	ps := &pushService{recv: make(chan pushRequest, 100)}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		pr := pushRequest{header: r.Header.Clone(), body: body, at: time.Now()}
		ps.mu.Lock()
		ps.got = append(ps.got, pr)
		ps.mu.Unlock()
		ps.recv <- pr
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pushService) next(t *testing.T) pushRequest {
	t.Helper()
	select {
	case pr := <-ps.recv:
		return pr
	case <-time.After(10 * time.Second):
		t.Fatal("the fake push service received nothing in 10 s")
		return pushRequest{}
	}
}

// world is a store with people and a notifier on it.
type world struct {
	store *db.Store
	n     *Notifier
}

func newWorld(t *testing.T) *world {
	t.Helper()
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, u := range []db.User{
		{Name: "ann", Role: "member", Grants: []string{"box-a"}},
		{Name: "vic", Role: "viewer", Grants: []string{"box-a"}}, // may watch, not answer
		{Name: "bob", Role: "member", Grants: []string{"box-b"}}, // another machine
	} {
		if err := store.CreateUser(u); err != nil {
			t.Fatal(err)
		}
	}
	n, err := New(Deps{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dial: DialPolicy{AllowLoopback: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return &world{store: store, n: n}
}

func (w *world) subscribe(t *testing.T, user string, sub db.PushSub) {
	t.Helper()
	if _, err := w.store.UpdateNotifyPrefs(user, func(p *db.NotifyPrefs) error {
		p.Subs = append(p.Subs, sub)
		p.BaseURL = "https://hub.example.net"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) openPrompt(t *testing.T, id, node string) db.Prompt {
	t.Helper()
	p := db.Prompt{ID: id, WrapID: "w-" + id, SessionID: "sess-1", Node: node, Kind: "hook", Tool: "Bash",
		Input: json.RawMessage(`{"command":"rm -rf build/"}`), State: db.PromptPending, CreatedAt: time.Now().UTC()}
	if err := w.store.PutPrompt(p); err != nil {
		t.Fatal(err)
	}
	w.n.PromptsChanged(p.SessionID, p.ID)
	return p
}

// A prompt reaches the person who may answer it as an encrypted Web Push
// that decrypts with their subscription's keys into the prompt's title,
// its page and Approve/Deny links; settling it sends one "closed" message
// with the same tag; repeats of one event send nothing more.
func TestWebPushPromptOpenAndClose(t *testing.T) {
	w := newWorld(t)
	ps := newPushService(t)
	ann, vic, bob := newDevice(t), newDevice(t), newDevice(t)
	w.subscribe(t, "ann", ann.sub(ps.URL+"/push/ann"))
	w.subscribe(t, "vic", vic.sub(ps.URL+"/push/vic"))
	w.subscribe(t, "bob", bob.sub(ps.URL+"/push/bob"))

	p := w.openPrompt(t, "0000000000001aaaa", "box-a")
	w.n.PromptsChanged(p.SessionID, p.ID) // the same event again: no second message

	got := ps.next(t)
	if h := got.header.Get("Content-Encoding"); h != "aes128gcm" {
		t.Errorf("Content-Encoding = %q, want aes128gcm", h)
	}
	if a := got.header.Get("Authorization"); !strings.HasPrefix(a, "vapid t=") || !strings.Contains(a, "k="+w.n.Keys().VAPIDPublic) {
		t.Errorf("Authorization = %q, want a VAPID JWT with the hub's key", a)
	}
	if tp := got.header.Get("Topic"); tp != "p-"+p.ID {
		t.Errorf("Topic = %q, want p-%s", tp, p.ID)
	}
	plain, err := ann.decrypt(got.body)
	if err != nil {
		t.Fatalf("decrypt with ann's keys: %v", err)
	}
	var pl Payload
	if err := json.Unmarshal(plain, &pl); err != nil {
		t.Fatalf("payload %q: %v", plain, err)
	}
	if pl.Tag != "p-"+p.ID || pl.URL != "/p/"+p.ID || pl.Title != "box-a asks: Bash" || pl.Body != "rm -rf build/" || pl.Closed {
		t.Errorf("payload = %+v", pl)
	}
	if len(pl.Actions) != 2 || pl.Actions[0].Action != "allow" || pl.Actions[1].Action != "deny" {
		t.Fatalf("actions = %+v, want allow and deny", pl.Actions)
	}
	for _, a := range pl.Actions {
		l, err := w.n.Keys().Verify(strings.TrimPrefix(a.Link, "/a/"), time.Now())
		if err != nil || l.Prompt != p.ID || l.Decision != a.Action || l.User != "ann" {
			t.Errorf("action %s link %q = %+v, %v", a.Action, a.Link, l, err)
		}
	}
	if _, err := vic.decrypt(got.body); err == nil {
		t.Error("the message decrypts with another device's keys")
	}

	if _, err := w.store.UpdatePrompt(p.ID, func(q *db.Prompt) error {
		q.State, q.Decision, q.DecidedBy = db.PromptAllowed, "allow", "ann from desktop"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	w.n.PromptsChanged(p.SessionID, p.ID)
	closed := ps.next(t)
	plain, err = ann.decrypt(closed.body)
	if err != nil {
		t.Fatalf("decrypt the closing message: %v", err)
	}
	var cl Payload
	_ = json.Unmarshal(plain, &cl)
	if !cl.Closed || cl.Tag != pl.Tag || len(cl.Actions) != 0 || !strings.Contains(cl.Body, "Approved by ann") {
		t.Errorf("closing payload = %+v", cl)
	}
	w.n.PromptsChanged(p.SessionID, p.ID) // settled again: nothing more

	w.n.Close() // waits for every delivery under way
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.got) != 2 {
		t.Errorf("the push service got %d messages, want 2 (open, closed): only ann may answer box-a, once each", len(ps.got))
	}
	for _, r := range ps.got {
		if _, err := ann.decrypt(r.body); err != nil {
			t.Errorf("a message not for ann: %v", err)
		}
	}
}

// A person in quiet hours, or who turned prompt notifications off, gets none.
func TestWebPushRespectsPreferences(t *testing.T) {
	w := newWorld(t)
	ps := newPushService(t)
	ann := newDevice(t)
	w.subscribe(t, "ann", ann.sub(ps.URL+"/push/ann"))
	if _, err := w.store.UpdateNotifyPrefs("ann", func(p *db.NotifyPrefs) error { p.Prompts = false; return nil }); err != nil {
		t.Fatal(err)
	}
	w.openPrompt(t, "0000000000001bbbb", "box-a")
	w.n.Close()
	if len(ps.got) != 0 {
		t.Errorf("ann turned prompts off but got %d messages", len(ps.got))
	}
}

func TestQuietHours(t *testing.T) {
	at := func(hm string) time.Time {
		tm, _ := time.Parse("15:04", hm)
		return time.Date(2026, 1, 2, tm.Hour(), tm.Minute(), 0, 0, time.UTC)
	}
	for _, c := range []struct {
		from, to, now string
		want          bool
	}{
		{"22:00", "07:00", "23:30", true}, {"22:00", "07:00", "06:59", true}, {"22:00", "07:00", "07:00", false},
		{"22:00", "07:00", "12:00", false}, {"12:00", "13:00", "12:30", true}, {"12:00", "13:00", "13:30", false},
		{"", "", "12:00", false}, {"12:00", "12:00", "12:00", false},
	} {
		p := db.NotifyPrefs{QuietFrom: c.from, QuietTo: c.to, TZ: "UTC"}
		if got := Quiet(p, at(c.now)); got != c.want {
			t.Errorf("quiet %s-%s at %s = %v, want %v", c.from, c.to, c.now, got, c.want)
		}
	}
	// The person's zone counts: 23:30 in UTC is 08:30 in Tokyo, outside 22-07.
	if Quiet(db.NotifyPrefs{QuietFrom: "22:00", QuietTo: "07:00", TZ: "Asia/Tokyo"}, at("23:30")) {
		t.Error("quiet hours ignored the person's time zone")
	}
}

// A session that ends is announced once to those who may see its machine
// and want session news; sessions that ended before the start are not.
func TestWebPushSessionEnded(t *testing.T) {
	dir := t.TempDir()
	store, err := db.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ps := newPushService(t)
	ann, bob := newDevice(t), newDevice(t)
	for _, u := range []struct {
		name, grant string
		dev         fakeDevice
	}{{"ann", "box-a", ann}, {"bob", "box-b", bob}} {
		if err := store.CreateUser(db.User{Name: u.name, Role: "viewer", Grants: []string{u.grant}}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.UpdateNotifyPrefs(u.name, func(p *db.NotifyPrefs) error {
			p.Subs = []db.PushSub{u.dev.sub(ps.URL + "/" + u.name)}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	old := db.Session{ID: "sess-old", Node: "box-a", Command: "bash", Status: "live", StartedAt: time.Now()}
	if _, err := store.UpsertSession(old); err != nil {
		t.Fatal(err)
	}
	if err := store.SetSessionStatus(old.ID, "ended"); err != nil {
		t.Fatal(err)
	}
	n, err := New(Deps{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dial: DialPolicy{AllowLoopback: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()

	s := db.Session{ID: "sess-new", Node: "box-a", Command: "make test", Status: "live", StartedAt: time.Now(), Title: "run the suite"}
	if _, err := store.UpsertSession(s); err != nil {
		t.Fatal(err)
	}
	n.LobbyChanged()
	if err := store.SetSessionStatus(s.ID, "ended"); err != nil {
		t.Fatal(err)
	}
	n.LobbyChanged()
	n.LobbyChanged()
	got := ps.next(t)
	plain, err := ann.decrypt(got.body)
	if err != nil {
		t.Fatalf("decrypt with ann's keys: %v", err)
	}
	var pl Payload
	_ = json.Unmarshal(plain, &pl)
	if pl.Tag != "s-sess-new" || pl.URL != "/s/sess-new" || pl.Title != "box-a: #2 run the suite finished" || len(pl.Actions) != 0 {
		t.Errorf("payload = %+v", pl)
	}
	n.Close()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.got) != 1 {
		t.Errorf("the push service got %d messages, want 1 (only sess-new, only to ann)", len(ps.got))
	}
}

// A live session whose agent finished its turn is announced once per turn.
func TestWebPushSessionWaiting(t *testing.T) {
	store, err := db.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ps := newPushService(t)
	ann := newDevice(t)
	if err := store.CreateUser(db.User{Name: "ann", Role: "member", Grants: []string{"box-a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateNotifyPrefs("ann", func(p *db.NotifyPrefs) error {
		p.Subs = []db.PushSub{ann.sub(ps.URL + "/ann")}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s := db.Session{ID: "sess-w", Node: "box-a", Command: "claude", Cwd: "/src/app", Status: "live", StartedAt: time.Now()}
	if _, err := store.UpsertSession(s); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	waiting := false
	setWaiting := func(v bool) { mu.Lock(); waiting = v; mu.Unlock() }
	scans := make(chan struct{}, 10)
	n, err := New(Deps{Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dial: DialPolicy{AllowLoopback: true},
		Waiting:   func(string) bool { mu.Lock(); defer mu.Unlock(); return waiting },
		afterScan: func() { scans <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	<-scans // the one at start
	scan := func(w bool) {
		setWaiting(w)
		n.LobbyChanged()
		<-scans
	}
	scan(true)
	plain, err := ann.decrypt(ps.next(t).body)
	if err != nil {
		t.Fatal(err)
	}
	var pl Payload
	_ = json.Unmarshal(plain, &pl)
	if pl.Title != "box-a: #1 claude waits for you" || pl.URL != "/s/sess-w" {
		t.Errorf("payload = %+v", pl)
	}
	scan(true)  // still the same turn: nothing more
	scan(false) // the person answered
	scan(true)  // the next turn ends: announced again
	ps.next(t)
	n.Close()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.got) != 2 {
		t.Errorf("got %d messages for two waiting turns, want 2", len(ps.got))
	}
}

// A prompt of a session set to "terminal only" is announced without
// Approve/Deny links: the hub may not answer it, so no one-tap link may.
func TestTerminalOnlyPromptHasNoActions(t *testing.T) {
	w := newWorld(t)
	ps := newPushService(t)
	ann := newDevice(t)
	w.subscribe(t, "ann", ann.sub(ps.URL+"/push/ann"))
	if _, err := w.store.UpsertSession(db.Session{ID: "sess-1", Node: "box-a", Command: "claude", Status: db.StatusLive}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.SetTerminalOnly("sess-1", true); err != nil {
		t.Fatal(err)
	}
	w.openPrompt(t, "0000000000001bbbb", "box-a")
	plain, err := ann.decrypt(ps.next(t).body)
	if err != nil {
		t.Fatal(err)
	}
	var pl Payload
	if err := json.Unmarshal(plain, &pl); err != nil {
		t.Fatal(err)
	}
	if len(pl.Actions) != 0 {
		t.Fatalf("a terminal-only prompt was sent with actions %+v", pl.Actions)
	}
}
