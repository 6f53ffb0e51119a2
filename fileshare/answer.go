package fileshare

import (
	"errors"

	"github.com/ct-dev/ct/wire"
)

// Answer answers one of the hub's files.list / files.get envelopes with
// the matching files.listed / files.got; ok is false for any other type.
// A nil Share answers that it shares nothing. It reads the disk, so call
// it off the connection's read loop.
func (s *Share) Answer(e wire.Envelope) (reply wire.Envelope, ok bool) {
	if e.Type != wire.TypeFilesList && e.Type != wire.TypeFilesGet {
		return wire.Envelope{}, false
	}
	var req wire.FilesRequest
	derr := e.Decode(&req)
	if derr != nil {
		derr = refused("the hub's request is malformed: %v", derr)
	}
	if s == nil || len(s.roots) == 0 {
		derr = &Error{Reason: wire.ReasonNoShares, Msg: "this peer shares no files: its person can start ct wrap with --share-dir DIR"}
	}
	if e.Type == wire.TypeFilesList {
		out := wire.FilesListed{Request: req.Request, Path: req.Path, Entries: []wire.FileEntry{}}
		err := derr
		if err == nil {
			out, err = s.List(req.Path)
			out.Request = req.Request
		}
		out.Error, out.Reason = why(err)
		reply, _ = wire.New(wire.TypeFilesListed, out)
		return reply, true
	}
	out := wire.FilesGot{Request: req.Request, Path: req.Path}
	var data []byte
	err := derr
	if err == nil {
		data, err = s.Read(req.Path)
	}
	out.Size = int64(len(data))
	out.Error, out.Reason = why(err)
	reply, _ = wire.New(wire.TypeFilesGot, out)
	reply.Data = data
	return reply, true
}

// why splits a refusal into its message and reason ("" for none).
func why(err error) (msg, reason string) {
	if err == nil {
		return "", ""
	}
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Msg, fe.Reason
	}
	return err.Error(), wire.ReasonFailed
}
