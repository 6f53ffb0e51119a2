package ptywrap

import "github.com/ct-dev/ct/wire"

// Files answers the hub's shared-files requests for the directories this
// session shares (fileshare.Share does: ct wrap --share-dir).
type Files interface {
	// Names are the shared roots, declared in session.start.
	Names() []string
	// Answer answers a files.list or files.get envelope; it reads the disk.
	Answer(e wire.Envelope) (wire.Envelope, bool)
}

// ApprovedFiles is Files that may ask for each read to be approved by the
// session's person (fileshare.Share with Approve set).
type ApprovedFiles interface {
	NeedsApproval() bool
}

// fileReaders bounds the shared-file requests answered at once: each holds
// up to a 1 MiB file in memory, and the hub bounds its own side too.
const fileReaders = 4

// answerFiles answers one files.* request off the read loop (a read from
// a slow disk must not hold up acks and input). Over fileReaders at once,
// or with nothing shared, the answer says so at once.
func (st *streamer) answerFiles(e wire.Envelope) {
	if st.files == nil {
		if reply, ok := refuseFiles(e, wire.ReasonNoShares, "this peer shares no files: its person can start ct wrap with --share-dir DIR"); ok {
			st.sendUrgent(reply)
		}
		return
	}
	select {
	case st.fileSlots <- struct{}{}:
	default:
		if reply, ok := refuseFiles(e, wire.ReasonFailed, "the workstation is busy answering other file requests; ask again in a moment"); ok {
			st.sendUrgent(reply)
		}
		return
	}
	go func() {
		defer func() { <-st.fileSlots }()
		if reply, ok := st.files.Answer(e); ok {
			reply.SessionID = st.sessionID
			st.sendUrgent(reply)
		}
	}()
}

// refuseFiles answers request e with an error only.
func refuseFiles(e wire.Envelope, reason, msg string) (wire.Envelope, bool) {
	var req wire.FilesRequest
	_ = e.Decode(&req)
	var reply wire.Envelope
	switch e.Type {
	case wire.TypeFilesList:
		reply, _ = wire.New(wire.TypeFilesListed, wire.FilesListed{Request: req.Request, Path: req.Path, Entries: []wire.FileEntry{}, Error: msg, Reason: reason})
	case wire.TypeFilesGet:
		reply, _ = wire.New(wire.TypeFilesGot, wire.FilesGot{Request: req.Request, Path: req.Path, Error: msg, Reason: reason})
	default:
		return wire.Envelope{}, false
	}
	return reply, true
}
