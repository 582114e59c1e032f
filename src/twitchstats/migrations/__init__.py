"""Alembic migrations of the twitchstats schema.

They run from Python through `twitchstats.Database.upgrade()`, so users need no alembic.ini.
Revisions live in `versions/`, one file per revision, with ids "0001", "0002", ... in order;
a new revision sets `down_revision` to the previous id. The version table is
`twitchstats_alembic_version`, so other applications can keep their own Alembic history in the
same database.

On SQLite, `samples` is a WITHOUT ROWID table. Batch operations that recreate it keep that
with SQLAlchemy 2.1 and Alembic 1.20, which reflect the option; check the table's SQL in
`sqlite_master` after a revision that rebuilds it.
"""
