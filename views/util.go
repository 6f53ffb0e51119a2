package views

import "strconv"

func itoa(n int) string { return strconv.Itoa(n) }

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
