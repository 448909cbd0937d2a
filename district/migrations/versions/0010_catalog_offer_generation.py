"""A counter every change to what kiosks are offered in their heartbeat answers moves: rollouts, kiosk groups,
the signed catalog metadata. Each server process caches the offers per counter value (district.offer_cache) and
reads the counter in every heartbeat's transaction, so a change made through any process is offered at the next
beat. Triggers move the counter in the writer's own transaction, whoever writes (CLI, console, API, a halting
heartbeat, a restore), so no code path can forget it.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WATCHED = ("catalog_rollouts", "kiosk_groups", "tuf_metadata")
BUMP = "UPDATE catalog_offer_generation SET generation = generation + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "catalog_offer_generation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO catalog_offer_generation (id, generation) VALUES (1, 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION bump_catalog_offer_generation() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {BUMP}; RETURN NULL; END $$")
        for table in WATCHED:
            op.execute(f"CREATE TRIGGER {table}_offer_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                       f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_offer_generation()")
    else:  # SQLite: row triggers only, one per event
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"CREATE TRIGGER {table}_offer_generation_{event} AFTER {event.upper()} ON {table} "
                           f"BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_offer_generation ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_catalog_offer_generation()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_offer_generation_{event}")
    op.drop_table("catalog_offer_generation")
