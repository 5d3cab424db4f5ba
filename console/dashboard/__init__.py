"""The operations dashboard (issue #5): an admin page with the last 24 hours and 30 days of the bot's work.

Lives in `core` beside /healthz and /metrics because it reads every app (turns, messages, orders, deliveries and
external calls); putting it in one domain app would make that app depend on all the others. Every number is an
aggregate over the durable tables, never a process counter, so a restart or a second web process changes nothing.
"""
