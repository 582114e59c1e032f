"""Revisions of mvbot's tables, applied in order by `PublicationLedger.upgrade`."""
