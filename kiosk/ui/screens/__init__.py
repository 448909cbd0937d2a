"""One screen per session state; each is a thin view with `render(session)` and sends events to the terminal."""
