"""Browser tests and the review app's test helpers (fixture database, local server)."""
