"""The operators' web console under /console: server-rendered pages (Jinja2, htmx for the live parts, every asset
served from district/console/static), its JSON API under /console/api, accounts, sessions and the audit log.

`district.console.install.install_console(app)` wires it into the district app; docs/console.md tells how to add a page.
"""
