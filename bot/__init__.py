"""Solidarity Bot: a Telegram bot for the 'From Ukraine to Palestine' solidarity group."""

__version__ = "0.1.0"
