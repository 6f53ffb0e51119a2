package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/e2e"
)

// coordRig is a hub with two API-token peers: a sender and a recipient
// whose live event stream (GET /api/v1/events) is open.
type coordRig struct {
	h              *e2e.Hub
	sender, recver string // tokens
	client         *http.Client
	got            chan coordArrival
}

type coordArrival struct {
	subject string
	at      time.Time
}

func newCoordRig(b *testing.B) *coordRig {
	h := e2e.StartHub(b, b.TempDir(), "127.0.0.1:0")
	r := &coordRig{h: h, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},
		sender: e2e.MintToken(b, h.URL, "admin", e2e.AdminPassword, map[string]string{"name": "sender", "kind": "api"}),
		recver: e2e.MintToken(b, h.URL, "admin", e2e.AdminPassword, map[string]string{"name": "recver", "kind": "api"}),
		got:    make(chan coordArrival, 1<<16),
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", h.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+r.recver)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("open the recipient's stream: %v %v", err, resp)
	}
	ready := make(chan struct{})
	go func() {
		_ = ReadEvents(resp.Body, func(ev Event) bool {
			switch ev.Name {
			case "ready":
				close(ready)
			case "message":
				var e struct {
					Message struct{ Subject string }
				}
				if json.Unmarshal(ev.Data, &e) == nil {
					r.got <- coordArrival{e.Message.Subject, ev.At}
				}
			}
			return true
		})
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		b.Fatal("the recipient's stream never said ready")
	}
	return r
}

func (r *coordRig) send(subject string) error {
	body, _ := json.Marshal(map[string]string{"to": "recver", "subject": subject, "body": "benchmark message"})
	req, _ := http.NewRequest("POST", r.h.URL+"/api/v1/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+r.sender)
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("send: status %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkMessageLatency: time from a sender's POST /api/v1/messages to
// the online recipient reading the message on its live stream, one
// message at a time. Issue 6 asks for p50 and p99 (goal p50 <= 5 ms).
//
//	go test ./bench -run '^$' -bench MessageLatency -benchtime 500x
func BenchmarkMessageLatency(b *testing.B) {
	r := newCoordRig(b)
	_ = r.send("warm-up") // the recipient's peer exists from its stream; this warms the sender
	<-r.got
	lat := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		subj := fmt.Sprintf("m%d", i)
		start := time.Now()
		if err := r.send(subj); err != nil {
			b.Fatal(err)
		}
		for a := range r.got {
			if a.subject == subj {
				lat = append(lat, Ms(a.at.Sub(start)))
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(Percentile(lat, 50), "p50-ms")
	b.ReportMetric(Percentile(lat, 90), "p90-ms")
	b.ReportMetric(Percentile(lat, 99), "p99-ms")
	b.ReportMetric(Percentile(lat, 100), "max-ms")
}

// BenchmarkMessageSustained sends at a fixed rate (CT_BENCH_RATE per
// minute, default 10,000) for CT_BENCH_DURATION (default 60s; the issue's
// full run is 5m) from 4 senders' connections and checks that every
// message reached the online recipient's stream and the store: no loss.
//
//	CT_BENCH_DURATION=5m go test ./bench -run '^$' -bench MessageSustained -benchtime 1x -timeout 20m
func BenchmarkMessageSustained(b *testing.B) {
	rate, dur := 10000, time.Minute
	if v := os.Getenv("CT_BENCH_RATE"); v != "" {
		fmt.Sscan(v, &rate)
	}
	if v := os.Getenv("CT_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		dur = d
	}
	r := newCoordRig(b)
	for b.Loop() {
		total := int(float64(rate) * dur.Minutes())
		interval := time.Minute / time.Duration(rate)
		jobs := make(chan int, 1024)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var sendErrs int
		var slowest time.Duration
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					t0 := time.Now()
					if err := r.send(fmt.Sprintf("s%d", i)); err != nil {
						mu.Lock()
						sendErrs++
						mu.Unlock()
					}
					mu.Lock()
					slowest = max(slowest, time.Since(t0))
					mu.Unlock()
				}
			}()
		}
		seen := make(map[string]bool, total)
		done := make(chan struct{})
		go func() {
			for a := range r.got {
				seen[a.subject] = true
				if len(seen) == total {
					close(done)
					return
				}
			}
		}()
		start := time.Now()
		tick := time.NewTicker(interval)
		for i := 0; i < total; i++ {
			<-tick.C
			jobs <- i
		}
		tick.Stop()
		close(jobs)
		wg.Wait()
		sendTime := time.Since(start)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
		}
		// The store must hold them all as well: page through with after=.
		stored, after := 0, "0"
		for {
			var page []struct{ ID, Body string }
			req, _ := http.NewRequest("GET", r.h.URL+"/api/v1/messages?limit=1000&after="+after, nil)
			req.Header.Set("Authorization", "Bearer "+r.recver)
			resp, err := r.client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || len(page) == 0 {
				break
			}
			for _, m := range page {
				if m.Body == "benchmark message" {
					stored++
				}
			}
			after = page[len(page)-1].ID
		}
		b.ReportMetric(float64(total), "sent")
		b.ReportMetric(float64(len(seen)), "pushed")
		b.ReportMetric(float64(total)/sendTime.Minutes(), "msgs/min")
		b.ReportMetric(float64(stored), "stored")
		b.ReportMetric(Ms(slowest), "slowest-send-ms")
		if sendErrs > 0 || len(seen) != total || stored < total {
			b.Fatalf("sent %d, %d send errors, %d pushed to the recipient, %d stored", total, sendErrs, len(seen), stored)
		}
	}
}
