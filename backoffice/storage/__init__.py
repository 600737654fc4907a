"""Storage: the database (SQLite by default, PostgreSQL by URL) and the personal fields and PDF blobs sealed at rest."""
