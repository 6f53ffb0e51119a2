// Command mcpecho is a tiny MCP server on stdio for the MCP proxy's
// end-to-end test: echo answers with its text (and whether a ct credential
// reached its environment), secret is a tool the test keeps off the
// allow-list.
package main

import (
	"context"
	"log"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type echoIn struct {
	Text string `json:"text"`
}

func main() {
	srv := mcp.NewServer(&mcp.Implementation{Name: "mcpecho", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "echo", Description: "Say text back."},
		func(_ context.Context, _ *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
			cred := "absent"
			if os.Getenv("CT_TOKEN") != "" || os.Getenv("CT_API_TOKEN") != "" {
				cred = "present"
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "echo: " + in.Text + " (ct credential " + cred + ")"}}}, nil, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "secret", Description: "Never to be proxied."},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "the secret"}}}, nil, nil
		})
	if err := srv.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		log.Print(err)
	}
}
