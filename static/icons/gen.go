//go:build ignore

// gen draws ct's app icons: a terminal prompt ">_" on the theme colour.
// Run from the repository root: go run static/icons/gen.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

var (
	bg     = color.RGBA{0x11, 0x14, 0x18, 0xff} // theme colour
	accent = color.RGBA{0x5e, 0xd0, 0x8a, 0xff}
)

func main() {
	for _, ic := range []struct {
		name     string
		size     int
		maskable bool
	}{{"icon-192.png", 192, false}, {"icon-512.png", 512, false}, {"maskable-192.png", 192, true}, {"maskable-512.png", 512, true}} {
		if err := write("static/icons/"+ic.name, draw(ic.size, ic.maskable)); err != nil {
			log.Fatal(err)
		}
	}
}

// draw paints the icon. Maskable icons fill the square and keep the glyph
// inside the central 60% (platforms crop to a circle of 80%); plain icons
// are a rounded square.
func draw(n int, maskable bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	f := float64(n)
	r := f * 0.18 // corner radius
	scale := 1.0
	if maskable {
		r, scale = 0, 0.75
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if inRounded(float64(x)+.5, float64(y)+.5, f, r) {
				img.Set(x, y, bg)
			}
		}
	}
	// The glyph, in units of the icon's size, centred and scaled.
	w := 0.075 * scale // stroke width
	c := 0.5
	at := func(u float64) float64 { return (c + (u-c)*scale) * f }
	stroke(img, at(0.25), at(0.3), at(0.45), at(0.5), w*f)   // upper arm of >
	stroke(img, at(0.45), at(0.5), at(0.25), at(0.7), w*f)   // lower arm of >
	stroke(img, at(0.52), at(0.72), at(0.76), at(0.72), w*f) // _
	return img
}

func inRounded(x, y, n, r float64) bool {
	cx, cy := clamp(x, r, n-r), clamp(y, r, n-r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

// stroke draws a thick line with round caps.
func stroke(img *image.RGBA, x0, y0, x1, y1, w float64) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px, py := float64(x)+.5, float64(y)+.5
			if dist(px, py, x0, y0, x1, y1) <= w/2 {
				img.Set(x, y, accent)
			}
		}
	}
}

// dist is the distance from p to the segment a-b.
func dist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := clamp(((px-ax)*dx+(py-ay)*dy)/(dx*dx+dy*dy), 0, 1)
	qx, qy := ax+t*dx-px, ay+t*dy-py
	return math.Hypot(qx, qy)
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
