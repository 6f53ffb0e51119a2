// Package geminitest runs the real Gemini CLI offline for tests: Binary
// finds the pinned CLI (a skip, or a failure with CT_REQUIRE_GEMINI set),
// FakeAPI serves a scripted Gemini API on 127.0.0.1, and Home builds an
// isolated HOME whose settings point the CLI at it. Besides claudetest (the
// repository root, tmux) it imports none of ct's packages: tests of any
// package use it.
package geminitest
