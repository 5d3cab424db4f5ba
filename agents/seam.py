"""The one seam between ingestion (conversations app) and the agents.

Ingestion calls `inbound_message_stored` inside its transaction when a contact's message arrives on a conversation
in `bot` mode. The agents app decides what to do; the work itself runs after commit in a task that takes the id.
"""

from core.queue import enqueue_on_commit


def inbound_message_stored(*, message_id: int, conversation_id: int) -> None:
    enqueue_on_commit("agents.tasks.process_inbound_message", message_id)
