"""The operations dashboard: one admin page with a period selector (24 h · 7 d · 30 d), the numbers staff act on
first, then the trends of the bot's work, and the integration's health for superusers.

Lives on the top floor because it reads every app (turns, messages, orders, deliveries and external calls). Every
number is an aggregate over the durable tables, never a process counter, so a restart or a second web process
changes nothing.
"""
