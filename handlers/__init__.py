"""Telegram handlers, one module a feature, registered in an explicit order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers import (
    announce,
    demos,
    demos_admin,
    errors,
    excerpt,
    facts,
    fallbacks,
    feeds,
    forget,
    guards,
    inline,
    language,
    membership,
    settings,
    start,
    statements,
    statements_admin,
    subscriptions,
)


def register_all(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every feature's handlers. Order matters only where noted."""
    # guards first, in group -1: flood control, edited/forwarded commands, other bots.
    guards.register(app)
    start.register(app)
    # content; the /addstatement conversation first, before any text handlers
    statements_admin.register(app)
    statements.register(app)
    excerpt.register(app)
    facts.register(app)
    inline.register(app)
    language.register(app)
    feeds.register(app)
    forget.register(app)
    announce.register(app)
    # demonstrations and reminders; membership in its own group (-5)
    membership.register(app)
    subscriptions.register(app)
    settings.register(app)
    demos_admin.register(app)  # its preview buttons before the members' demo: buttons
    demos.register(app)
    # what no feature claimed: /cancel with nothing to cancel, plain text in private
    fallbacks.register(app)
    # errors last: it also installs the catch-all for unknown commands (group 1).
    errors.register(app)
