package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkGeminiApproval measures Gemini's approval round trip: from a
// person's allow on the hub (POST .../decision) to the command's file on
// disk, through the hook's release, Gemini's dialog seen on the wrap's
// screen and the Enter typed into it. One real Gemini CLI under ct wrap
// answers 5 questions. Figures are reported, never asserted (BENCHMARKS.md).
//
//	go test ./e2e -run '^$' -bench GeminiApproval -benchtime 1x
func BenchmarkGeminiApproval(b *testing.B) {
	const n = 5
	for i := range b.N {
		g := startGemini(b)
		var took []time.Duration
		for j := range n {
			took = append(took, g.approve(b, fmt.Sprintf("bench%d%d", i, j)))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[n/2].Microseconds())/1000, "median-ms")
		b.ReportMetric(float64(took[n-1].Microseconds())/1000, "max-ms")
		b.ReportMetric(float64(took[0].Microseconds())/1000, "min-ms")
	}
}
