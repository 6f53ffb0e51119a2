package auth

import "slices"

// Roles, from most to least powerful.
const (
	RoleAdmin  = "admin"  // everything: users, tokens, every machine
	RoleMember = "member" // sees and drives granted machines, approves their prompts
	RoleViewer = "viewer" // watches granted machines; cannot type or approve
)

// AllMachines in a grant list means every machine.
const AllMachines = "*"

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// RoleRank orders roles; higher is more powerful.
func RoleRank(r string) int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Principal is who a request acts as.
type Principal struct {
	User    string   // the person (for API and machine tokens: who made it)
	Role    string   // effective role (an API token may have less than its maker)
	Grants  []string // machines the person may see; AllMachines for all
	Kind    string   // KindSession (browser), KindAPI, KindMachine or KindAgent
	TokenID string   // the token or browser session used
	Machine string   // for machine and agent tokens: the one machine it may publish as / runs on
	Session string   // for agent tokens: the session it was minted for
}

// IsAdmin reports whether p is an admin.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

// CanSee reports whether p may watch sessions of machine. An agent's
// credential sees what the person it belongs to sees (ct mcp's
// list_sessions, read_screen, read_transcript); a machine token sees nothing.
func (p Principal) CanSee(machine string) bool {
	if p.Kind == KindMachine {
		return false // machine tokens publish
	}
	return p.granted(machine)
}

// CanDrive reports whether p may type into and answer prompts of machine.
// Never for an agent's credential: an agent does not decide prompts, and
// its input goes through OwnerCanDrive and the wheel instead.
func (p Principal) CanDrive(machine string) bool {
	return p.Kind != KindAgent && p.CanSee(machine) && RoleRank(p.Role) >= RoleRank(RoleMember)
}

// OwnerCanDrive reports whether the person p acts for may drive machine:
// for an agent's credential, its owner. send_input (with the owner holding
// the wheel) and start_session check it; prompts never do.
func (p Principal) OwnerCanDrive(machine string) bool {
	return p.Kind != KindMachine && p.granted(machine) && RoleRank(p.Role) >= RoleRank(RoleMember)
}

// granted reports whether p's role or grants cover machine.
func (p Principal) granted(machine string) bool {
	return p.IsAdmin() || slices.Contains(p.Grants, AllMachines) || slices.Contains(p.Grants, machine)
}
