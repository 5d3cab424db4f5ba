"""The staff playground: a browser page that plays a contact's phone against the real pipeline.

A message typed on the page is handed to the local Chatwoot stand-in (`POST /standin/inbound`), which delivers it
as a signed `message_created` webhook to our endpoint, so it goes through ingestion, the worker, the agents, the
purchase flow and outbound sending exactly as a real contact's would. The page then reads the conversation back
from our own database (messages, delivery states, and the Turn behind each bot reply).
"""
