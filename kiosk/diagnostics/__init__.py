"""Diagnostics: the health checks of every device and of the kiosk's own resources, run, recorded, reported."""
