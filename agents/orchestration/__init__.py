"""Orchestration of agent turns: pending work → turn → routing → lane agent → one recording transaction."""

from agents.orchestration.runner import conversation_process, turn_run_next

__all__ = ["conversation_process", "turn_run_next"]
