"""The service catalog as data: its published schema, the validator every tool runs, and its search index."""
