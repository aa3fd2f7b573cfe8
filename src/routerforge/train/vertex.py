"""`routerforge train --backend vertex`: the same generated data, tuned on Vertex AI (Gemini PEFT).

    routerforge train --backend vertex --config FILE --out DIR [--dry-run] [--force]

Steps: generate the dataset per `cfg.data` into OUT/data, export train/val as Vertex AI
supervised-tuning JSONL (OUT/vertex/{train,validation}.jsonl: system instruction = the router
system prompt, user = the query, model = `expert: spec ->`), upload both to `vertex.bucket` (or use
gs:// URIs the user uploaded), call `vertexai.preview.tuning.sft.train(...)`, poll the job until it
ends or `timeout_minutes` pass, and record it in OUT/vertex/job.json.

`--dry-run` prints the request and writes the local files only: no Google package, credentials or
network needed. The Google packages are the optional `vertex` extra and are imported lazily.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from routerforge.errors import ConfigError, UserError
from routerforge.io import atomic_write_json, atomic_write_jsonl, atomic_write_text, mark_complete, prepare_run_dir

ENV_PREFIX = "ROUTERFORGE_VERTEX_"
ADAPTER_SIZES = (1, 4, 8, 16)
PLACEHOLDER_BUCKET = "gs://YOUR_BUCKET"
INSTALL_HINT = "Vertex AI training needs google-cloud-aiplatform: pip install 'routerforge[vertex]'"
NO_PROJECT = "Vertex AI needs a GCP project: set vertex.project or GOOGLE_CLOUD_PROJECT"
NO_CREDENTIALS = "no Google credentials found: run `gcloud auth application-default login`"
NO_DATA_LOCATION = ("Vertex AI reads the data from Cloud Storage: set vertex.bucket (gs://BUCKET[/PREFIX], "
                    "routerforge uploads there) or vertex.train_dataset (a gs:// URI you uploaded)")


@dataclass
class VertexConfig:
    """The `vertex:` section of a pipeline config. Keys the section leaves out may come from
    ROUTERFORGE_VERTEX_<KEY> environment variables (e.g. ROUTERFORGE_VERTEX_BUCKET)."""

    project: str | None = None  # GCP project; None = GOOGLE_CLOUD_PROJECT, then gcloud's default project
    location: str = "us-central1"  # region that runs the tuning job
    bucket: str | None = None  # gs://BUCKET[/PREFIX]: the JSONL files are uploaded under PREFIX/<display_name>/
    train_dataset: str | None = None  # gs:// URI of a train JSONL you uploaded yourself (when no bucket)
    validation_dataset: str | None = None  # gs:// URI of the validation JSONL (optional, when no bucket)
    output_uri: str | None = None  # gs:// folder for the tuned artifacts; None = Vertex-managed
    # A Gemini model that supports supervised PEFT tuning and is generally available; a newer one
    # (e.g. gemini-2.5-flash) works too if your project has it.
    source_model: str = "gemini-2.0-flash-001"
    epochs: int = 3
    adapter_size: int = 4  # LoRA rank on Vertex: 1, 4, 8 or 16
    learning_rate_multiplier: float = 1.0
    display_name: str | None = None  # tuned model name; None = routerforge-<OUT name>
    poll_seconds: float = 60.0
    timeout_minutes: float = 240.0  # stop waiting (the job keeps running on Vertex) after this

    def __post_init__(self) -> None:
        for name in ("project", "bucket", "train_dataset", "validation_dataset", "output_uri", "display_name"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f"vertex.{name} must be non-empty text, got {value!r}")
        for name in ("bucket", "train_dataset", "validation_dataset", "output_uri"):
            value = getattr(self, name)
            if value is not None and not value.startswith("gs://"):
                raise ConfigError(f"vertex.{name} must be a gs:// URI, got {value!r}")
        if self.bucket and self.train_dataset:
            raise ConfigError("set vertex.bucket (routerforge uploads the data) or vertex.train_dataset, not both")
        if self.validation_dataset and not self.train_dataset:
            raise ConfigError("vertex.validation_dataset needs vertex.train_dataset")
        if not isinstance(self.location, str) or not self.location or not isinstance(self.source_model, str):
            raise ConfigError("vertex.location and vertex.source_model must be text")
        if isinstance(self.epochs, bool) or not isinstance(self.epochs, int) or self.epochs < 1:
            raise ConfigError(f"vertex.epochs must be a positive integer, got {self.epochs!r}")
        if self.adapter_size not in ADAPTER_SIZES or isinstance(self.adapter_size, bool):
            raise ConfigError(f"vertex.adapter_size must be one of {ADAPTER_SIZES}, got {self.adapter_size!r}")
        for name in ("learning_rate_multiplier", "poll_seconds", "timeout_minutes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"vertex.{name} must be a positive number, got {value!r}")

    @classmethod
    def from_dict(cls, data: dict | None, environ: dict | None = None) -> "VertexConfig":
        """Section values win; ROUTERFORGE_VERTEX_* fill the keys the section does not set."""
        data = dict(data or {})
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - fields)
        if unknown:
            raise ConfigError(f"unknown vertex config key(s): {', '.join(map(str, unknown))}; "
                             f"known: {', '.join(sorted(fields))}")
        environ = os.environ if environ is None else environ
        for name in fields - set(data):
            raw = environ.get(ENV_PREFIX + name.upper())
            if raw:
                # numbers are parsed as YAML scalars (like --set); text stays text, so a numeric
                # project id is not turned into an int
                numeric = name in ("epochs", "adapter_size", "learning_rate_multiplier", "poll_seconds",
                                   "timeout_minutes")
                data[name] = yaml.safe_load(raw) if numeric else raw
        return cls(**data)

    @classmethod
    def resolve(cls, section: Any = None) -> "VertexConfig":
        """`cfg.vertex` as PipelineConfig holds it (None, a mapping or a VertexConfig)."""
        if isinstance(section, cls):
            return section
        if section is not None and not isinstance(section, dict):
            raise ConfigError("the `vertex:` section must be a mapping")
        return cls.from_dict(section)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- dataset export
def to_vertex_row(prompt: str, completion: str) -> dict:
    """One Vertex AI (Gemini) supervised-tuning example."""
    return {"contents": [{"role": "user", "parts": [{"text": prompt}]},
                         {"role": "model", "parts": [{"text": completion}]}]}


def vertex_example(query: str, target: str, system: str | None) -> dict:
    """One supervised-tuning line: optional systemInstruction, then the user/model turns."""
    row = to_vertex_row(query, target)
    if system:
        return {"systemInstruction": {"role": "system", "parts": [{"text": system}]}, **row}
    return row


def vertex_rows(rows: list[dict], system: str | None) -> list[dict]:
    """Generated data rows (query/expert/spec) -> Vertex examples teaching `expert: spec ->`."""
    from routerforge.models.prompts import target_text

    return [vertex_example(r["query"], target_text(r["expert"], r["spec"]), system) for r in rows]


def export_vertex(data_dir: Path, out_dir: Path, system: str | None) -> dict[str, Path]:
    """OUT/data/{train,val}.jsonl -> OUT/vertex/{train,validation}.jsonl."""
    from routerforge.io import read_jsonl

    files = {}
    for split, name in (("train", "train"), ("val", "validation")):
        rows = read_jsonl(data_dir / f"{split}.jsonl")
        if rows:  # Vertex rejects an empty validation file; a config with val_ratio 0 simply has none
            files[name] = atomic_write_jsonl(out_dir / f"{name}.jsonl", vertex_rows(rows, system))
    return files


# --------------------------------------------------------------------------- request
def dataset_uris(vcfg: VertexConfig, display_name: str, files: dict[str, Path]) -> dict[str, str]:
    """Where Vertex reads each split: under the bucket (uploaded by us) or the user's own URIs."""
    if vcfg.bucket or not vcfg.train_dataset:
        # no location at all only happens in a dry run: show where a bucket would put the files
        base = vcfg.bucket.rstrip("/") if vcfg.bucket else PLACEHOLDER_BUCKET
        return {name: f"{base}/{display_name}/{path.name}" for name, path in files.items()}
    uris = {"train": vcfg.train_dataset}
    if vcfg.validation_dataset:
        uris["validation"] = vcfg.validation_dataset
    return uris


def build_request(vcfg: VertexConfig, uris: dict[str, str], display_name: str) -> dict[str, Any]:
    """Keyword arguments of `vertexai.preview.tuning.sft.train` (unset optional ones left out)."""
    request = {"source_model": vcfg.source_model, "train_dataset": uris["train"],
               "validation_dataset": uris.get("validation"), "epochs": vcfg.epochs,
               "adapter_size": vcfg.adapter_size, "learning_rate_multiplier": vcfg.learning_rate_multiplier,
               "tuned_model_display_name": display_name, "output_uri": vcfg.output_uri}
    return {k: v for k, v in request.items() if v is not None}


def default_project(vcfg: VertexConfig) -> str | None:
    return vcfg.project or os.environ.get("GOOGLE_CLOUD_PROJECT") or None


# --------------------------------------------------------------------------- Google side (lazy imports)
def google_context(vcfg: VertexConfig) -> dict[str, Any]:
    """Import the SDK and find credentials + project; every failure is one clear UserError line."""

    try:
        import google.auth
        import google.auth.exceptions
        import vertexai  # noqa: F401  (imported here only to fail early with the install hint)
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    try:
        credentials, auth_project = google.auth.default()
    except google.auth.exceptions.DefaultCredentialsError:
        raise UserError(NO_CREDENTIALS) from None
    project = default_project(vcfg) or auth_project
    if not project:
        raise UserError(NO_PROJECT)
    if vcfg.bucket:
        try:
            from google.cloud import storage  # noqa: F401
        except ImportError:
            raise UserError(f"uploading to vertex.bucket needs google-cloud-storage: {INSTALL_HINT}") from None
    return {"credentials": credentials, "project": project}


def google_api_errors() -> tuple[type[BaseException], ...]:
    """Errors Google's API returns (no permission, API not enabled, no such bucket, bad model)."""
    try:
        from google.api_core.exceptions import GoogleAPIError
    except ImportError:
        return ()
    return (GoogleAPIError,)


def upload(files: dict[str, Path], uris: dict[str, str], ctx: dict[str, Any]) -> None:
    from google.cloud import storage


    client = storage.Client(project=ctx["project"], credentials=ctx["credentials"])
    for name, path in files.items():
        bucket, _, blob = uris[name][len("gs://"):].partition("/")
        try:
            client.bucket(bucket).blob(blob).upload_from_filename(str(path))
        except google_api_errors() as exc:
            raise UserError(f"uploading {path} to {uris[name]} failed: {_one_line(exc)}") from None


def job_record(job, request: dict, ctx: dict[str, Any], location: str) -> dict[str, Any]:
    """What OUT/vertex/job.json holds: enough to find the job and the tuned model later."""
    state = getattr(job, "state", None)
    error = getattr(job, "error", None)
    return {"resource_name": getattr(job, "resource_name", None), "project": ctx["project"], "location": location,
            "state": getattr(state, "name", None if state is None else str(state)),
            "has_ended": bool(getattr(job, "has_ended", False)),
            "has_succeeded": bool(getattr(job, "has_succeeded", False)),
            "tuned_model_name": getattr(job, "tuned_model_name", None),
            "tuned_model_endpoint_name": getattr(job, "tuned_model_endpoint_name", None),
            "error": str(error) if error else None, "request": request,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def launch_and_wait(vcfg: VertexConfig, request: dict, ctx: dict[str, Any], job_path: Path, *,
                    console=None, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Submit the tuning job, then refresh it every poll_seconds until it ends or the timeout passes."""
    import vertexai
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from vertexai.preview.tuning import sft


    vertexai.init(project=ctx["project"], location=vcfg.location, credentials=ctx["credentials"])
    try:
        job = sft.train(**request)
    except google_api_errors() as exc:
        raise UserError(f"Vertex AI refused the tuning job: {_one_line(exc)}") from None
    record = job_record(job, request, ctx, vcfg.location)
    atomic_write_json(job_path, record)  # written at once: an interrupted wait still knows the job
    deadline = time.monotonic() + vcfg.timeout_minutes * 60
    with Progress(SpinnerColumn(), TextColumn("[bold]Vertex tuning[/] {task.fields[state]}"), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("vertex", total=None, state=record["state"] or "submitted")
        while not job.has_ended and time.monotonic() < deadline:
            sleep(max(0.0, min(vcfg.poll_seconds, deadline - time.monotonic())))
            job.refresh()
            record = job_record(job, request, ctx, vcfg.location)
            atomic_write_json(job_path, record)
            progress.update(task, state=record["state"] or "")
    record["timed_out"] = not record["has_ended"]
    atomic_write_json(job_path, record)
    return record


# --------------------------------------------------------------------------- command
def run_vertex(cfg, out: Path, *, dry_run: bool, force: bool, console=None,
               sleep: Callable[[float], None] = time.sleep) -> int:
    """The whole `train --backend vertex` command; returns the exit code (user errors raise)."""
    from rich.console import Console

    from routerforge.configtools import to_dict
    from routerforge.data.generate import generate_dataset
    from routerforge.models.prompts import system_prompt

    console = console or Console()
    out = Path(out)
    vcfg = VertexConfig.resolve(getattr(cfg, "vertex", None))
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists; pass --force to overwrite it")
    # Package, credentials, project and data location are checked before any work, so a missing
    # login costs nothing and leaves OUT untouched.
    ctx = None if dry_run else google_context(vcfg)
    if not dry_run and not (vcfg.bucket or vcfg.train_dataset):
        raise ConfigError(NO_DATA_LOCATION)

    out = prepare_run_dir(out, force=force)
    atomic_write_text(out / "config.yaml", yaml.safe_dump(
        {**to_dict(cfg), "vertex": vcfg.to_dict()}, sort_keys=False))
    generate_dataset(cfg.data, out / "data", force=True)
    system = system_prompt(style=cfg.prompt_style)
    files = export_vertex(out / "data", out / "vertex", system)
    display_name = vcfg.display_name or f"routerforge-{out.name}"
    uris = dataset_uris(vcfg, display_name, files)
    request = build_request(vcfg, uris, display_name)
    project = ctx["project"] if ctx else default_project(vcfg)
    plan = {"project": project, "location": vcfg.location, "sft.train": request,
            "files": {name: {"path": str(path), "rows": _count_lines(path), "upload_to": uris.get(name)}
                      for name, path in files.items()}}
    atomic_write_json(out / "vertex" / "request.json", plan)

    if dry_run:
        print(json.dumps(plan, indent=2))
        # notes go to stderr so stdout stays one JSON document
        if not project:
            print(f"note: {NO_PROJECT} before launching", file=sys.stderr)
        if not (vcfg.bucket or vcfg.train_dataset):
            print(f"note: {NO_DATA_LOCATION} before launching", file=sys.stderr)
        return 0

    if vcfg.bucket:
        console.print(f"uploading {', '.join(str(p) for p in files.values())} to {vcfg.bucket}")
        upload(files, uris, ctx)
    record = launch_and_wait(vcfg, request, ctx, out / "vertex" / "job.json", console=console, sleep=sleep)
    if record["timed_out"]:
        console.print(f"job {record['resource_name']} still {record['state']} after {vcfg.timeout_minutes:g} "
                      f"minutes; it keeps running on Vertex AI (see {out / 'vertex' / 'job.json'})")
        return 1
    if not record["has_succeeded"]:
        console.print(f"[red]Vertex tuning job {record['resource_name']} ended {record['state']}:[/] {record['error']}")
        return 1
    mark_complete(out)
    console.print(f"tuned model {record['tuned_model_name']}, endpoint {record['tuned_model_endpoint_name']}")
    return 0


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())
