"""Every user-facing text of the bot, in English, marked for translation, by feature.

Render with bot.i18n.translate.t(lang, texts.NAME, **values); values are HTML-escaped for you.
Callers import this package (``from bot.i18n import texts``); the modules only group the texts.
"""

from bot.i18n.texts.broadcasts import *  # noqa: F403
from bot.i18n.texts.demos import *  # noqa: F403
from bot.i18n.texts.feeds import *  # noqa: F403
from bot.i18n.texts.general import *  # noqa: F403
