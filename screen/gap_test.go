package screen

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// histText is history as plain lines, a gap marker as "<gap N>".
func histText(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		if r.Skipped > 0 {
			out[i] = fmt.Sprintf("<gap %d>", r.Skipped)
		} else {
			out[i] = r.Text()
		}
	}
	return out
}

// A skip is marked in history where the skipped lines were: after the
// rows that were on the screen before it, before the output after it.
func TestSkipMarksGapInPlace(t *testing.T) {
	s := New(20, 3)
	defer s.Close()
	s.Write([]byte("a\r\nb\r\nc\r\n")) // a scrolled off; b, c and the cursor's row remain
	s.Skip(500)
	if got, total := s.History(0); len(got) != 1 || total != 1 {
		t.Fatalf("the marker went in before b and c scrolled off: %q %d", histText(got), total)
	}
	s.Write([]byte("d\r\ne\r\nf\r\n"))
	got, total := s.History(0)
	want := []string{"a", "b", "c", "<gap 500>", "d"}
	if !slices.Equal(histText(got), want) || total != 504 {
		t.Fatalf("history %q total %d; want %q, 504", histText(got), total, want)
	}
	// Numbered by lines: since 503 is just "d"; since 1 is everything after a.
	if got, _ := s.History(503); !slices.Equal(histText(got), []string{"d"}) {
		t.Fatalf("History(503) = %q", histText(got))
	}
	if got, _ := s.History(1); !slices.Equal(histText(got), want[1:]) {
		t.Fatalf("History(1) = %q", histText(got))
	}
	if m := s.Missed(0); m != 0 {
		t.Fatalf("Missed(0) = %d with nothing trimmed", m)
	}
}

// Missed counts the lines trimmed off the top of history that a caller
// asking from since never got.
func TestMissed(t *testing.T) {
	s := New(20, 2)
	defer s.Close()
	var b strings.Builder
	for i := range MaxHistory + 101 {
		fmt.Fprintf(&b, "%d\r\n", i)
	}
	s.Write([]byte(b.String()))
	_, total := s.History(0)
	if total != MaxHistory+100 {
		t.Fatalf("total %d", total)
	}
	if m := s.Missed(0); m != 100 {
		t.Fatalf("Missed(0) = %d, want the 100 trimmed lines", m)
	}
	if m := s.Missed(60); m != 40 {
		t.Fatalf("Missed(60) = %d, want 40", m)
	}
	if m := s.Missed(total); m != 0 {
		t.Fatalf("Missed(total) = %d", m)
	}
}

// One write that scrolls more lines than the emulator's own scrollback
// holds still counts every line (the first ones used to vanish uncounted).
func TestBigWriteCountsEveryLine(t *testing.T) {
	s := New(20, 3)
	defer s.Close()
	var b strings.Builder
	const n = 30000
	for i := range n {
		fmt.Fprintf(&b, "%d\r\n", i)
	}
	s.Write([]byte(b.String()))
	hist, total := s.History(0)
	if total != n-2 { // the last two numbers and the cursor's row are on screen
		t.Fatalf("history counts %d lines, want %d", total, n-2)
	}
	if got := hist[len(hist)-1].Text(); got != fmt.Sprint(n-3) {
		t.Fatalf("the newest history line is %q, want %d", got, n-3)
	}
}
