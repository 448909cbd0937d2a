"""The terminal: carries out the session's effects on devices, services and the store, one job per module."""
