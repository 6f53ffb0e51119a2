package wire

import "testing"

func TestCheckAgentSessionIDTakesOnlyPlainIDs(t *testing.T) {
	for _, ok := range []string{"3f2b9c1e-8d7a-4b6e-9f10-2a3b4c5d6e7f", "019a2b3c-0000-7000-8000-000000000001", "abc_1"} {
		if err := CheckAgentSessionID(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "--settings", "-r", "../x", "/tmp/s.jsonl", "a b", "a/b", "a.jsonl", "id\n", string(make([]byte, 129))} {
		if CheckAgentSessionID(bad) == nil {
			t.Errorf("%q accepted as an agent session id", bad)
		}
	}
}
