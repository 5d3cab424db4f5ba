"""Voice notes, photos and PDFs of purchase lists in a turn.

`turn_media_read(record)` runs first, in the turn's decision phase (I/O, no transaction): it transcribes voice
notes Chatwoot did not, reads photos and PDFs into order lines, stores what it understood on the messages and
builds the turn again. `media_turn(turn_input, session)` then says what the media decide (`answers.py`): an order
from a list read in a photo, the plain answer when nothing could be understood, or a note before the agents'
answer.
"""

from agents.media.answers import MediaTurn, media_turn
from agents.media.reading import turn_media_read

__all__ = ["MediaTurn", "media_turn", "turn_media_read"]
