package geminihook

// Injected is what running Gemini CLI with ct's hooks takes: the variables
// to add to its environment and the bridge answering its hooks.
type Injected struct {
	Env    []string
	Bridge *Bridge
	setup  *Setup
}

// Close stops the bridge and removes the private runtime dir.
func (in *Injected) Close() { in.Bridge.Close(); in.setup.Close() }

// Inject prepares ct's hooks for a Gemini run with args (ct wrap and ct
// node both use it); ctPath is the ct binary the hooks call, getenv the
// wrap's environment.
func Inject(ctPath string, args []string, getenv func(string) string) (*Injected, error) {
	setup, err := Prepare(ctPath, getenv)
	if err != nil {
		return nil, err
	}
	bridge, err := Listen(setup.Socket, args)
	if err != nil {
		setup.Close()
		return nil, err
	}
	return &Injected{Env: setup.Env, Bridge: bridge, setup: setup}, nil
}
