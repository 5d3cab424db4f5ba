"""Lane agents and the `LANE_AGENTS` dispatch table: lane name → agent instance, so adding a lane is one row, not
another branch."""

from agents.lanes.base import Agent, AgentResult, AgentTurn, Handoff, Reply
from agents.lanes.info import InfoAgent
from agents.lanes.purchase import PurchaseAgent
from agents.lanes.support import SupportAgent

LANE_AGENTS: dict[str, Agent] = {
    "info": InfoAgent(),
    "purchase": PurchaseAgent(),
    "support": SupportAgent(),
}

__all__ = ["LANE_AGENTS", "Agent", "AgentResult", "AgentTurn", "Handoff", "Reply"]
