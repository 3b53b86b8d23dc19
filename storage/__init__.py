"""The SQLite layer: connection, numbered migrations and small repositories."""
