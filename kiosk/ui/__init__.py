"""The fullscreen PySide6 shell: thin screens over the terminal's view (kiosk.terminal.view), no business logic."""
