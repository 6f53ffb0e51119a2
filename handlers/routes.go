package handlers

import (
	"net/http"

	"github.com/ct-dev/ct/screen"
	"github.com/ct-dev/ct/static"
	"github.com/go-chi/chi/v5"
)

// routes lists every route ct serves. Only the routes above the
// authenticated group are reachable without logging in. It is long on
// purpose: one list, read top to bottom, is the map of the HTTP surface
// (and what the route-walk tests check against).
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(trustedProxy(s.trusted))
	r.Use(securityHeaders)
	r.Use(bodyTimeout(s.bodyTimeout)) // slow bodies; streams have no body
	r.Use(s.meters.count)             // open streams and sockets, for /metrics

	// Public: health, assets, logging in, first-start setup.
	r.Get("/healthz", s.handleHealth)
	r.Handle("/static/*", http.StripPrefix("/static/", cacheAssets(http.FileServerFS(static.FS))))
	palette := screen.PaletteCSS()
	r.Get("/static/palette.css", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(palette))
	})
	r.Get("/login", s.page(s.handleLoginShow))
	r.Post("/login", s.page(s.handleLoginCreate))
	r.Get("/setup", s.page(s.handleSetupShow))
	r.Post("/setup", s.page(s.handleSetupCreate))
	// Token creation also takes name+password (HTTP Basic) for ct token create / ct login.
	r.With(s.basicAuth).Post("/api/v1/tokens", s.api(s.handleAPITokenCreate))
	// Inbound webhooks: the secret in the path is the credential (stored hashed).
	r.Post("/hooks/{hook}/{secret}", s.api(s.handleHookDeliver))
	// The service worker from the site's root, so its scope is the whole site.
	r.Get("/sw.js", serveServiceWorker)
	// One-tap Approve/Deny from a notification: the signed single-use token is the credential.
	r.Post("/a/{token}", s.handleLinkDecide)
	// ct's own binaries and ct login --code: a login, a token or a pairing code is the credential (pair.go).
	r.Get("/download/{os}/{arch}", s.page(s.handleDownload))
	r.Post("/api/v1/pair", s.api(s.handleAPIPairRedeem))
	// A read-only share link of one session: the token in the path is the credential (share.go).
	r.Get("/v/{token}", s.page(s.handleShareShow))
	r.Head("/v/{token}", s.page(s.handleShareShow)) // share.js asks whether the link still works
	r.Get("/v/{token}/events", s.handleShareEvents)
	r.Get("/v/{token}/log", s.page(s.handleShareLog)) // the shared session's log (share_live.go)

	r.Group(func(r chi.Router) {
		r.Use(s.requireAuth)
		r.Use(s.withNav) // the app bar on every page (handlers/nav.go)

		// Pages and fragments for browsers.
		r.Get("/", s.page(s.handleLobbyShow))
		r.Get("/s/{id}", s.page(s.handleSessionShow))
		r.Post("/s/{id}/input", s.page(s.handleSessionInput))
		r.Post("/s/{id}/compose", s.page(s.handleSessionCompose))
		r.Get("/s/{id}/attach/{att}", s.page(s.handleAttachmentShow))
		r.Post("/s/{id}/settings", s.page(s.handleSessionSettings))
		r.Post("/s/{id}/wheel", s.page(s.handleSessionWheel))
		r.Post("/s/{id}/fit", s.page(s.handleSessionFit))
		r.Get("/s/{id}/title", s.page(s.handleSessionTitleShow))
		r.Get("/s/{id}/changes", s.page(s.handleSessionChanges))
		r.Get("/s/{id}/changes/git", s.page(s.handleSessionGit))
		r.Post("/s/{id}/title", s.page(s.handleSessionTitleSave))
		// A session's life: stop, archive, forget, share links (session_life.go, share.go).
		r.Get("/s/{id}/manage", s.page(s.handleSessionManageShow))
		r.Post("/s/{id}/interrupt", s.page(s.handleSessionInterrupt))
		r.Post("/s/{id}/stop", s.page(s.handleSessionStop))
		r.Post("/s/{id}/archive", s.page(s.handleSessionArchive))
		r.Post("/s/{id}/forget", s.page(s.handleSessionForget))
		r.Post("/s/{id}/resume", s.page(s.handleSessionResume)) // session_resume.go: resume or fork on its node
		r.Post("/s/{id}/shares", s.page(s.handleShareCreate))
		r.Post("/s/{id}/shares/{share}/revoke", s.page(s.handleShareRevoke))
		r.Get("/archived", s.page(s.handleArchivedShow))
		r.Get("/approvals", s.page(s.handleApprovalsShow))
		// The lobby's coordination panel (handlers/coord_web.go).
		r.Get("/coord/panel", s.page(s.handleCoordPanel))
		r.Post("/coord/messages", s.page(s.handleCoordMessageCreate))
		r.Post("/coord/todos", s.page(s.handleCoordTodoCreate))
		r.Post("/coord/todos/{todo}/done", s.page(s.handleCoordTodoDone))
		r.Get("/inbox", s.page(s.handleInboxShow))
		r.Get("/skills", s.page(s.handleSkillsPage))
		r.Post("/inbox/send", s.page(s.handleInboxSend))
		r.Post("/inbox/{msg}/ack", s.page(s.handleInboxAck))
		r.Get("/inbox/list", s.page(s.handleInboxList)) // the live parts (coord_inbox_live.go)
		r.Get("/inbox/private", s.page(s.handleInboxPrivate))
		r.Post("/inbox/{msg}/read", s.page(s.handleInboxRead))
		r.Get("/inbox/typing", s.page(s.handleInboxTypingShow))
		r.Post("/inbox/typing", s.page(s.handleInboxTypingSet))
		r.Get("/team", s.page(s.handleTeamShow)) // the Team page (team.go)
		r.Get("/team/list", s.page(s.handleTeamList))
		r.Get("/team/p/*", s.page(s.handleTeamPeerShow))
		r.Get("/mcp", s.page(s.handleMCPPage)) // the proxied MCP servers (coord_mcp_web.go)
		r.Post("/inbox/reminders", s.page(s.handleInboxReminderAdd))
		r.Post("/inbox/reminders/{reminder}/delete", s.page(s.handleInboxReminderDelete))
		r.Get("/p/{id}", s.page(s.handlePromptShow))
		r.Post("/p/{id}/decide", s.page(s.handlePromptDecide))
		r.Post("/logout", s.page(s.handleLogout))
		r.Get("/account", s.page(s.handleAccountShow))
		r.Post("/account/password", s.page(s.handleAccountPassword))
		r.Get("/tokens", s.page(s.handleTokensShow))
		r.Post("/tokens", s.page(s.handleTokenCreate))
		r.Post("/tokens/{id}/revoke", s.page(s.handleTokenRevoke))
		r.Get("/pair", s.page(s.handlePairShow))
		r.Post("/pair", s.page(s.handlePairCreate))
		r.Get("/settings", s.page(s.handleSettingsShow))
		r.Post("/settings", s.page(s.handleSettingsSave))
		r.Post("/settings/push", s.page(s.handlePushSubscribe))
		r.Post("/settings/push/delete", s.page(s.handlePushUnsubscribe))
		r.Group(func(r chi.Router) {
			r.Use(s.requireAdmin)
			r.Get("/admin/users", s.page(s.handleUsersShow))
			r.Post("/admin/users", s.page(s.handleUserCreate))
			r.Post("/admin/users/{name}", s.page(s.handleUserUpdate))
			r.Get("/admin/audit", s.page(s.handleAuditShow))
			r.Get("/admin/webhooks", s.page(s.handleWebhooksShow))
			r.Post("/admin/webhooks", s.page(s.handleWebhookCreate))
			r.Post("/admin/webhooks/{hook}/delete", s.page(s.handleWebhookDelete))
			r.Get("/admin/policy", s.page(s.handlePolicyShow))
			r.Post("/admin/policy", s.page(s.handlePolicySave))
		})

		// Live streams (r3labs/sse, one stream per open page).
		r.Get("/events/lobby", s.handleLobbyEvents)
		r.Get("/events/s/{id}", s.handleSessionEvents)
		r.Get("/events/approvals", s.handleApprovalsEvents)
		r.Get("/events/p/{id}", s.handlePromptEvents)

		// Workstations: one outbound WebSocket per ct wrap (machine tokens).
		r.Get("/ws/wrap", s.handleWrapSocket)
		// ct node's control connection (machine tokens); its sessions use /ws/wrap.
		r.Get("/ws/node", s.handleNodeSocket)
		r.Post("/n/{name}/sessions", s.page(s.handleNodeSessionCreate))
		r.Get("/n/{name}/resume", s.page(s.handleNodeResumePick)) // session_resume.go: past Claude conversations

		// JSON API for scripts and agents.
		r.Route("/api/v1", func(r chi.Router) {
			r.Get("/sessions", s.api(s.handleAPISessionsList))
			r.Get("/sessions/{id}", s.api(s.handleAPISessionShow))
			r.Get("/sessions/{id}/screen", s.api(s.handleAPISessionScreen))
			r.Get("/sessions/{id}/transcript", s.api(s.handleAPISessionTranscript))
			r.Get("/sessions/{id}/log", s.api(s.handleAPISessionLog))
			r.Post("/sessions/{id}/input", s.api(s.handleAPISessionInput))
			r.Post("/sessions/{id}/stop", s.api(s.handleAPISessionStop))
			r.Post("/sessions/{id}/archive", s.api(s.handleAPISessionArchive))
			r.Post("/sessions/{id}/restore", s.api(s.handleAPISessionRestore))
			r.Delete("/sessions/{id}", s.api(s.handleAPISessionForget))
			r.Get("/nodes", s.api(s.handleAPINodesList))
			r.Post("/nodes/{name}/sessions", s.api(s.handleAPINodeSessionCreate))
			r.Get("/nodes/{name}/agent-sessions", s.api(s.handleAPINodeAgentSessions))
			r.Get("/prompts", s.api(s.handleAPIPromptsList))
			r.Post("/prompts/{id}/decision", s.api(s.handleAPIPromptDecide))
			r.Delete("/tokens/{id}", s.api(s.handleAPITokenRevoke))
			// Coordination (handlers/coord*.go, docs/api.md).
			r.Get("/peers", s.api(s.handleAPIPeersList))
			r.Get("/peers/me", s.api(s.handleAPIPeerMe))
			r.Patch("/peers/me", s.api(s.handleAPIPeerUpdate))
			r.Put("/peers/remote", s.api(s.handleAPIRemotePeers))
			r.Get("/messages", s.api(s.handleAPIMessagesList))
			r.Post("/messages", s.idempotent(s.api(s.handleAPIMessageSend)))
			r.Get("/messages/{msg}", s.api(s.handleAPIMessageShow))
			r.Post("/messages/{msg}/ack", s.api(s.handleAPIMessageAck))
			r.Get("/events", s.handleAPIEvents)
			r.Get("/events/wait", s.api(s.handleAPIEventsWait))
			r.Get("/files", s.api(s.handleAPIFilesList))
			r.Get("/files/content", s.api(s.handleAPIFileGet))
			r.Get("/skills", s.api(s.handleAPISkillsList))
			r.Post("/skills", s.api(s.handleAPISkillShare))
			r.Get("/skills/{skill}", s.api(s.handleAPISkillShow))
			r.Get("/mcp/servers", s.api(s.handleAPIMCPServers))
			r.Post("/mcp/servers", s.api(s.handleAPIMCPRegister))
			r.Delete("/mcp/servers/{server}", s.api(s.handleAPIMCPUnregister))
			r.Post("/mcp/calls", s.api(s.handleAPIMCPCall))
			r.Get("/mcp/host/calls", s.api(s.handleAPIMCPPoll))
			r.Post("/mcp/host/calls/{call}/result", s.api(s.handleAPIMCPResult))
			r.Get("/clock", s.api(s.handleAPIClockShow))
			r.Post("/clock", s.api(s.handleAPIClockSet))
			r.Post("/clock/pause", s.api(s.handleAPIClockPause))
			r.Post("/clock/resume", s.api(s.handleAPIClockResume))
			r.Put("/clock/subscription", s.api(s.handleAPIClockSubscribe))
			r.Get("/clock/report", s.api(s.handleAPIClockReport))
			r.Get("/locks", s.api(s.handleAPILocksList))
			r.Post("/locks", s.api(s.handleAPILockAcquire))
			r.Delete("/locks/*", s.api(s.handleAPILockRelease))
			r.Get("/reservations", s.api(s.handleAPIReservationsList))
			r.Post("/reservations", s.api(s.handleAPIReserve))
			r.Post("/reservations/check", s.api(s.handleAPIReservationsCheck))
			r.Delete("/reservations/{reservation}", s.api(s.handleAPIReservationRelease))
			r.Get("/state/*", s.api(s.handleAPIStateGet))
			r.Put("/state/*", s.api(s.handleAPIStateSet))
			r.Get("/todos", s.api(s.handleAPITodosList))
			r.Post("/todos", s.idempotent(s.api(s.handleAPITodoAdd)))
			r.Patch("/todos/{todo}", s.idempotent(s.api(s.handleAPITodoUpdate)))
			r.Get("/reminders", s.api(s.handleAPIRemindersList))
			r.Post("/reminders", s.api(s.handleAPIReminderAdd))
			r.Delete("/reminders/{reminder}", s.api(s.handleAPIReminderDelete))
			r.Get("/hooks", s.api(s.handleAPIHooksList))
			r.Post("/hooks", s.api(s.handleAPIHookAdd))
			r.Delete("/hooks/{hook}", s.api(s.handleAPIHookDelete))
			r.Post("/hooks/{hook}/rotate", s.api(s.handleAPIHookRotate))
			// Outbound webhooks (admins; handlers/webhooks.go).
			r.With(s.requireAdmin).Get("/webhooks", s.api(s.handleAPIWebhooksList))
			r.With(s.requireAdmin).Post("/webhooks", s.api(s.handleAPIWebhookCreate))
			r.With(s.requireAdmin).Delete("/webhooks/{hook}", s.api(s.handleAPIWebhookDelete))
			r.With(s.requireAdmin).Get("/webhooks/{hook}/deliveries", s.api(s.handleAPIWebhookDeliveries))
			r.With(s.requireAdmin).Get("/admin/backup", s.api(s.handleAdminBackup)) // ct backup
			r.NotFound(s.api(func(http.ResponseWriter, *http.Request) error {
				return errorf(http.StatusNotFound, "no such API endpoint; see docs/api.md")
			}))
		})
	})
	// Unknown addresses: the site's error page (the API's own answers JSON above).
	r.NotFound(s.page(func(http.ResponseWriter, *http.Request) error {
		return errorf(http.StatusNotFound, "There is no page at this address. The lobby lists every machine and session you may see.")
	}))
	s.mux = r
	// Cross-site state changes are refused for every route: browsers send
	// Sec-Fetch-Site/Origin, which this checks; scripts with tokens send neither.
	return http.NewCrossOriginProtection().Handler(r)
}

// csp allows only ct's own embedded assets. Inline style attributes are
// allowed (true-colour terminal cells carry their colour that way); inline
// <style> and scripts are not.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders sets headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", csp)
		next.ServeHTTP(w, r)
	})
}

func cacheAssets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		next.ServeHTTP(w, r)
	})
}
