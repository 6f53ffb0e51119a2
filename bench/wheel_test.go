package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ct-dev/ct/e2e"
)

// BenchmarkWheelFanout: 50 pages watch one session; each wheel change
// (take / let go, alternately) is timed from the POST being sent to the
// moment the LAST of the 50 pages has received its presence update.
// Issue 5 asks for the p99 of that time.
//
//	go test ./bench -run '^$' -bench WheelFanout -benchtime 200x
func BenchmarkWheelFanout(b *testing.B) {
	const viewers = 50
	h := e2e.StartHub(b, b.TempDir(), "127.0.0.1:0")
	e2e.StartWrap(b, nil, "--hub", h.URL, "--name", "fanout", "--", "bash", "-c", "while read l; do :; done")
	s := e2e.SessionFor(b, h.URL, "fanout")

	// Every page counts the presence updates it receives.
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	seen := make([]int, viewers)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range viewers {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/events/s/%s?v=page%d", h.URL, s.ID, i), nil)
		req.Header.Set("Authorization", "Bearer "+h.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("viewer %d: %v %v", i, err, resp)
		}
		go func() {
			_ = ReadEvents(resp.Body, func(ev Event) bool {
				if strings.Contains(string(ev.Data), `id="presence"`) && strings.Contains(string(ev.Data), "wheel") {
					mu.Lock()
					seen[i]++
					cond.Broadcast()
					mu.Unlock()
				}
				return true
			})
		}()
	}
	waitAll := func(want []int, deadline time.Time) bool {
		mu.Lock()
		defer mu.Unlock()
		for {
			done := true
			for i := range seen {
				if seen[i] < want[i] {
					done = false
					break
				}
			}
			if done {
				return true
			}
			if time.Now().After(deadline) {
				return false
			}
			cond.Wait()
		}
	}
	go func() { // wake waitAll now and then so its deadline is checked
		for ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
			cond.Broadcast()
		}
	}()
	// Let every page connect and get its first presence bar.
	time.Sleep(2 * time.Second)

	client := &http.Client{}
	post := func(action string) {
		req, _ := http.NewRequest("POST", h.URL+"/s/"+s.ID+"/wheel", strings.NewReader("action="+action))
		req.Header.Set("Authorization", "Bearer "+h.Token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			b.Fatalf("wheel %s: %v %v", action, err, resp)
		}
		resp.Body.Close()
	}
	var lat []float64
	b.ResetTimer()
	for n := 0; b.Loop(); n++ {
		mu.Lock()
		want := make([]int, viewers)
		for i := range seen {
			want[i] = seen[i] + 1
		}
		mu.Unlock()
		action := "take"
		if n%2 == 1 {
			action = "release"
		}
		start := time.Now()
		post(action)
		if !waitAll(want, time.Now().Add(10*time.Second)) {
			b.Fatalf("not all %d pages got wheel change %d within 10 s", viewers, n)
		}
		lat = append(lat, Ms(time.Since(start)))
	}
	b.StopTimer()
	b.ReportMetric(Percentile(lat, 50), "p50-ms")
	b.ReportMetric(Percentile(lat, 99), "p99-ms")
	b.ReportMetric(Percentile(lat, 100), "max-ms")
	b.Logf("wheel change -> all %d pages updated, over %d changes: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
		viewers, len(lat), Percentile(lat, 50), Percentile(lat, 90), Percentile(lat, 99), Percentile(lat, 100))
}
