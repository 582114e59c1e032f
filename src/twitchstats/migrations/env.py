"""Alembic environment for the twitchstats schema.

`twitchstats._storage._migrate` passes an open SQLAlchemy connection in
`config.attributes["connection"]`; there is no offline (SQL script) mode.
"""

from __future__ import annotations

from alembic import context

from twitchstats._storage._migrate import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run twitchstats migrations through twitchstats.Database(url=...).upgrade(), "
        "which passes the database connection to Alembic"
    )

context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=False,
)

with context.begin_transaction():
    context.run_migrations()
