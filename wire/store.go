package wire

// TypeStoreFailing is hub → wrap: the hub cannot write its store now (a
// full or failing disk). Nothing after the last ack is durable; the wrap
// keeps every unacknowledged event spooled, as it does for any event not
// yet acked, and the hub stores them once it can. Failing false says
// writes work again. A wrap that does not know the type ignores it safely.
const TypeStoreFailing = "store.failing"

// StoreFailing is the payload of store.failing.
type StoreFailing struct {
	Failing bool   `json:"failing"`
	Message string `json:"message,omitempty"`
}
