"""Alembic environment: runs on the connection the caller passes in `config.attributes['connection']`."""

from alembic import context

from kiosk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through kiosk.store.database.migrate
    raise RuntimeError("kiosk migrations run through kiosk.store.database.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
