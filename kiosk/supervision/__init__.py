"""Talking to the service manager that supervises the kiosk's processes (systemd's notify protocol).

Pure Python, no Qt and no libsystemd: the shell (kiosk/ui/watchdog.py) and the sync daemon both use it.
"""
