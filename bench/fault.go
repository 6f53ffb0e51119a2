package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// FaultConfig shapes a fault-injection run (issue 13): Wraps programs each
// writing numbered lines under ct wrap, while the hub is SIGKILLed and
// restarted Kills times at random moments, including after programs ended.
type FaultConfig struct {
	Bin   string // the ct binary
	Dir   string // scratch space: the store, each wrap's state dir
	Wraps int
	Kills int
	Lines int   // lines the longest program writes; the others write fewer
	Seed  int64 // the random moments, repeatable
	// Log, when set, hears one line per kill and restart.
	Log io.Writer
}

// FaultResult is what a run found: every stored log compared byte for byte
// with what its program wrote.
type FaultResult struct {
	Sessions     int
	Kills        int
	BytesWritten int64 // by the programs, as their terminals saw it
	Lost         int64 // written but missing from the hub's log
	Duplicated   int64 // in the hub's log more often than written
	Mismatched   int   // sessions whose log differs in any way
	NotEnded     int   // sessions not ended with their program's exit code
	Elapsed      time.Duration
	Problems     []string
}

// faultWrap is one ct wrap of a fault run.
type faultWrap struct {
	name string
	code int // the program's exit code
	cmd  *exec.Cmd
	out  bytes.Buffer // what the program wrote, through the PTY
	done chan struct{}
}

// RunFaults runs a fault-injection test and compares what the hub stored.
func RunFaults(ctx context.Context, cfg FaultConfig) (FaultResult, error) {
	res := FaultResult{Sessions: cfg.Wraps}
	start := time.Now()
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 13))
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	data := filepath.Join(cfg.Dir, "hub")
	h, err := StartHub(cfg.Bin, data, "--addr", addr)
	if err != nil {
		return res, err
	}
	defer func() { h.Kill() }()
	wraps := make([]*faultWrap, cfg.Wraps)
	for i := range wraps {
		lines := cfg.Lines * (i + 1) / cfg.Wraps // staggered: some end while the hub is down
		if wraps[i], err = startFaultWrap(cfg, h, i, lines); err != nil {
			return res, err
		}
	}
	for k := range cfg.Kills {
		sleepCtx(ctx, time.Duration(100+rng.IntN(500))*time.Millisecond)
		h.Kill()
		logf(cfg.Log, "kill %d of %d", k+1, cfg.Kills)
		sleepCtx(ctx, time.Duration(20+rng.IntN(400))*time.Millisecond)
		if h, err = StartHub(cfg.Bin, data, "--addr", addr); err != nil {
			return res, fmt.Errorf("restart %d: %w", k+1, err)
		}
		res.Kills++
	}
	for _, w := range wraps {
		select {
		case <-w.done:
		case <-time.After(2 * time.Minute):
			return res, fmt.Errorf("%s did not exit", w.name)
		}
	}
	compareFaults(ctx, h, wraps, &res)
	res.Elapsed = time.Since(start)
	return res, nil
}

// startFaultWrap starts ct wrap i on a program writing lines numbered
// lines and exiting with i%5.
func startFaultWrap(cfg FaultConfig, h *HubProc, i, lines int) (*faultWrap, error) {
	w := &faultWrap{name: "fault-" + strconv.Itoa(i), code: i % 5, done: make(chan struct{})}
	tok, err := h.MachineToken(w.name)
	if err != nil {
		return nil, err
	}
	// A pause every 500 lines spreads the output over the kills.
	script := fmt.Sprintf(`i=0; while [ $i -lt %d ]; do i=$((i+1)); echo "%s line $i"; [ $((i %% 500)) = 0 ] && sleep 0.05; done; exit %d`, lines, w.name, w.code)
	w.cmd = exec.Command(cfg.Bin, "wrap", "--hub", h.URL, "--name", w.name, "--", "sh", "-c", script)
	w.cmd.Env = append(os.Environ(), "CT_TOKEN="+tok, "XDG_STATE_HOME="+filepath.Join(cfg.Dir, w.name))
	w.cmd.Stdout = &w.out
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = w.cmd.Wait(); close(w.done) }()
	return w, nil
}

// compareFaults waits for each session to end on the hub (tails arrive
// through ct flush) and compares its log with what its program wrote.
func compareFaults(ctx context.Context, h *HubProc, wraps []*faultWrap, res *FaultResult) {
	client := h.Client()
	for _, w := range wraps {
		want := w.out.Bytes()
		res.BytesWritten += int64(len(want))
		s, ok := waitEnded(ctx, client, h.URL, w.name, w.code)
		if !ok {
			res.NotEnded++
			res.Problems = append(res.Problems, fmt.Sprintf("%s: not ended with exit %d (status %q)", w.name, w.code, s.Status))
		}
		got, err := getBytes(client, h.URL+"/api/v1/sessions/"+s.ID+"/log")
		if err != nil {
			res.Problems = append(res.Problems, w.name+": "+err.Error())
			res.Lost += int64(len(want))
			res.Mismatched++
			continue
		}
		if !bytes.Equal(got, want) {
			res.Mismatched++
			res.Lost += max(0, int64(len(want)-len(got)))
			res.Duplicated += max(0, int64(len(got)-len(want)))
			res.Problems = append(res.Problems, fmt.Sprintf("%s: log %d bytes, program wrote %d", w.name, len(got), len(want)))
		}
	}
}

// waitEnded waits up to a minute for node's session to end with code.
func waitEnded(ctx context.Context, client *http.Client, hubURL, node string, code int) (Session, bool) {
	var s Session
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		list, _ := ListSessions(client, hubURL)
		for _, x := range list {
			if x.Node == node {
				s = x
			}
		}
		if s.Status == "ended" && s.ExitCode != nil && *s.ExitCode == code {
			return s, true
		}
		sleepCtx(ctx, 100*time.Millisecond) // polling the API
	}
	return s, false
}

func getBytes(client *http.Client, url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// freeAddr picks a loopback port the restarted hub can bind again.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
