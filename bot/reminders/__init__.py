"""Demonstration reminders: when they fall due (schedule), who gets them (fanout), what they
say (notices), and the service that owns the demos write path (service)."""
