"""The service modules shipped with the kiosk, registered as `kiosk.services` entry points in pyproject.toml."""
