"""A local stand-in for Telegram's Bot API: server, in-memory world, and people to drive it."""
