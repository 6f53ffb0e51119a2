package views

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// boolStr is b as an ARIA state ("true" or "false").
func boolStr(b bool) string { return strconv.FormatBool(b) }

// adminList names who can grant access: "an admin (ann or bob)", or "an
// admin" when their names are not known.
func adminList(admins []string) string {
	switch len(admins) {
	case 0:
		return "an admin"
	case 1:
		return "your admin, " + admins[0] + ","
	}
	return "an admin (" + strings.Join(admins[:len(admins)-1], ", ") + " or " + admins[len(admins)-1] + ")"
}

// firstLineOf is s up to its first newline, cut to 80 runes.
func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }
