package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Event is one server-sent event as a client sees it, stamped when its
// terminating blank line was read.
type Event struct {
	ID, Name string
	Data     []byte // data: lines joined with \n, as the spec says
	At       time.Time
}

// ReadEvents parses a text/event-stream and calls fn for each event until
// the stream ends or fn returns false. It is written here (not taken from an
// SSE library) so the benchmark times exactly when bytes arrive.
func ReadEvents(r io.Reader, fn func(Event) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var ev Event
	var data bytes.Buffer
	hasData := false
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			rest := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				rest = append(rest, line...)
			}
			line = rest
		}
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if hasData {
				ev.Data = append([]byte(nil), data.Bytes()...)
				ev.At = time.Now()
				if !fn(ev) {
					return nil
				}
			}
			ev, hasData = Event{}, false
			data.Reset()
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.Write(value)
			hasData = true
		case "event":
			ev.Name = string(value)
		case "id":
			ev.ID = string(value)
		}
	}
}

// Subscribe opens an SSE stream at url and returns its body once the server
// has answered 200. Cancel ctx to close it.
func Subscribe(ctx context.Context, client *http.Client, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, b)
	}
	return resp.Body, nil
}
