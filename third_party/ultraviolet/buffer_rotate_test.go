package uv

import (
	"math/rand"
	"strconv"
	"testing"
)

// refMoveLines is the cell-by-cell line move the buffer did before whole
// lines were rotated: the reference the rotation must match.
func refMoveLines(b *Buffer, y, n int, area Rectangle, insert bool) {
	if insert {
		for i := area.Max.Y - 1; i >= y+n; i-- {
			for x := area.Min.X; x < area.Max.X; x++ {
				b.Lines[i][x] = b.Lines[i-n][x]
			}
		}
		for i := y; i < y+n; i++ {
			for x := area.Min.X; x < area.Max.X; x++ {
				b.SetCell(x, i, nil)
			}
		}
		return
	}
	for dst := y; dst < area.Max.Y-n; dst++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			b.Lines[dst][x] = b.Lines[dst+n][x]
		}
	}
	for i := area.Max.Y - n; i < area.Max.Y; i++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			b.SetCell(x, i, nil)
		}
	}
}

func numbered(w, h int) *Buffer {
	b := NewBuffer(w, h)
	for y := range h {
		for x := range w {
			c := Cell{Content: strconv.Itoa((y*w + x) % 10), Width: 1}
			b.SetCell(x, y, &c)
		}
	}
	return b
}

func sameBuffer(t *testing.T, got, want *Buffer, what string) {
	t.Helper()
	for y := range want.Lines {
		for x := range want.Lines[y] {
			if !got.Lines[y][x].Equal(&want.Lines[y][x]) {
				t.Fatalf("%s: cell (%d,%d) = %q, want %q", what, x, y, got.Lines[y][x].Content, want.Lines[y][x].Content)
			}
		}
	}
}

// TestLineMovesMatchCellCopy checks that InsertLineArea and DeleteLineArea
// give the same buffer as the cell-by-cell move for whole-width regions
// (rotated) and partial ones (copied), over random regions and counts.
func TestLineMovesMatchCellCopy(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := range 2000 {
		w, h := 1+rng.Intn(12), 1+rng.Intn(12)
		top := rng.Intn(h)
		bottom := top + 1 + rng.Intn(h-top)
		left, right := 0, w
		if rng.Intn(3) == 0 {
			left = rng.Intn(w)
			right = left + 1 + rng.Intn(w-left)
		}
		area := Rect(left, top, right-left, bottom-top)
		y := top + rng.Intn(bottom-top)
		n := 1 + rng.Intn(h+2)
		insert := rng.Intn(2) == 0
		got, want := numbered(w, h), numbered(w, h)
		if insert {
			got.InsertLineArea(y, n, nil, area)
		} else {
			got.DeleteLineArea(y, n, nil, area)
		}
		refMoveLines(want, y, min(n, area.Max.Y-y), area, insert)
		sameBuffer(t, got, want, "case "+strconv.Itoa(i))
		// A rotated buffer must not share a line between two rows.
		seen := map[*Cell]int{}
		for r, l := range got.Lines {
			if prev, ok := seen[&l[0]]; ok {
				t.Fatalf("case %d: rows %d and %d share one line", i, prev, r)
			}
			seen[&l[0]] = r
		}
	}
}
