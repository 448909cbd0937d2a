"""Service modules (the plugin API in `api.py`) and the built-in modules that serve the catalog's items."""
