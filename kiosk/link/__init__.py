"""The kiosk's side of the district link: its own key, enrollment, the signed HTTP client."""
