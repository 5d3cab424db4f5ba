"""The project's own Prometheus metrics (names fixed by CONTRACT section 3; labels may grow)."""

from prometheus_client import Counter, Histogram

chatwoot_webhooks_total = Counter(
    "chatwoot_webhooks_total", "Chatwoot webhook deliveries by event and outcome", ["event", "outcome"]
)
agent_turns_total = Counter("agent_turns_total", "Agent turns by lane, intent and routing source", ["lane", "intent", "source"])
agent_turn_seconds = Histogram(
    "agent_turn_seconds",
    "Time from the inbound message to the reply being queued",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
outbound_messages_total = Counter("outbound_messages_total", "Outbound messages by resulting status", ["status"])
odoo_calls_total = Counter("odoo_calls_total", "Odoo external API calls by method and outcome", ["method", "outcome"])
purchase_orders_total = Counter("purchase_orders_total", "Purchase order transitions by new state", ["state"])
