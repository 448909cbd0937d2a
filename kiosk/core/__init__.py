"""The terminal's core: the citizen session as a pure state machine and the values it shares with devices."""
