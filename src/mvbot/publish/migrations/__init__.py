"""Alembic environment of mvbot's own tables (version table `mvbot_alembic_version`)."""
