package handlers

import (
	"context"
	"net"
	"net/http"
	"strings"
)

const secureKey ctxKey = 2

// clientAddr is the client's IP address (after trustedProxy rewrote it).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isSecure reports whether the client reached ct over HTTPS, directly or
// through a trusted proxy that says so.
func isSecure(r *http.Request) bool {
	on, _ := r.Context().Value(secureKey).(bool)
	return r.TLS != nil || on
}

// trustedProxy takes the client address and scheme from X-Forwarded-For and
// X-Forwarded-Proto, but only from peers in trusted (a reverse proxy or
// tailscale serve); anyone else could forge them.
func trustedProxy(trusted []*net.IPNet) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := net.ParseIP(clientAddr(r))
			if ip == nil || !inNets(ip, trusted) {
				next.ServeHTTP(w, r)
				return
			}
			if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
				// The rightmost address not itself a trusted proxy is the client.
				hops := strings.Split(fwd, ",")
				for i := len(hops) - 1; i >= 0; i-- {
					h := net.ParseIP(strings.TrimSpace(hops[i]))
					if h == nil {
						break
					}
					if !inNets(h, trusted) || i == 0 {
						r.RemoteAddr = net.JoinHostPort(h.String(), "0")
						break
					}
				}
			}
			if strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
				r = r.WithContext(context.WithValue(r.Context(), secureKey, true))
			}
			next.ServeHTTP(w, r)
		})
	}
}

func inNets(ip net.IP, nets []*net.IPNet) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// ParseTrusted parses --trusted-proxy: comma-separated CIDRs or addresses;
// "loopback" stands for 127.0.0.0/8 and ::1.
func ParseTrusted(spec string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "loopback":
			f = "127.0.0.0/8,::1/128"
			more, _ := ParseTrusted(f)
			out = append(out, more...)
			continue
		case !strings.Contains(f, "/"):
			if strings.Contains(f, ":") {
				f += "/128"
			} else {
				f += "/32"
			}
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
