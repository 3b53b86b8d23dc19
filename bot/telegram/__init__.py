"""Talking to Telegram: transport, update order, replies, HTML, permissions, guards, menus."""
