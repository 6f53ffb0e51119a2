package notify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// DialPolicy says which addresses the notifier may connect to. Every user
// chooses their own ntfy URL and their browsers choose push endpoints, so
// without a policy any account could make the hub POST to its own loopback
// services, the LAN or a cloud metadata endpoint (SSRF). The zero value is
// the safe default: public addresses only.
type DialPolicy struct {
	// AllowPrivate lets ntfy (never Web Push) reach private addresses
	// (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and this host's
	// loopback: an admin's self-hosted ntfy on the LAN, the tailnet or next
	// to the hub (ct serve --allow-private-notify). Link-local and cloud
	// metadata addresses stay refused.
	AllowPrivate bool
	// AllowLoopback lets both reach 127.0.0.0/8 and ::1, and lets Web Push
	// use plain http there. Tests only: their fake servers run on 127.0.0.1.
	AllowLoopback bool
}

// ErrRefusedAddress is returned when a notification would go to an address
// the policy refuses.
var ErrRefusedAddress = errors.New("notification address refused")

// metadata are cloud instance-metadata addresses; link-local covers the
// IPv4 one, the IPv6 ones are listed.
var metadata = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"), // AWS over IPv6
}

// cgnat is 100.64.0.0/10 (Tailscale and carrier NAT): private, not public.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// ntfyHint is what a refused private ntfy address tells the admin.
const ntfyHint = "an admin may allow a private ntfy with ct serve --allow-private-notify (never for Web Push)"

// check says why ip may not be dialled, or nil. private: the caller may
// reach private ranges (ntfy with AllowPrivate).
func (p DialPolicy) check(ip netip.Addr, private bool) error {
	return p.checkHint(ip, private, ntfyHint)
}

// Check says why ip may not be dialled by a sender that may reach private
// ranges (and this host) when private is set, or nil; hint is what a
// refusal tells the admin (the flag that allows it).
func (p DialPolicy) Check(ip netip.Addr, private bool, hint string) error {
	return p.checkHint(ip, private, hint)
}

func (p DialPolicy) checkHint(ip netip.Addr, private bool, hint string) error {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		if p.AllowLoopback || private {
			return nil
		}
		return fmt.Errorf("%w: %s is a loopback address (the hub itself); %s", ErrRefusedAddress, ip, hint)
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || containsAddr(metadata, ip):
		return fmt.Errorf("%w: %s is link-local or a cloud metadata address", ErrRefusedAddress, ip)
	case ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is not a unicast address", ErrRefusedAddress, ip)
	case ip.IsPrivate() || cgnat.Contains(ip):
		if private {
			return nil
		}
		return fmt.Errorf("%w: %s is a private address; %s", ErrRefusedAddress, ip, hint)
	}
	return nil
}

func containsAddr(list []netip.Addr, ip netip.Addr) bool {
	for _, a := range list {
		if a == ip {
			return true
		}
	}
	return false
}

// client returns an HTTP client that checks every address it connects to
// after DNS resolution (in the dialer's Control hook, so a name that
// resolves to a public address at check time and a private one at dial time
// — DNS rebinding — is still refused) and never follows redirects (a
// public server could otherwise redirect the hub to 127.0.0.1). No proxy:
// the check would see the proxy's address, not the destination's.
func (p DialPolicy) client(private bool) *http.Client { return p.Client(private, ntfyHint) }

// Client is the checked HTTP client (see client) for another outbound
// sender, such as outbound webhooks: private allows private ranges and
// this host; hint is what a refusal tells the admin.
func (p DialPolicy) Client(private bool, hint string) *http.Client {
	d := &net.Dialer{
		Timeout: sendTimeout,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: cannot parse %q", ErrRefusedAddress, address)
			}
			return p.checkHint(ap.Addr(), private, hint)
		},
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: sendTimeout,
		MaxIdleConns:        maxSenders,
		IdleConnTimeout:     90 * time.Second, // push services keep connections warm
	}
	return &http.Client{
		Transport: tr,
		Timeout:   sendTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a 3xx is an answer, never followed
		},
	}
}

// CheckPushEndpoint says what is wrong with a Web Push endpoint, or "":
// https only (plain http on loopback when the policy allows loopback).
func (p DialPolicy) CheckPushEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not a URL"
	}
	if u.Scheme == "https" {
		return ""
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && ip.IsLoopback() && p.AllowLoopback && u.Scheme == "http" {
		return ""
	}
	return "push endpoints must use https"
}
