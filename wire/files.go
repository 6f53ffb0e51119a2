package wire

// Shared files (issue 19 item 3): a peer reads files that another peer's
// ct wrap shares (--share-dir). The hub sends the request over the owning
// wrap's connection; the wrap reads its own disk and answers. Neither is
// sequenced: a request lives only as long as the connection it went out on.
const (
	TypeFilesList   = "files.list"   // hub → wrap: list a shared directory
	TypeFilesListed = "files.listed" // wrap → hub: the answer to one files.list
	TypeFilesGet    = "files.get"    // hub → wrap: read one shared file
	TypeFilesGot    = "files.got"    // wrap → hub: the answer to one files.get; the bytes in Data
)

// Limits of shared files, the same on both ends.
const (
	// MaxSharedFile is the largest file a peer may read: one frame's data.
	MaxSharedFile = MaxData
	// MaxListing is the most entries one listing answers; more are cut
	// and the answer says so (Truncated).
	MaxListing = 1000
	// MaxShares is the most directories one wrap may share.
	MaxShares = 32
	// MaxSharePath bounds a requested path, in bytes.
	MaxSharePath = 4096
)

// FilesRequest is files.list's and files.get's payload. Path is slash
// separated and relative: its first element is a share's root name
// ("" lists the roots).
type FilesRequest struct {
	Request string `json:"request"` // the hub's id for matching the answer
	Path    string `json:"path"`
	By      string `json:"by,omitempty"` // the peer that asks, for the wrap's log
}

// FileEntry is one entry of a listing.
type FileEntry struct {
	Name string `json:"name"`
	Type string `json:"type"` // "file", "dir", "symlink" (never followed) or "other"
	Size int64  `json:"size"`
}

// FilesListed is files.listed's payload: the entries, or why not.
type FilesListed struct {
	Request   string      `json:"request"`
	Path      string      `json:"path"`
	Entries   []FileEntry `json:"entries"`
	Truncated bool        `json:"truncated,omitempty"` // over MaxListing entries: the rest are not listed
	Error     string      `json:"error,omitempty"`
	Reason    string      `json:"reason,omitempty"` // with Error: one of the Reason* values
}

// FilesGot is files.got's payload; the file's bytes are the envelope's Data.
type FilesGot struct {
	Request string `json:"request"`
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	Error   string `json:"error,omitempty"`
	Reason  string `json:"reason,omitempty"` // with Error: one of the Reason* values
}

// Why a shared-files request was refused, so the hub can answer with the
// matching HTTP status.
const (
	ReasonNotFound = "not_found" // no such file, directory or root
	ReasonRefused  = "refused"   // outside the shares, a symbolic link, not a regular file
	ReasonTooLarge = "too_large" // over MaxSharedFile
	ReasonNoShares = "no_shares" // the wrap shares nothing
	ReasonFailed   = "failed"    // the workstation could not read it
)
