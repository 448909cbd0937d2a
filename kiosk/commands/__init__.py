"""Subcommands of the `kiosk` CLI, one module per area; each defines `register(subparsers)`."""
