// Package static embeds the browser assets: stylesheet, the small script for
// what htmx cannot do, and vendored htmx with its SSE extension. It owns no
// logic.
package static

import "embed"

// FS holds every asset, served under /static/.
//
//go:embed app.css app.js vendor/*
var FS embed.FS
