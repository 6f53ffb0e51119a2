package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkSystemEventToMCP measures how long a system event (a lock
// taken or freed over the REST API) takes from the hub publishing it to
// an agent's MCP client holding it, through a real ct serve and a real
// ct mcp whose agent loops on wait_for_events: 200 events, each sent once
// the previous one arrived. Latency is the client's receipt minus the
// event's own time stamp (one machine, one clock). Figures are reported,
// never asserted (BENCHMARKS.md).
//
//	go test ./e2e -run '^$' -bench SystemEventToMCP -benchtime 1x
func BenchmarkSystemEventToMCP(b *testing.B) {
	const n = 200
	for range b.N {
		h := StartHub(b, b.TempDir(), "127.0.0.1:0")
		agentTok := MintToken(b, h.URL, "admin", AdminPassword, map[string]string{"name": "bench-agent", "kind": "api"})
		pubTok := MintToken(b, h.URL, "admin", AdminPassword, map[string]string{"name": "bench-pub", "kind": "api"})
		cmd := exec.Command(Binary(b), "mcp")
		cmd.Env = append(os.Environ(), "CT_HUB="+h.URL, "CT_TOKEN="+agentTok, "XDG_CONFIG_HOME="+b.TempDir(), "CT_SESSION=cccccccc-3333", "CT_PEER=")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil).Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
		if err != nil {
			b.Fatal(err)
		}
		wait := func(args map[string]any) (meshTimedPage, time.Time) {
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "wait_for_events", Arguments: args})
			at := time.Now()
			if err != nil || res.IsError {
				b.Fatalf("wait_for_events: %v %+v", err, res)
			}
			var p meshTimedPage
			_ = json.Unmarshal([]byte(res.Content[0].(*mcp.TextContent).Text), &p)
			return p, at
		}
		start, _ := wait(map[string]any{"timeout_s": 0})
		lat := make(chan time.Duration, n)
		// The agent: one wait after another, as an agent's loop would.
		go func() {
			since, got := start.Next, 0
			for got < n {
				p, at := wait(map[string]any{"since": since, "types": []string{"lock"}, "timeout_s": 30})
				for _, e := range p.Events {
					lat <- at.Sub(e.At)
					got++
				}
				since = p.Next
			}
		}()
		var all []time.Duration
		for i := range n {
			method, path := http.MethodPost, "/api/v1/locks"
			if i%2 == 1 {
				method, path = http.MethodDelete, "/api/v1/locks/bench"
			}
			req, _ := http.NewRequest(method, h.URL+path, bytes.NewReader([]byte(`{"name":"bench","ttl":"1m"}`)))
			req.Header.Set("Authorization", "Bearer "+pubTok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode >= 300 {
				b.Fatalf("%s %s: %v %v", method, path, err, resp)
			}
			resp.Body.Close()
			select {
			case d := <-lat:
				all = append(all, d)
			case <-time.After(30 * time.Second):
				b.Fatalf("event %d did not reach the agent in 30 s", i+1)
			}
		}
		cs.Close()
		cancel()
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(all[len(all)/2]), "p50-ms")
		b.ReportMetric(ms(all[len(all)*99/100]), "p99-ms")
		b.ReportMetric(ms(all[len(all)-1]), "max-ms")
		b.ReportMetric(ms(all[0]), "min-ms")
	}
}

// meshTimedPage is wait_for_events's answer with each event's time.
type meshTimedPage struct {
	Events []struct{ At time.Time }
	Next   uint64
}
