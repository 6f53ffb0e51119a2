package client

import (
	"context"
	"net/http"
	"time"

	"github.com/ct-dev/ct/coord"
)

// Clock is GET /api/v1/clock: the simulation clock as this peer sees it.
func (c *Client) Clock(ctx context.Context) (coord.ClockState, error) {
	var st coord.ClockState
	err := c.do(ctx, http.MethodGet, "/api/v1/clock", nil, &st)
	return st, err
}

// SetClock is POST /api/v1/clock: run at speed (1, 10, 100); reset starts
// a new run at sim_time start (zero: now).
func (c *Client) SetClock(ctx context.Context, speed int, reset bool, start time.Time) (coord.ClockState, error) {
	body := struct {
		Speed int       `json:"speed"`
		Reset bool      `json:"reset,omitempty"`
		Start time.Time `json:"start,omitzero"`
	}{speed, reset, start}
	var st coord.ClockState
	err := c.do(ctx, http.MethodPost, "/api/v1/clock", body, &st)
	return st, err
}

// PauseClock is POST /api/v1/clock/pause; ResumeClock is .../resume.
func (c *Client) PauseClock(ctx context.Context) (coord.ClockState, error) {
	var st coord.ClockState
	err := c.do(ctx, http.MethodPost, "/api/v1/clock/pause", struct{}{}, &st)
	return st, err
}

// ResumeClock is POST /api/v1/clock/resume.
func (c *Client) ResumeClock(ctx context.Context) (coord.ClockState, error) {
	var st coord.ClockState
	err := c.do(ctx, http.MethodPost, "/api/v1/clock/resume", struct{}{}, &st)
	return st, err
}

// SubscribeClock is PUT /api/v1/clock/subscription: on, this peer gets
// tick events on its stream and from WaitEvents; off, it stops.
func (c *Client) SubscribeClock(ctx context.Context, on bool) (coord.ClockState, error) {
	var st coord.ClockState
	err := c.do(ctx, http.MethodPut, "/api/v1/clock/subscription", struct {
		Subscribe bool `json:"subscribe"`
	}{on}, &st)
	return st, err
}

// ClockReport is GET /api/v1/clock/report: actions per tick, by peer.
func (c *Client) ClockReport(ctx context.Context) (coord.ClockReport, error) {
	var r coord.ClockReport
	err := c.do(ctx, http.MethodGet, "/api/v1/clock/report", nil, &r)
	return r, err
}
