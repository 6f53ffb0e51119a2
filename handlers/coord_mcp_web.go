package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/views"
)

// handleMCPPage is /mcp: the live proxied MCP servers, who hosts each,
// the tools other peers may call, the host's allow-list and the calls
// routed, the same list as GET /api/v1/mcp/servers.
func (s *Server) handleMCPPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.peerOf(r); err != nil {
		return coordErr(err)
	}
	var rows []views.MCPServerRow
	for _, m := range s.mcpProxy.Servers() {
		row := views.MCPServerRow{Name: m.Name, Host: m.Host, AllowTools: m.AllowTools, Offered: m.Offered, Calls: m.Calls,
			Registered: m.Registered.UTC().Format("2006-01-02 15:04 UTC")}
		for _, t := range m.Tools {
			row.Tools = append(row.Tools, views.MCPToolRow{Name: t.Name, Description: t.Description})
		}
		rows = append(rows, row)
	}
	return render(w, r, views.MCPPage(rows))
}
