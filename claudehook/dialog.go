package claudehook

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ct-dev/ct/screen"
)

// dialogSettles is how long Claude Code's dialog must have been on screen
// before a key typed at the terminal counts as its answer: the dialog drops
// keys in its first moments (docs/claude-code.md: keys 0 and 100 ms after a
// poll first saw it were ignored, 150 ms and later taken). The wait errs
// short: a key settled here that Claude dropped leaves the dialog on screen
// for the person to press again, while a key Claude took that ct did not
// count would let the hub record an answer Claude never got.
const dialogSettles = 100 * time.Millisecond

// dialogWatch reads what Claude Code draws (the PTY's output, through a
// terminal emulator of the PTY's size) to tell which dialog is on screen and
// which keys it takes. It is fed from the output goroutine and read from
// the keyboard path.
type dialogWatch struct {
	// mu guards the emulator and the dialog seen: Output and the key path
	// run on different goroutines.
	mu       sync.Mutex
	scr      *screen.Screen
	shown    dialog // the dialog on screen as of the last output ("": none)
	watching atomic.Bool
	settles  time.Duration // dialogSettles; tests shorten it
}

// dialog is one permission dialog as drawn: its numbered options and the
// text above them.
type dialog struct {
	options int       // 1..options are the digits it takes
	pointer int       // the highlighted option (Enter takes it)
	no      int       // the option that refuses ("No"; 0: none)
	key     string    // the options as drawn: a new dialog has another
	text    string    // the screen up to the options, spaces removed, to find what it asks about
	since   time.Time // when it was first seen
}

func newDialogWatch() *dialogWatch {
	return &dialogWatch{scr: screen.New(80, 24), settles: dialogSettles}
}

// ready reports whether d has been on screen long enough to take keys.
func (w *dialogWatch) ready(d dialog) bool { return time.Since(d.since) >= w.settles }

// output feeds the emulator; while someone needs it (watching: a question
// is open or a hub answer is held), the dialog on screen is read again.
func (w *dialogWatch) output(p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.scr.Write(p)
	if !w.watching.Load() {
		w.shown = dialog{}
		return
	}
	d := findDialog(w.scr.Text())
	switch {
	case d.options == 0:
		w.shown = dialog{}
	case d.key != w.shown.key:
		d.since = time.Now()
		w.shown = d
	default:
		w.shown.text = d.text
	}
}

// size follows the PTY's size, so the emulator lays the screen out as the
// program does.
func (w *dialogWatch) size(cols, rows int) {
	w.mu.Lock()
	w.scr.Resize(cols, rows)
	w.mu.Unlock()
}

// current is the dialog on screen, if any.
func (w *dialogWatch) current() (dialog, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shown, w.shown.options > 0
}

// watch turns reading the screen on or off; turning it on reads it at once.
func (w *dialogWatch) watch(on bool) {
	if w.watching.Swap(on) == on || !on {
		return
	}
	w.output(nil)
}

func (w *dialogWatch) close() {
	w.mu.Lock()
	w.scr.Close()
	w.mu.Unlock()
}

// optionLine is one of a dialog's numbered options; the highlighted one
// carries Claude Code's ❯ pointer.
var optionLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(❯)?\s*(\d{1,2})\.\s+(\S.*)$`) })

// findDialog finds the dialog in a screen's text: the last highlighted
// numbered option (❯ N.) and the options numbered consecutively around it
// (a description line or two may sit between options). A numbered list
// elsewhere (a plan, the transcript) has no pointer; the prompt line's ❯ has
// no number after it.
func findDialog(text string) dialog {
	lines := strings.Split(text, "\n")
	at, num := -1, 0
	for i := len(lines) - 1; i >= 0; i-- {
		if m := optionLine().FindStringSubmatch(lines[i]); m != nil && m[1] != "" {
			at, num = i, atoiOr0(m[2])
			break
		}
	}
	if at < 0 {
		return dialog{}
	}
	no := 0
	isNo := func(line string, n int) {
		if m := optionLine().FindStringSubmatch(line); m != nil && (m[3] == "No" || strings.HasPrefix(m[3], "No,")) {
			no = n
		}
	}
	isNo(lines[at], num)
	first, firstNum := at, num
	for i, gap, want := at-1, 0, num-1; i >= 0 && gap <= 3 && want >= 1; i-- {
		if n := optionNumber(lines[i]); n == want {
			first, firstNum, gap, want = i, n, 0, want-1
			isNo(lines[i], n)
		} else {
			gap++
		}
	}
	last, lastNum := at, num
	for i, gap := at+1, 0; i < len(lines) && gap <= 3; i++ {
		if n := optionNumber(lines[i]); n == lastNum+1 {
			last, lastNum, gap = i, n, 0
			isNo(lines[i], n)
		} else {
			gap++
		}
	}
	if firstNum != 1 {
		return dialog{}
	}
	return dialog{
		options: lastNum, pointer: num, no: no,
		key:  strings.Join(lines[first:last+1], "\n"),
		text: squeeze(strings.Join(lines[max(0, first-40):first], "")),
	}
}

func optionNumber(line string) int {
	if m := optionLine().FindStringSubmatch(line); m != nil {
		return atoiOr0(m[2])
	}
	return 0
}

func atoiOr0(s string) int { n, _ := strconv.Atoi(s); return n }

// squeeze drops every space, so text wrapped over lines still matches.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// takes reports whether d takes a key in p as its answer: Enter (the
// highlighted option), a lone Esc (cancel), or the digit of one of its
// options. Other keys (y, n, a digit it has no option for, Ctrl-C, Tab,
// arrows, a paste) leave it open.
func (d dialog) takes(p []byte) bool {
	if len(p) >= 6 && string(p[:6]) == "\x1b[200~" {
		return false // a bracketed paste
	}
	for i, c := range p {
		switch {
		case c == '\r' || c == '\n':
			return true
		case c >= '1' && c <= '9' && int(c-'0') <= d.options:
			return true
		case c == 0x1b:
			// A lone Esc, not the start of an arrow or function key sequence.
			if i+1 >= len(p) || (p[i+1] != '[' && p[i+1] != 'O') {
				return true
			}
		}
	}
	return false
}

// refuses reports whether the key in p that d takes refuses: a lone Esc,
// the "No" option's digit, or Enter with the pointer on "No". Claude Code
// then interrupts the turn and waits for its person.
func (d dialog) refuses(p []byte) bool {
	for i, c := range p {
		switch {
		case c == '\r' || c == '\n':
			return d.no > 0 && d.pointer == d.no
		case c >= '1' && c <= '9' && int(c-'0') <= d.options:
			return int(c-'0') == d.no
		case c == 0x1b && (i+1 >= len(p) || (p[i+1] != '[' && p[i+1] != 'O')):
			return true
		}
	}
	return false
}

// signature is what Claude Code's dialog for a tool use shows of it, spaces
// removed and cut short (a long value is wrapped or cut on screen): the
// command, the file's name, the first question. "" when ct does not know
// what the dialog shows.
func signature(tool string, input json.RawMessage) string {
	var in struct {
		Command   string `json:"command"`
		FilePath  string `json:"file_path"`
		URL       string `json:"url"`
		Pattern   string `json:"pattern"`
		Questions []struct {
			Question string `json:"question"`
		} `json:"questions"`
	}
	_ = json.Unmarshal(input, &in)
	var s string
	switch {
	case tool == toolAskUser && len(in.Questions) > 0:
		s = in.Questions[0].Question
	case in.Command != "":
		s = in.Command
	case in.FilePath != "":
		s = filepath.Base(in.FilePath)
	case in.URL != "":
		s = in.URL
	case in.Pattern != "":
		s = in.Pattern
	}
	s = squeeze(s)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40])
	}
	return s
}

// shows reports whether d is about q: q's signature is on screen above
// the options.
func (d dialog) shows(q *question) bool {
	return q.sig != "" && strings.Contains(d.text, q.sig)
}
