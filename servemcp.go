package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/ct-dev/ct/mcpproxy"
)

// mcpProxyFlags adds the MCP proxy's limits to fs (flag > env > default):
// how long a proxied tool call may take and how large its args and result
// may be.
func mcpProxyFlags(fs *flag.FlagSet, getenv func(string) string, l *mcpproxy.Limits, stderr io.Writer) error {
	l.CallTimeout, l.MaxBytes = mcpproxy.DefaultCallTimeout, mcpproxy.DefaultMaxBytes
	if err := durationEnv(getenv, "CT_MCP_CALL_TIMEOUT", &l.CallTimeout, stderr); err != nil {
		return err
	}
	if v := getenv("CT_MCP_MAX_BYTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "ct serve: CT_MCP_MAX_BYTES=%q must be a positive number of bytes, such as 262144\n", v)
			return errUsage
		}
		l.MaxBytes = n
	}
	fs.DurationVar(&l.CallTimeout, "mcp-call-timeout", l.CallTimeout, "answer a proxied MCP tool call as timed out after this; callers wait at most 5m (env CT_MCP_CALL_TIMEOUT)")
	fs.IntVar(&l.MaxBytes, "mcp-max-bytes", l.MaxBytes, "largest args and result of one proxied MCP tool call, in bytes; at most 262144 fits a request (env CT_MCP_MAX_BYTES)")
	return nil
}

// checkMCPProxy validates the limits after parsing.
func checkMCPProxy(l mcpproxy.Limits, stderr io.Writer) error {
	if l.CallTimeout <= 0 || l.MaxBytes <= 0 {
		fmt.Fprintln(stderr, "ct serve: --mcp-call-timeout and --mcp-max-bytes must be positive")
		return errUsage
	}
	return nil
}
