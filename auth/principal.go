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

// CanSee reports whether p may watch sessions of machine.
func (p Principal) CanSee(machine string) bool {
	if p.Kind == KindMachine || p.Kind == KindAgent {
		return false // machine tokens publish; an agent's credential coordinates only
	}
	return p.IsAdmin() || slices.Contains(p.Grants, AllMachines) || slices.Contains(p.Grants, machine)
}

// CanDrive reports whether p may type into and answer prompts of machine.
func (p Principal) CanDrive(machine string) bool {
	return p.CanSee(machine) && RoleRank(p.Role) >= RoleRank(RoleMember)
}
