"""Route plans (the CourseGPT-Pro product): a request -> a JSON plan of tool calls over `/math`, `/code`,
`/general-search`, in one package.

- `format.py`: the plan schema (pydantic), parsing and rendering;
- the decision router (issue 14): `policy.py` (the 19 allowed routes and their ordering rules),
  `themes.py`, `phrasings.py`, `policy_data.py` (data drawn from the policy, held-out phrasings),
  `ground.py` (clauses and grounded step arguments), `encoder.py` (one prefill, pooled), `heads.py`
  (linear heads + temperature), `decide.py` (`PlanDecider`), `compose.py` (the prose from the route),
  `rubric.py` (rationale completeness), `decision_config.py`, `decision_recipe.py`, `decision_eval.py`,
  `decision_report.py` (train, score, report);
- the generative router: `templates.py`, `generate.py`, `prepare.py` (synthetic plans and benchmark-row
  preparation), `grammar.py` (valid plans by construction), `runtime.py` (`PlanRouter`), `recipe.py`
  (data -> SFT -> eval, and the plan config of both routers);
- `metrics.py`: plan metrics (tool precision/recall, sequence match ...), `report.py`, `cli.py`.

It shares gates, reports, run directories, benchmark loading and the SFT stage with the expert router.
"""
