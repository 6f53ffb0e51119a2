// Package static embeds the browser assets: stylesheet, the small script for
// what htmx cannot do, and vendored htmx with its SSE extension. It owns no
// logic. sw.js (the service worker) is also served at /sw.js so its scope
// is the whole site.
package static

import "embed"

// FS holds every asset, served under /static/.
//
//go:embed app.css pages.css team.css composer.css app.js forms.js session.js changes.js composer.js share.js vendor/* sw.js manifest.webmanifest offline.html icons/*.png
var FS embed.FS
