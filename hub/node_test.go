package hub

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ct-dev/ct/wire"
)

// serveNode runs ServeNode on a new transport bound to machine.
func (th *testHub) serveNode(machine string) (*fakeTransport, <-chan error) {
	t := newTransport()
	th.mu.Lock()
	th.transports = append(th.transports, t)
	th.mu.Unlock()
	done := make(chan error, 1)
	th.wg.Add(1)
	go func() {
		defer th.wg.Done()
		done <- th.ServeNode(context.Background(), t, WrapAuth{Machine: machine})
	}()
	return t, done
}

func nodeRegister(tb testing.TB, name string) wire.Envelope {
	return envelope(tb, wire.TypeNodeRegister, wire.NodeRegister{
		Hello: wire.Hello{Node: name, OS: "linux", Version: "test"}, Allow: []string{"bash"}, Roots: []string{"/src"}})
}

// A node registers, shows online with its lists, answers a spawn request
// (the answer reaches the caller whatever it says), and shows offline when
// its connection ends; a pending request then fails at once.
func TestNodeRegisterSpawnAndDrop(t *testing.T) {
	th := newTestHub(t)
	tr, done := th.serveNode("box")
	tr.toHub <- nodeRegister(t, "box")
	tr.recv(t, wire.TypeNodeReady)
	if !th.NodeConnected("box") || !th.NodeOnline("box") {
		t.Fatal("registered node not online")
	}
	if st, ok := th.Node("box"); !ok || !st.Online || strings.Join(st.Allow, ",") != "bash" || strings.Join(st.Roots, ",") != "/src" {
		t.Fatalf("Node(box) = %+v %v", st, ok)
	}
	if n, _ := th.store.Nodes(); len(n) != 1 || n[0].Name != "box" || n[0].OS != "linux" {
		t.Fatalf("store nodes = %+v", n)
	}

	for _, refuse := range []string{"", "command \"sh\" is not allowed"} {
		res := make(chan wire.NodeSpawned, 1)
		go func() {
			ans, err := th.Spawn(context.Background(), "box", wire.NodeSpawn{Command: "sh", Cwd: "/etc", By: "ann"})
			if err != nil {
				t.Error(err)
			}
			res <- ans
		}()
		req := tr.recv(t, wire.TypeNodeSpawn)
		var sp wire.NodeSpawn
		if err := req.Decode(&sp); err != nil || sp.Command != "sh" || sp.Cwd != "/etc" || sp.By != "ann" || sp.Request == "" {
			t.Fatalf("node.spawn = %+v %v", sp, err)
		}
		out := wire.NodeSpawned{Request: sp.Request, SessionID: "s1"}
		if refuse != "" {
			out = wire.NodeSpawned{Request: sp.Request, Refused: refuse}
		}
		tr.toHub <- envelope(t, wire.TypeNodeSpawned, wire.NodeSpawned{Request: "someone-else", SessionID: "x"}) // ignored
		tr.toHub <- envelope(t, wire.TypeNodeSpawned, out)
		if got := <-res; got != out {
			t.Fatalf("Spawn answered %+v, want %+v", got, out)
		}
	}

	// A request in flight when the node drops fails with ErrNodeOffline.
	res := make(chan error, 1)
	go func() {
		_, err := th.Spawn(context.Background(), "box", wire.NodeSpawn{Command: "bash"})
		res <- err
	}()
	tr.recv(t, wire.TypeNodeSpawn)
	tr.close()
	if err := <-res; !errors.Is(err, ErrNodeOffline) {
		t.Fatalf("spawn during drop: %v, want ErrNodeOffline", err)
	}
	<-done
	if th.NodeConnected("box") || th.NodeOnline("box") {
		t.Fatal("dropped node still online")
	}
	if _, err := th.Spawn(context.Background(), "box", wire.NodeSpawn{Command: "bash"}); !errors.Is(err, ErrNodeOffline) {
		t.Fatalf("spawn on an offline node: %v", err)
	}
	if st, ok := th.Node("box"); !ok || st.Online || len(st.Allow) != 1 {
		t.Fatalf("offline node keeps its last registration: %+v %v", st, ok)
	}
}

// A machine token for one machine cannot register as another, and the
// first frame must be a registration.
func TestNodeRegisterRefusals(t *testing.T) {
	th := newTestHub(t)
	tr, done := th.serveNode("box")
	tr.toHub <- nodeRegister(t, "other")
	if e := tr.recv(t, ""); e.Type != wire.TypeError {
		t.Fatalf("wrong machine answered %s", e.Type)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), `for machine "box", not "other"`) {
		t.Fatalf("wrong machine: %v", err)
	}
	tr, done = th.serveNode("")
	tr.toHub <- envelope(t, wire.TypeNodeHello, wire.Hello{Node: "box"})
	if err := <-done; err == nil || !strings.Contains(err.Error(), "expected node.register") {
		t.Fatalf("hello instead of register: %v", err)
	}
	if th.NodeConnected("box") || th.NodeConnected("other") {
		t.Fatal("a refused node shows connected")
	}
}
