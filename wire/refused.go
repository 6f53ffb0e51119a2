package wire

// TypeIngestRefused tells a wrap that the hub keeps only a record of the
// session's output, not the bytes: the session or its machine is over its
// byte quota, or the hub's disk is below its free-space floor. The events
// are still acknowledged (stored as pty.dropped records of their size), so
// the session goes on and ends normally on the hub.
const TypeIngestRefused = "ingest.refused"

// IngestRefused is ingest.refused's payload.
type IngestRefused struct {
	Reason  string `json:"reason"`  // session-quota | machine-quota | disk
	Message string `json:"message"` // for the person at the workstation
}
