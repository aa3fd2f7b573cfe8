"""`routerforge init DIR`: a support desk that trains and serves as it stands, and the training preset
`routerforge train --routes FILE` uses when no `--config` is given.

    routerforge init desk
    routerforge train --routes desk/routes.yaml --config desk/train.yaml --out runs/desk
    python desk/upstream.py --port 8001 & python desk/upstream.py --port 8002 &
    routerforge serve --run runs/desk --port 8000

Written files: routes.yaml (billing -> upstream A, bug_report -> upstream B, math -> the arithmetic experts,
small_talk -> the default, on upstream B), train.yaml (the preset below), gate.yaml, upstream.py (a
stand-in OpenAI-compatible model server for trying the gateway offline) and labelled.jsonl (the shape of
`--data`: your own labelled traffic).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from routerforge.errors import ConfigError, UserError
from routerforge.io import atomic_write_text

# The preset: smaller than configs/router.yaml because most routes have an empty spec; the LoRA and the
# frozen-layer cache as there. Measured in docs/routes.md.
TRAIN_YAML = """\
# routerforge train --routes routes.yaml --config train.yaml --out runs/desk
# Training preset for a routes file (also what `train --routes` uses without --config).
model: smollm2-135m        # the embedded SmolLM2-135M-Instruct; or a local HF dir / .gguf
seed: 42
prompt_style: minimal      # the system prompt lists the route and expert names only
read_numbers: true         # "sixty plus forty" reaches the model as "60 plus 40"
data:
  examples: 1200           # over all routes and splits; each route class gets an equal share by default
  seed: 42
  val_ratio: 0.1           # calibration of the abstention threshold
  test_ratio: 0.15         # held-out examples only: the accuracy you read is on requests it never saw
  holdout_ratio: 0.25      # a quarter of each route's examples are held out for the test split
  # mix: {billing: 2, small_talk: 1}   # relative weights per route (or expert class); default: equal
sft:
  method: lora
  lora_r: 32
  lora_alpha: 64
  lora_dropout: 0.0
  lora_layers: 12          # LoRA on the last 12 of 30 layers; the 18 below run once per row (cache_frozen)
  cache_frozen: true
  epochs: 2.0              # 1 epoch: 95.5% held out, 2 epochs: 98.9% (docs/routes.md)
  batch_size: 16
  lr: 0.002
  save_steps: 50
rl:
  iterations: 0
eval:
  split: test
  calibrate_precision: 0.97  # below the confidence at which val decisions are 97% right -> the default route
  gate: {gate}
"""

GATE_YAML = """\
# Quality gate of `routerforge train --routes`: the run exits 1 below these floors (held-out split).
trained:
  format_validity: {min: 0.99}
  expert_accuracy: {min: 0.93}   # the tutorial run reached 98.9% (docs/routes.md); 3+ points of margin
"""

ROUTES_YAML = """\
# A support desk: two upstream models, the arithmetic experts, and small talk as the default.
# routerforge train --routes routes.yaml --config train.yaml --out runs/desk
version: 1
default: small_talk        # the route for "none of these" (and where low-confidence decisions go)
routes:
  - name: billing
    description: invoices, charges, refunds, plans and payment methods
    target: {upstream: "http://127.0.0.1:8001/v1", model: billing-llm, api_key_env: BILLING_KEY, timeout_s: 20}
    fallbacks: [{upstream: "http://127.0.0.1:8002/v1", model: general-llm}]
    examples:                # >= 5; a quarter are held out to measure the router on requests it never saw
      - Why is there a second charge on my card from you this month?
      - I want my money back for the annual plan I bought by mistake.
      - Can you send me a copy of last month's invoice?
      - How do I switch my payment method to PayPal?
      - My credit card expired, where do I update it?
      - You billed me after I cancelled my subscription.
      - What does the premium tier cost per seat?
      - Is VAT included in the price on my receipt?
      - Can I pay yearly instead of monthly to save money?
      - The discount code didn't apply to my order total.
      - Please cancel my plan before the next renewal date.
      - Why did my bill go up without any notice?
      - I need the invoice addressed to my company, not to me.
      - How long does a refund take to reach my bank account?
      - Do you offer a student discount on the subscription?
      - My payment keeps getting declined at checkout.
      - Can I get a receipt for the add-on I purchased yesterday?
      - What happens to my data if I downgrade to the free plan?
      - I was promised a credit on my account, where is it?
      - How can I see all the payments I made this year?
  - name: bug_report
    description: something in the app is broken, crashes, errors or behaves wrongly
    target: {upstream: "http://127.0.0.1:8002/v1", model: support-llm, timeout_s: 20}
    examples:
      - The app crashes every time I open the settings page.
      - I get a blank white screen after logging in.
      - Export to PDF produces an empty file.
      - The sync button spins forever and nothing happens.
      - Notifications stopped arriving on my phone since the update.
      - I can't upload pictures larger than a few megabytes, it just fails.
      - Search returns results from other projects that I don't have access to.
      - The dark mode toggle resets itself every time I restart.
      - There's an error 500 when I try to save a draft.
      - My changes disappear when two people edit the same document.
      - The calendar shows my meetings one hour off.
      - Clicking "forgot password" sends no email at all.
      - The Windows installer says the package is corrupted.
      - Charts on the dashboard don't load in Firefox.
      - Keyboard shortcuts stopped working after the last release.
      - The mobile app logs me out every few minutes.
      - Attachments show the wrong file name when downloaded.
      - The page freezes when I paste a long table into the editor.
      - Copying a link to a task gives a link that leads nowhere.
      - The login page keeps saying my password is wrong even after I reset it.
  - name: math
    description: arithmetic on numbers in the request
    target: {expert: math}   # an expert name, or an expert class (math = add, subtract, multiply, divide)
  - name: small_talk
    description: greetings, thanks and chit-chat
    target: {upstream: "http://127.0.0.1:8002/v1", model: general-llm}
    examples:
      - Hi there, how's your day going?
      - Thanks, that was really helpful!
      - Good morning!
      - What's your favourite movie?
      - Tell me something fun.
      - You're awesome, have a nice weekend.
      - Who are you?
      - I'm bored, talk to me.
      - Do you like music?
      - Hello again, nice to see you.
      - What's up?
      - Can you tell me a joke?
      - Bye for now!
      - How are you feeling today?
      - That's all, thank you so much.
      - Do you ever sleep?
      - Nice to meet you.
      - What do you do for fun?
      - Have a great evening!
      - Are you a robot?
"""

LABELLED_JSONL = [  # the shape of `--data`: your own labelled traffic (one object a line: query, route)
    {"query": "I was charged in dollars instead of euros.", "route": "billing"},
    {"query": "The undo button deletes the whole paragraph.", "route": "bug_report"},
    {"query": "Hey, how was your weekend?", "route": "small_talk"},
]

UPSTREAM_PY = '''\
"""A stand-in OpenAI-compatible model server, to try the gateway without a real LLM.

    python upstream.py --port 8001 [--name billing-llm]

It answers POST /v1/chat/completions (also with "stream": true) with "[MODEL] you said: LAST USER MESSAGE".
"""
import argparse
import json
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

app = FastAPI()


@app.post("/v1/chat/completions")
async def chat(request: Request):
    body = await request.json()
    said = next((m.get("content") for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
    text = f"[{body.get('model', '?')}] you said: {said}"
    base = {"id": "cmpl-local", "created": int(time.time()), "model": body.get("model", "?")}
    if body.get("stream"):
        def events():
            for word in text.split(" "):
                chunk = {**base, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk)}\\n\\n"
            yield "data: [DONE]\\n\\n"
        return StreamingResponse(events(), media_type="text/event-stream")
    return {**base, "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8001)
    uvicorn.run(app, host="127.0.0.1", port=p.parse_args().port, log_level="warning")
'''


def preset_config() -> dict:
    """The training preset as a mapping (no gate: a gate file is named by the config that uses one)."""
    data = yaml.safe_load(TRAIN_YAML.replace("{gate}", "null"))
    return data


def write_example(out: Path, *, force: bool = False) -> list[Path]:
    files = {"routes.yaml": ROUTES_YAML, "train.yaml": TRAIN_YAML.replace("{gate}", str(out.resolve() / "gate.yaml")),
             "gate.yaml": GATE_YAML, "upstream.py": UPSTREAM_PY,
             "labelled.jsonl": "".join(json.dumps(r) + "\n" for r in LABELLED_JSONL)}
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory")
    taken = [name for name in files if (out / name).exists()]
    if taken and not force:
        raise UserError(f"{out} already has {', '.join(taken)}; pass --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        atomic_write_text(out / name, text)
    return [out / name for name in files]


def read_labelled(path: str | Path, routes) -> dict[str, list[str]]:
    """`--data FILE`: JSONL rows {"query", "route"}; every row adds its query as an example of its route
    (held-out ones go to the test split like the file's own examples). Errors name the line."""
    from routerforge.experts.routes import UpstreamTarget

    path = Path(path)
    if not path.is_file():
        raise UserError(f"--data: no such file: {path}")
    upstream = {r.name for r in routes.routes if isinstance(r.target, UpstreamTarget)}
    out: dict[str, list[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("query"), str) or not isinstance(row.get("route"), str):
            raise ConfigError(f"{path}:{n}: expected an object with text fields `query` and `route`")
        if not row["query"].strip():
            raise ConfigError(f"{path}:{n}: query is empty")
        if row["route"] not in upstream:
            why = "an expert route (its rows need a spec, which the expert's own templates teach)" \
                if row["route"] in {r.name for r in routes.routes} else "not a route of the routes file"
            raise ConfigError(f"{path}:{n}: route {row['route']!r} is {why}; upstream routes: "
                              f"{', '.join(sorted(upstream))}")
        out.setdefault(row["route"], []).append(" ".join(row["query"].split()))
    return out


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("init", help="write an example routes file (a support desk) to train and serve",
                              description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    p.add_argument("dir", help="directory to write routes.yaml, train.yaml, gate.yaml, upstream.py into")
    p.add_argument("--force", action="store_true", help="overwrite those files if they exist")
    p.set_defaults(func=run)


def run(args) -> int:
    out = Path(args.dir)
    for path in write_example(out, force=args.force):
        print(f"wrote {path}")
    print(f"next: routerforge train --routes {out / 'routes.yaml'} --config {out / 'train.yaml'} --out runs/desk")
    return 0
