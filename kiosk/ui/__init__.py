"""The fullscreen PySide6 shell: thin screens over kiosk.terminal.terminal; no business logic, no blocking I/O here."""
