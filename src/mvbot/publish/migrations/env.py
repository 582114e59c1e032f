"""Run mvbot's migrations on the connection that `PublicationLedger.upgrade` passes in.

mvbot shares the database with twitchstats but keeps its own revision history, recorded in the
table `mvbot_alembic_version` so that the two histories never meet.
"""

from __future__ import annotations

from alembic import context

from mvbot.publish._ledger import VERSION_TABLE, ledger_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=ledger_metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
