package coord

import (
	"reflect"
	"testing"
)

// The client encodes a filter with Values and the hub decodes it with
// MessageFilterFrom: every field survives, and zero fields are left out.
func TestMessageFilterQueryRoundTrip(t *testing.T) {
	f := MessageFilter{Box: "all", Unread: true, Re: "m1", Query: "a b&c", After: "m9", Limit: 5}
	v := f.Values()
	if got := MessageFilterFrom(v); !reflect.DeepEqual(got, f) {
		t.Errorf("round trip: %+v, want %+v", got, f)
	}
	if enc := v.Encode(); enc != "after=m9&box=all&limit=5&q=a+b%26c&re=m1&unread=1" {
		t.Errorf("query %s", enc)
	}
	if enc := (MessageFilter{}).Values().Encode(); enc != "" {
		t.Errorf("zero filter: %q", enc)
	}
}
