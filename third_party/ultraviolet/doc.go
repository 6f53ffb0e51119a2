// Package uv (Ultraviolet) is a library for creating terminal-based user
// interfaces in Go.
package uv
