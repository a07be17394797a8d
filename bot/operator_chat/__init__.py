"""The operators' Telegram group: document sets arrive with Approve / Reject / Ask buttons.

Only the configured operators may press them; every decision calls the same service as the
command line (:mod:`storage.services.review`, :mod:`storage.services.payments`), with the
operator's configured name in the audit trail.
"""
