package coord

import (
	"regexp"
	"sync"
)

// secretPatterns recognise credentials that must never travel in a message.
// Each names what it found so the sender knows what to remove. Compiled on
// first use, not at start: every ct process (ct hook runs for each Claude
// Code event) would otherwise pay ~1 ms to compile them.
var secretPatterns = sync.OnceValue(func() []secretPattern {
	return []secretPattern{
		{"a ct token", regexp.MustCompile(`\bct[amsx]_[0-9a-f]{8,}_[A-Za-z0-9_\-]{16,}`)},
		{"an AWS access key", regexp.MustCompile(`\b(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b`)},
		{"an AWS secret key", regexp.MustCompile(`(?i)aws_?secret_?access_?key\s*[:=]\s*\S{20,}`)},
		{"a private key", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)},
		{"a GitHub token", regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})`)},
		{"a Slack token", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
		{"an OpenAI or Anthropic key", regexp.MustCompile(`\bsk-(proj-|ant-|live-)?[A-Za-z0-9_\-]{20,}`)},
		{"a Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`)},
		{"a Stripe key", regexp.MustCompile(`\b[rs]k_live_[0-9A-Za-z]{20,}`)},
		{"a JSON web token", regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}`)},
	}
})

type secretPattern struct {
	name string
	re   *regexp.Regexp
}

// checkSecrets refuses text that looks like it carries a credential.
func checkSecrets(field, text string) error {
	for _, p := range secretPatterns() {
		if p.re.MatchString(text) {
			return errf(Invalid, "the %s looks like it contains %s; messages never carry credentials: remove it (share secrets through your secret store) and send again", field, p.name)
		}
	}
	return nil
}
