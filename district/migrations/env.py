"""Alembic environment of the district database: runs on the connection passed in `config.attributes`."""

from alembic import context

from district.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through district.database.migrate
    raise RuntimeError("district migrations run through district.database.migrate()")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
