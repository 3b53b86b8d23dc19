"""The bot's own texts and their translations (gettext catalogs in bot/locales)."""
