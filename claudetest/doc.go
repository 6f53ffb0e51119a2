// Package claudetest runs the real Claude Code CLI offline for ct's end-to-end tests.
//
// It owns four test-only pieces: FakeAPI, a scripted stand-in for the Anthropic Messages API on
// 127.0.0.1; Home and Env, an isolated HOME and environment that open the CLI straight at its
// prompt; Binary, which finds the CLI that package.json pins (npm ci at the repository root); and
// Tmux, a detached terminal to type into and read from.
//
// It must not import any other ct package, so that every package's tests can use it, and nothing
// outside _test.go files should import it.
package claudetest
