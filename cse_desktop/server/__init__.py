"""The central service: FastAPI + SQLAlchemy, the partnership's system of record.

Entry point ``cse-server`` (see :mod:`cse_desktop.server.cli`).  The service shares the wire
schemas of records with the desktop client (:mod:`.schemas`), never its tables.
"""
