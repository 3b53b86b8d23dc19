"""Demonstration reminders: who is due when, fanned out through the outbox."""
