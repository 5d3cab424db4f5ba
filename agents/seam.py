"""The one seam between ingestion (conversations app) and the agents.

Ingestion calls `inbound_message_stored` inside its transaction when a contact's message arrives on a conversation
in `bot` mode. The pending-work row is written in that same transaction, so the database records that an answer
is owed even if the broker drops the task (the sweeper re-drives it); the task runs after commit and takes the id.
"""

from agents.orchestration.work import work_ensure
from conversations.models import Message
from core.queue import enqueue_on_commit


def inbound_message_stored(*, message_id: int, conversation_id: int) -> None:
    message = Message.objects.filter(pk=message_id).first()
    if message is not None:
        work_ensure(message=message)
    enqueue_on_commit("agents.tasks.process_inbound_message", message_id)
