"""Operating the bot: logs, lock, backups, health, metrics, webhook, shell, retention."""
