"""The broadcast engine: the persistent outbox, its workers, deliveries, limits, announcements."""
