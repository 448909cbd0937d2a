"""The terminal's local store: SQLite (WAL, synchronous=FULL) through SQLAlchemy 2, migrated by Alembic."""
