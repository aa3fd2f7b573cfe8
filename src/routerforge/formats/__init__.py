"""Decision formats: `expert: spec -> result` (decision.py) and JSON route plans (plan.py)."""

from routerforge.formats.decision import ARROW, Decision, DecisionParseError, parse_decision, render_decision

__all__ = ["ARROW", "Decision", "DecisionParseError", "parse_decision", "render_decision"]
