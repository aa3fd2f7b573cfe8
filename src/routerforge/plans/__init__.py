"""Route plans (the CourseGPT-Pro product): a request -> a JSON plan of tool calls over `/math`, `/code`,
`/general-search`, in one package.

- `format.py`: the plan schema (pydantic), parsing and rendering;
- `templates.py`, `generate.py`, `prepare.py`: synthetic plans and benchmark-row preparation;
- `grammar.py`: the character-level grammar that makes decoded plans valid by construction;
- `runtime.py`: the `PlanRouter` (constrained decoding of plans);
- `metrics.py`: plan metrics (tool precision/recall, sequence match ...);
- `recipe.py`: the plan training recipe (data -> SFT -> eval -> gate), over the shared run-dir helper;
- `cli.py`: `routerforge plan ...`.

It shares gates, reports, run directories, benchmark loading and the SFT stage with the expert router.
"""
