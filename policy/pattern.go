package policy

import (
	"fmt"
	"regexp"
	"strings"
)

// maxPattern bounds one pattern; a rule names a command, a path or a host,
// not a document.
const maxPattern = 1000

// pattern is a compiled glob or regexp; the zero value matches anything.
type pattern struct {
	src string
	re  *regexp.Regexp
}

// compile turns a rule's pattern text into a matcher: "re:" + RE2 anchored
// at both ends, or a glob where * is any run of characters (slashes too)
// and ? is one character.
func compile(field, s string) (pattern, error) {
	if s == "" {
		return pattern{}, nil
	}
	if len(s) > maxPattern {
		return pattern{}, fmt.Errorf("%s pattern is %d bytes; at most %d", field, len(s), maxPattern)
	}
	expr, isRe := strings.CutPrefix(s, "re:")
	if !isRe {
		expr = globExpr(s)
	}
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return pattern{}, fmt.Errorf("%s pattern %q is not a valid regular expression (%v); write RE2 syntax after \"re:\", or drop \"re:\" for a glob", field, s, err)
	}
	return pattern{src: s, re: re}, nil
}

// globExpr is the RE2 expression for a glob (RE2 runs in linear time, so
// no pattern can make matching slow).
func globExpr(g string) string {
	var b strings.Builder
	b.WriteString("(?s)")
	for _, c := range g {
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

func (p pattern) empty() bool    { return p.re == nil }
func (p pattern) isRegexp() bool { return strings.HasPrefix(p.src, "re:") }

// match reports whether v matches; a set pattern never matches "" (a rule
// on commands does not match a tool that has none).
func (p pattern) match(v string) bool {
	if p.re == nil {
		return true
	}
	return v != "" && p.re.MatchString(v)
}

// String is the pattern as written.
func (p pattern) String() string { return p.src }
