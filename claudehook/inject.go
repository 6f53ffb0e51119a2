package claudehook

// Injected is what running Claude Code with ct's hooks takes: the program's
// new arguments and environment, and the bridge answering its hooks.
type Injected struct {
	Args   []string
	Env    []string
	Bridge *Bridge
	setup  *Setup
}

// Close stops the bridge and removes the private runtime dir.
func (in *Injected) Close() { in.Bridge.Close(); in.setup.Close() }

// Inject prepares ct's hooks for a Claude Code run with args (ct wrap and
// ct node both use it); ctPath is the ct binary the hooks call.
func Inject(ctPath string, args []string) (*Injected, error) {
	setup, err := Prepare(ctPath, args)
	if err != nil {
		return nil, err
	}
	bridge, err := Listen(setup.Socket)
	if err != nil {
		setup.Close()
		return nil, err
	}
	bridge.agentFile = setup.Agent
	return &Injected{Args: setup.Args, Env: setup.Env, Bridge: bridge, setup: setup}, nil
}
