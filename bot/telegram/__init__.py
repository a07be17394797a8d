"""The Telegram channel's machinery: application wiring, per-update context, delivery, safety.

The conversations themselves live in ``bot/handlers/``, one module each.
"""

import os

# python-telegram-bot 22 moves durations (e.g. RetryError.retry_after) from seconds to
# timedelta and warns on every use of the old form until an application opts in; we have no
# code depending on the old form, so we opt in for the whole process.
os.environ.setdefault("PTB_TIMEDELTA", "1")
