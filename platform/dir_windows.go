//go:build windows

package platform

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// RestrictDir makes dir reachable by this user only: it replaces the
// directory's inherited ACL with a protected one that grants full access to
// the current user's SID and nobody else (files and sockets made inside
// inherit it). Mode bits mean nothing on Windows, so this is what 0700 is
// on Unix. Administrators can still take ownership, as root can on Unix.
func RestrictDir(dir string) error {
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return fmt.Errorf("who is this process (for the ACL of %s): %w", dir, err)
	}
	// D:P = a protected DACL (no inheritance from the parent);
	// OICI = inherited by files and subdirectories; FA = full access.
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;" + u.User.Sid.String() + ")")
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	info := windows.SECURITY_INFORMATION(windows.DACL_SECURITY_INFORMATION | windows.PROTECTED_DACL_SECURITY_INFORMATION)
	if err := windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT, info, nil, nil, dacl, nil); err != nil {
		return fmt.Errorf("make %s private to this user (set its ACL): %w", dir, err)
	}
	return nil
}

// OwnedByOther reports whether fi belongs to another user. Windows file
// info carries no owner; RestrictDir, which only the owner (or an
// administrator) may call on a directory, is the check there.
func OwnedByOther(fi os.FileInfo) bool { return false }
