package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ct-dev/ct/db"
	"github.com/ct-dev/ct/events"
	"github.com/ct-dev/ct/views"
	"github.com/go-chi/chi/v5"
)

// Outbound webhooks are hub-wide (ct has no teams): admins manage them on
// /admin/webhooks and at /api/v1/webhooks; the sender is events.Sender.

// deliveriesShown is how many delivery log lines a page or an API answer
// shows at most.
const deliveriesShown = 200

// webhookCreated is POST /api/v1/webhooks's answer: the secret is in it
// this once.
type webhookCreated struct {
	Webhook db.Webhook `json:"webhook"`
	Secret  string     `json:"secret"`
}

func (s *Server) createWebhook(r *http.Request, in events.WebhookRequest) (db.Webhook, string, error) {
	h, err := s.webhooks.Create(principal(r).User, in)
	if err != nil {
		if h.ID == "" {
			return h, "", errorf(http.StatusBadRequest, err.Error())
		}
		return h, "", err
	}
	s.audit(r, "webhook.create", h.ID+" "+h.Name+" -> "+h.URL)
	secret := h.Secret
	h.Secret = ""
	return h, secret, nil
}

func (s *Server) handleAPIWebhooksList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.webhooks.List()
	if err != nil {
		return err
	}
	if list == nil {
		list = []db.Webhook{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleAPIWebhookCreate(w http.ResponseWriter, r *http.Request) error {
	var in events.WebhookRequest
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	h, secret, err := s.createWebhook(r, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, webhookCreated{Webhook: h, Secret: secret})
	return nil
}

func (s *Server) deleteWebhook(r *http.Request, id string) error {
	if err := s.webhooks.Delete(id); errors.Is(err, db.ErrNotFound) {
		return errorf(http.StatusNotFound, "no webhook "+strconv.Quote(id)+"; list them with GET /api/v1/webhooks")
	} else if err != nil {
		return err
	}
	s.audit(r, "webhook.delete", id)
	return nil
}

func (s *Server) handleAPIWebhookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteWebhook(r, chi.URLParam(r, "hook")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": chi.URLParam(r, "hook")})
	return nil
}

// handleAPIWebhookDeliveries is GET /api/v1/webhooks/{hook}/deliveries?limit=N:
// the delivery log, newest first ("-" for every webhook).
func (s *Server) handleAPIWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "hook")
	if id == "-" {
		id = ""
	} else if _, err := s.store.GetWebhook(id); err != nil {
		return errorf(http.StatusNotFound, "no webhook "+strconv.Quote(id)+"; list them with GET /api/v1/webhooks")
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > deliveriesShown {
			return errorf(http.StatusBadRequest, fmt.Sprintf("limit is how many deliveries to show, 1 to %d", deliveriesShown))
		}
		limit = n
	}
	list, err := s.store.Deliveries(id, limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []db.Delivery{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleWebhooksShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, views.WebhooksPage{})
}

func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "the form is larger than 16 KB")
	}
	h, secret, err := s.createWebhook(r, events.WebhookRequest{Name: r.PostForm.Get("name"), URL: r.PostForm.Get("url"), Types: r.PostForm["types"]})
	var e *Error
	if errors.As(err, &e) {
		w.WriteHeader(http.StatusBadRequest)
		return s.renderWebhooks(w, r, views.WebhooksPage{Err: e.Msg})
	} else if err != nil {
		return err
	}
	return s.renderWebhooks(w, r, views.WebhooksPage{NewName: h.Name, NewSecret: secret})
}

func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteWebhook(r, chi.URLParam(r, "hook")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/webhooks", http.StatusSeeOther)
	return nil
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, m views.WebhooksPage) error {
	hooks, err := s.webhooks.List()
	if err != nil {
		return err
	}
	log, err := s.store.Deliveries("", deliveriesShown)
	if err != nil {
		return err
	}
	names, counts := map[string]string{}, map[string]map[string]int{}
	for _, d := range log {
		if counts[d.Webhook] == nil {
			counts[d.Webhook] = map[string]int{}
		}
		counts[d.Webhook][d.State]++
	}
	for _, h := range hooks {
		names[h.ID] = h.Name
		types := "all events"
		if len(h.Types) > 0 {
			types = strings.Join(h.Types, ", ")
		}
		c := counts[h.ID]
		m.Hooks = append(m.Hooks, views.WebhookRow{ID: h.ID, Name: h.Name, URL: h.URL, Types: types, By: h.CreatedBy,
			Created: h.CreatedAt.Local().Format("2 Jan 15:04"),
			Counts:  fmt.Sprintf("%d delivered, %d failed, %d queued", c[db.DeliveryDelivered], c[db.DeliveryFailed], c[db.DeliveryPending])})
	}
	for _, d := range log {
		row := views.DeliveryRow{ID: d.ID, Hook: names[d.Webhook], Event: d.EventType + " #" + strconv.FormatUint(d.EventID, 10),
			State: d.State, When: d.CreatedAt.Local().Format("2 Jan 15:04:05"), Error: d.LastError, Attempts: d.Attempts, Status: d.LastStatus}
		if row.Hook == "" {
			row.Hook = "(deleted)"
		}
		if d.State == db.DeliveryPending && d.Attempts > 0 {
			row.Next = d.NextAt.Local().Format("15:04:05")
		}
		m.Deliveries = append(m.Deliveries, row)
	}
	m.Types = events.Types
	return render(w, r, views.WebhooksView(m))
}
