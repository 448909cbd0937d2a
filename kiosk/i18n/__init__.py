"""The citizen-facing sentences (message keys) and their translations."""
