package handlers

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/ct-dev/ct/auth"
	"github.com/ct-dev/ct/coord"
)

// An agent's session credential long-polls its events: it sees a lock
// taken and a message to it, never a message to someone else, and
// resumes from next; bad parameters get words that say what to send.
func TestEventsWaitAPI(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("mona", auth.RoleMember)
	mona, _ := f.token("mona", auth.KindAPI, auth.RoleMember, "")
	agent, _ := f.token("mona", auth.KindAgent, "", "box-a")
	as := func(tok, peer string) (cred, map[string]string) {
		return cred{bearer: tok}, map[string]string{PeerHeader: peer}
	}
	ca, ha := as(agent, "worker")
	first := f.do("GET", "/api/v1/events/wait?timeout=0", "", ca, ha)
	var page coord.EventPage
	if first.status != 200 || json.Unmarshal([]byte(first.body), &page) != nil || len(page.Events) != 0 {
		t.Fatalf("an agent's first wait: %d %s", first.status, first.body)
	}
	since := strconv.FormatUint(page.Next, 10)
	cm, hm := as(mona, "lead")
	f.do("GET", "/api/v1/peers/me", "", cm, hm)
	f.do("POST", "/api/v1/messages", `{"to":"lead","body":"for the lead only"}`, ca, ha)
	f.do("POST", "/api/v1/messages", `{"to":"worker","body":"for the worker"}`, cm, hm)
	f.do("POST", "/api/v1/locks", `{"name":"deploy","ttl":"1m"}`, cm, hm)
	res := f.do("GET", "/api/v1/events/wait?since="+since+"&types=message,lock&timeout=5", "", ca, ha)
	if res.status != 200 || json.Unmarshal([]byte(res.body), &page) != nil {
		t.Fatalf("wait: %d %s", res.status, res.body)
	}
	var got []string
	for _, e := range page.Events {
		if e.Message != nil {
			got = append(got, e.Type+":"+e.Message.From+">"+e.Message.To)
		} else {
			got = append(got, e.Type+":"+e.Notice)
		}
	}
	// The agent's own message to lead is its own (sent by it), so it sees it.
	if strings.Join(got, "|") != "message:worker>lead|message:lead>worker|lock:lead took lock deploy" {
		t.Fatalf("the agent saw %q", got)
	}
	cv, hv := as(mona, "bystander")
	res = f.do("GET", "/api/v1/events/wait?since="+since+"&types=message&timeout=0", "", cv, hv)
	if res.status != 200 || strings.Contains(res.body, "for the") {
		t.Fatalf("a bystander saw others' messages: %s", res.body)
	}
	for q, want := range map[string]string{"since=x": "since is", "timeout=-1": "timeout is", "types=bogus": "types is", "limit=0": "limit is"} {
		if res := f.do("GET", "/api/v1/events/wait?"+q, "", ca, ha); res.status != 400 || !strings.Contains(res.body, want) {
			t.Errorf("%s: %d %s", q, res.status, res.body)
		}
	}
	// The SSE stream stays closed to agents: only the bounded long-poll is theirs.
	if res := f.do("GET", "/api/v1/events", "", ca, ha); res.status != 403 {
		t.Fatalf("an agent opened the event stream: %d", res.status)
	}
}

// Skills over REST: share (twice: v2), list, get by version, the page;
// an agent may share; a viewer may not; limits answer with their size.
func TestSkillsAPI(t *testing.T) {
	f := newAuthFixture(t, fixtureOpts{})
	f.addUser("vera", auth.RoleViewer)
	agent, _ := f.token("admin", auth.KindAgent, "", "box-a")
	vera, _ := f.token("vera", auth.KindAPI, auth.RoleViewer, "")
	ca := cred{bearer: agent}
	h := map[string]string{PeerHeader: "worker"}
	body := `{"name":"go-release","description":"cut a release","instructions":"tag it","files":[{"path":"release.sh","content":"echo hi"}]}`
	if res := f.do("POST", "/api/v1/skills", body, ca, h); res.status != 201 || !strings.Contains(res.body, `"version":1`) || !strings.Contains(res.body, `"shared_by":"worker"`) {
		t.Fatalf("share: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/skills", `{"name":"go-release","description":"cut a signed release","instructions":"tag -s it"}`, ca, h); res.status != 201 || !strings.Contains(res.body, `"version":2`) {
		t.Fatalf("share again: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/skills", "", cred{bearer: vera}, nil); res.status != 200 || !strings.Contains(res.body, `"versions":2`) || strings.Contains(res.body, "tag -s") {
		t.Fatalf("list: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/skills/go-release?version=1", "", cred{bearer: vera}, nil); res.status != 200 || !strings.Contains(res.body, `"echo hi"`) {
		t.Fatalf("get v1: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/api/v1/skills/go-release?version=x", "", ca, h); res.status != 400 || !strings.Contains(res.body, "version is") {
		t.Fatalf("bad version: %d %s", res.status, res.body)
	}
	if res := f.do("POST", "/api/v1/skills", `{"name":"x","description":"d","instructions":"i"}`, cred{bearer: vera}, nil); res.status != 403 {
		t.Fatalf("a viewer shared: %d %s", res.status, res.body)
	}
	big := `{"name":"big","description":"d","instructions":"` + strings.Repeat("x", coord.MaxSkillInstructions+1) + `"}`
	if res := f.do("POST", "/api/v1/skills", big, ca, h); res.status != 413 || !strings.Contains(res.body, "64 KB") {
		t.Fatalf("over the limit: %d %.200s", res.status, res.body)
	}
	climb := `{"name":"c","description":"d","instructions":"i","files":[{"path":"../x","content":""}]}`
	if res := f.do("POST", "/api/v1/skills", climb, ca, h); res.status != 400 || !strings.Contains(res.body, "relative path") {
		t.Fatalf("a climbing path: %d %s", res.status, res.body)
	}
	if res := f.do("GET", "/skills?name=go-release&version=1", "", cred{bearer: vera}, nil); res.status != 200 ||
		!strings.Contains(res.body, "release.sh") || !strings.Contains(res.body, "v2") || !strings.Contains(res.body, "worker") {
		t.Fatalf("the page: %d %.400s", res.status, res.body)
	}
}
