// Package platform owns the few operating-system calls ct needs that differ
// between Unix (Linux, macOS) and Windows: file locks, a directory only
// this user can open, a process detached from the terminal, the terminal's
// resize notifications and its VT output mode. Each is one function with a
// _unix.go and a _windows.go body, so no other package imports syscall for
// them or carries a build tag. It imports nothing of ct's.
package platform
