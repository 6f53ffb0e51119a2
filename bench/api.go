package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Session is what the benchmarks read of a session from the hub's JSON API.
type Session struct {
	ID      string `json:"id"`
	Node    string `json:"node"`
	Status  string `json:"status"`
	Bytes   int64  `json:"output_bytes"`
	Dropped int64  `json:"dropped_bytes"`
	// ExitCode is set once the session has ended.
	ExitCode *int `json:"exit_code"`
}

// ListSessions is GET /api/v1/sessions.
func ListSessions(client *http.Client, hubURL string) ([]Session, error) {
	var out []Session
	return out, getJSON(client, hubURL+"/api/v1/sessions", &out)
}

// GetSession is GET /api/v1/sessions/{id}.
func GetSession(client *http.Client, hubURL, id string) (Session, error) {
	var s Session
	return s, getJSON(client, hubURL+"/api/v1/sessions/"+id, &s)
}

func getJSON(client *http.Client, url string, v any) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body) // let the connection be reused
	return nil
}
