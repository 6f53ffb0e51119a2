package e2e

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkPromptToPush measures how long a prompt takes from the hub
// recording it to a (fake, 127.0.0.1) push service receiving its Web Push:
// 50 questions from a real ct wrap, each answered through the API so the
// next one comes. Figures are reported, never asserted (BENCHMARKS.md).
//
//	go test ./e2e -run '^$' -bench PromptToPush -benchtime 1x
func BenchmarkPromptToPush(b *testing.B) {
	const n = 50
	for range b.N {
		h := StartHub(b, b.TempDir(), "127.0.0.1:0")
		type receipt struct {
			topic string
			at    time.Time
		}
		got := make(chan receipt, 4*n)
		push := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if r.Header.Get("Urgency") == "high" { // an opening, not a withdrawal
				got <- receipt{r.Header.Get("Topic"), time.Now()}
			}
			w.WriteHeader(http.StatusCreated)
		}))
		key, _ := ecdh.P256().GenerateKey(rand.Reader)
		auth := make([]byte, 16)
		_, _ = rand.Read(auth)
		sub := map[string]any{"endpoint": push.URL + "/dev1", "keys": map[string]string{
			"p256dh": base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
			"auth":   base64.RawURLEncoding.EncodeToString(auth)}}
		if code, body := PostJSON(h.URL+"/settings/push", sub); code != 204 {
			b.Fatalf("subscribe: %d %s", code, body)
		}
		// Each question on a cleared screen with its own number, so the
		// screen rule sees a new question every time.
		script := fmt.Sprintf(`for i in $(seq 1 %d); do printf '\033[2J\033[HStep %%s: delete build files? [y/N] ' $i; read a; done; sleep 30`, n)
		StartWrap(b, nil, "--hub", h.URL, "--name", "benchbox", "--", "bash", "-c", script)

		var lat []time.Duration
		for i := range n {
			var rc receipt
			select {
			case rc = <-got:
			case <-time.After(30 * time.Second):
				b.Fatalf("prompt %d: no push in 30 s; hub log:\n%s", i+1, h.Stderr.String())
			}
			id := strings.TrimPrefix(rc.topic, "p-")
			var p struct {
				CreatedAt time.Time `json:"created_at"`
			}
			for _, q := range promptsRaw(h.URL) {
				if q["id"] == id {
					raw, _ := json.Marshal(q)
					_ = json.Unmarshal(raw, &p)
				}
			}
			if p.CreatedAt.IsZero() {
				b.Fatalf("push for unknown prompt %q", rc.topic)
			}
			lat = append(lat, rc.at.Sub(p.CreatedAt))
			if code, body := PostJSON(h.URL+"/api/v1/prompts/"+id+"/decision", map[string]string{"decision": "allow"}); code != 200 {
				b.Fatalf("decide %s: %d %s", id, code, body)
			}
		}
		push.Close()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
		b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
		b.ReportMetric(ms(lat[0]), "min-ms")
	}
}

func promptsRaw(hubURL string) []map[string]any {
	var out []map[string]any
	_ = json.Unmarshal([]byte(Get(hubURL+"/api/v1/prompts")), &out)
	return out
}
