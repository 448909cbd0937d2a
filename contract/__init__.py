"""What the kiosk and the district must agree on: one package both import, importing neither side."""
