"""Decision formats: `expert: spec -> result` (decision.py). Route plans have their own package,
`routerforge.plans`."""

from routerforge.formats.decision import ARROW, Decision, DecisionParseError, parse_decision, render_decision

__all__ = ["ARROW", "Decision", "DecisionParseError", "parse_decision", "render_decision"]
