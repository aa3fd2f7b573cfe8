"""`routerforge train --backend vertex`: the dry-run request and JSONL export, the clear one-line
errors (no package, no credentials, no project, existing OUT), and the launch/poll loop against fake
Google modules (nothing here touches the network or needs google-cloud-aiplatform)."""

import json
import sys
import types

import pytest

from routerforge.cli import main
from routerforge.formats.decision import parse_decision
from routerforge.models.prompts import system_prompt, target_text
from routerforge.train.vertex import NO_CREDENTIALS, NO_PROJECT, VertexConfig

CONFIG = "seed: 1\nprompt_style: {style}\ndata:\n  examples: 60\n  seed: 3\n"


@pytest.fixture
def config(tmp_path, monkeypatch):
    for key in ("GOOGLE_CLOUD_PROJECT", *(f"ROUTERFORGE_VERTEX_{f.upper()}" for f in VertexConfig.__dataclass_fields__)):
        monkeypatch.delenv(key, raising=False)
    path = tmp_path / "cfg.yaml"
    path.write_text(CONFIG.format(style="compact"))
    return path


def _train(config, out, *extra):
    return main(["train", "--backend", "vertex", "--config", str(config), "--out", str(out), *extra])


def _no_google(monkeypatch):
    """Make `import vertexai` / `import google.auth` fail even where the packages are installed."""
    for name in ("vertexai", "google.auth", "google.cloud.storage"):
        monkeypatch.setitem(sys.modules, name, None)


def _check_vertex_line(row, system):
    assert set(row) == {"systemInstruction", "contents"}
    assert row["systemInstruction"] == {"role": "system", "parts": [{"text": system}]}
    user, model = row["contents"]
    assert user["role"] == "user" and model["role"] == "model"
    for turn in (user, model):
        assert set(turn) == {"role", "parts"} and len(turn["parts"]) == 1
        assert set(turn["parts"][0]) == {"text"} and turn["parts"][0]["text"].strip()
    return user["parts"][0]["text"], model["parts"][0]["text"]


def test_dry_run_prints_request_and_writes_vertex_jsonl(config, tmp_path, monkeypatch, capsys):
    _no_google(monkeypatch)  # a dry run needs no Google package
    monkeypatch.setenv("ROUTERFORGE_VERTEX_BUCKET", "gs://my-bucket/tuning")
    monkeypatch.setenv("ROUTERFORGE_VERTEX_EPOCHS", "5")
    monkeypatch.setenv("ROUTERFORGE_VERTEX_ADAPTER_SIZE", "8")
    monkeypatch.setenv("ROUTERFORGE_VERTEX_LEARNING_RATE_MULTIPLIER", "0.5")
    monkeypatch.setenv("ROUTERFORGE_VERTEX_PROJECT", "0123")  # stays text
    out = tmp_path / "vx"
    assert _train(config, out, "--dry-run") == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["project"] == "0123" and plan["location"] == "us-central1"
    assert plan["sft.train"] == {
        "source_model": "gemini-2.0-flash-001",
        "train_dataset": "gs://my-bucket/tuning/routerforge-vx/train.jsonl",
        "validation_dataset": "gs://my-bucket/tuning/routerforge-vx/validation.jsonl",
        "epochs": 5, "adapter_size": 8, "learning_rate_multiplier": 0.5,
        "tuned_model_display_name": "routerforge-vx",
    }
    assert json.loads((out / "vertex" / "request.json").read_text()) == plan
    assert not (out / "vertex" / "job.json").exists() and not (out / "COMPLETE").exists()

    system = system_prompt(style="compact")
    for split, name in (("train", "train"), ("val", "validation")):
        data = [json.loads(line) for line in (out / "data" / f"{split}.jsonl").read_text().splitlines()]
        lines = (out / "vertex" / f"{name}.jsonl").read_text().splitlines()
        assert len(lines) == len(data) == plan["files"][name]["rows"] > 0
        for line, row in zip(lines, data):
            query, target = _check_vertex_line(json.loads(line), system)
            assert query == row["query"] and target == target_text(row["expert"], row["spec"])
            assert parse_decision(target).expert == row["expert"]


def test_dry_run_uses_the_config_section_and_the_prompt_style(config, tmp_path, capsys):
    from routerforge.train.cli import build_config
    from routerforge.train.vertex import run_vertex

    config.write_text(CONFIG.format(style="full"))
    args = types.SimpleNamespace(set=[], model=None, seed=None, examples=None, sft_epochs=None,
                                 rl_iterations=None, config=str(config))
    cfg = build_config(args)
    cfg.vertex = {"project": "p", "train_dataset": "gs://b/t.jsonl", "display_name": "router-x", "epochs": 2}
    assert run_vertex(cfg, tmp_path / "out", dry_run=True, force=False) == 0
    request = json.loads(capsys.readouterr().out)["sft.train"]
    assert request["train_dataset"] == "gs://b/t.jsonl" and "validation_dataset" not in request
    assert request["tuned_model_display_name"] == "router-x" and request["epochs"] == 2
    first = json.loads((tmp_path / "out" / "vertex" / "train.jsonl").read_text().splitlines()[0])
    assert first["systemInstruction"]["parts"][0]["text"] == system_prompt(style="full")


def test_config_section_wins_over_env_and_bad_values_are_rejected(monkeypatch):
    env = {"ROUTERFORGE_VERTEX_EPOCHS": "7", "ROUTERFORGE_VERTEX_LOCATION": "europe-west4"}
    vcfg = VertexConfig.from_dict({"epochs": 2}, environ=env)
    assert (vcfg.epochs, vcfg.location) == (2, "europe-west4")
    for bad in ({"adapter_size": 3}, {"bucket": "my-bucket"}, {"epochs": 0}, {"poll_seconds": -1},
                {"typo": 1}, {"bucket": "gs://b", "train_dataset": "gs://b/t.jsonl"}):
        with pytest.raises(ValueError):
            VertexConfig.from_dict(bad, environ={})


def test_bad_vertex_setting_is_one_line_exit_2(config, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ROUTERFORGE_VERTEX_ADAPTER_SIZE", "5")
    assert _train(config, tmp_path / "vx", "--dry-run") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "adapter_size" in err
    assert not (tmp_path / "vx").exists()


def test_existing_out_needs_force(config, tmp_path, capsys):
    out = tmp_path / "vx"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert _train(config, out, "--dry-run") == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    assert _train(config, out, "--dry-run", "--force") == 0
    assert not (out / "keep.txt").exists() and (out / "vertex" / "train.jsonl").is_file()


def test_missing_package_is_a_clear_error(config, tmp_path, monkeypatch, capsys):
    _no_google(monkeypatch)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "p")
    assert _train(config, tmp_path / "vx") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'routerforge[vertex]'" in err
    assert not (tmp_path / "vx").exists()


# --------------------------------------------------------------------------- fake Google SDK
class FakeJob:
    def __init__(self, states):
        self.states = list(states)
        self.resource_name = "projects/p/locations/us-central1/tuningJobs/42"
        self.refreshes = 0

    @property
    def state(self):
        return types.SimpleNamespace(name=self.states[min(self.refreshes, len(self.states) - 1)])

    @property
    def has_ended(self):
        return self.state.name in ("JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED")

    @property
    def has_succeeded(self):
        return self.state.name == "JOB_STATE_SUCCEEDED"

    @property
    def tuned_model_name(self):
        return "projects/p/locations/us-central1/models/7@1" if self.has_succeeded else None

    tuned_model_endpoint_name = None
    error = None

    def refresh(self):
        self.refreshes += 1
        return self


@pytest.fixture
def fake_google(monkeypatch):
    """Installs fake `google.auth`, `google.cloud.storage` and `vertexai` modules; returns the log."""
    log = {"project": "auth-project", "credentials": True, "states": ["JOB_STATE_RUNNING"] * 2 + ["JOB_STATE_SUCCEEDED"],
           "uploads": {}, "train": None, "init": None}

    class DefaultCredentialsError(Exception):
        pass

    def default():
        if not log["credentials"]:
            raise DefaultCredentialsError("nope")
        return object(), log["project"]

    class Client:
        def __init__(self, project=None, credentials=None):
            pass

        def bucket(self, name):
            return types.SimpleNamespace(blob=lambda blob: types.SimpleNamespace(
                upload_from_filename=lambda path: log["uploads"].__setitem__(f"gs://{name}/{blob}", path)))

    def train(**kwargs):
        log["train"] = kwargs
        log["job"] = FakeJob(log["states"])
        return log["job"]

    mods = {
        "google": types.ModuleType("google"), "google.auth": types.ModuleType("google.auth"),
        "google.auth.exceptions": types.ModuleType("google.auth.exceptions"),
        "google.cloud": types.ModuleType("google.cloud"), "google.cloud.storage": types.ModuleType("google.cloud.storage"),
        "vertexai": types.ModuleType("vertexai"), "vertexai.preview": types.ModuleType("vertexai.preview"),
        "vertexai.preview.tuning": types.ModuleType("vertexai.preview.tuning"),
        "vertexai.preview.tuning.sft": types.ModuleType("vertexai.preview.tuning.sft"),
    }
    mods["google.auth"].default = default
    mods["google.auth.exceptions"].DefaultCredentialsError = DefaultCredentialsError
    mods["google.cloud.storage"].Client = Client
    mods["vertexai"].init = lambda **kw: log.__setitem__("init", kw)
    mods["vertexai.preview.tuning.sft"].train = train
    for parent, child in (("google", "auth"), ("google.auth", "exceptions"), ("google", "cloud"),
                          ("google.cloud", "storage"), ("vertexai", "preview"), ("vertexai.preview", "tuning"),
                          ("vertexai.preview.tuning", "sft")):
        setattr(mods[parent], child, mods[f"{parent}.{child}"])
    for name, module in mods.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setenv("ROUTERFORGE_VERTEX_POLL_SECONDS", "0.001")
    return log


def test_missing_credentials_is_a_clear_error(config, tmp_path, fake_google, capsys):
    fake_google["credentials"] = False
    assert _train(config, tmp_path / "vx") == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {NO_CREDENTIALS}"
    assert not (tmp_path / "vx").exists()


def test_missing_project_is_a_clear_error(config, tmp_path, fake_google, capsys):
    fake_google["project"] = None  # no vertex.project, no GOOGLE_CLOUD_PROJECT, no gcloud default
    assert _train(config, tmp_path / "vx") == 2
    assert capsys.readouterr().err.strip() == f"error: {NO_PROJECT}"
    assert not (tmp_path / "vx").exists()


def test_missing_data_location_is_a_clear_error(config, tmp_path, fake_google, capsys):
    assert _train(config, tmp_path / "vx") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "vertex.bucket" in err


def test_launch_uploads_polls_and_records_the_job(config, tmp_path, fake_google, monkeypatch):
    monkeypatch.setenv("ROUTERFORGE_VERTEX_BUCKET", "gs://bkt/pre")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    out = tmp_path / "vx"
    assert _train(config, out) == 0
    assert fake_google["init"]["project"] == "env-project" and fake_google["init"]["location"] == "us-central1"
    assert fake_google["uploads"] == {"gs://bkt/pre/routerforge-vx/train.jsonl": str(out / "vertex" / "train.jsonl"),
                                      "gs://bkt/pre/routerforge-vx/validation.jsonl": str(out / "vertex" / "validation.jsonl")}
    assert fake_google["train"]["train_dataset"] == "gs://bkt/pre/routerforge-vx/train.jsonl"
    assert fake_google["train"]["adapter_size"] == 4 and fake_google["job"].refreshes == 2
    job = json.loads((out / "vertex" / "job.json").read_text())
    assert job["state"] == "JOB_STATE_SUCCEEDED" and job["has_succeeded"] and not job["timed_out"]
    assert job["tuned_model_name"].endswith("models/7@1") and job["request"] == fake_google["train"]
    assert (out / "COMPLETE").is_file()


def test_failed_job_exits_1(config, tmp_path, fake_google, monkeypatch):
    monkeypatch.setenv("ROUTERFORGE_VERTEX_TRAIN_DATASET", "gs://b/train.jsonl")
    fake_google["states"] = ["JOB_STATE_RUNNING", "JOB_STATE_FAILED"]
    assert _train(config, tmp_path / "vx") == 1
    assert fake_google["uploads"] == {}  # the user's own URI: nothing uploaded
    assert json.loads((tmp_path / "vx" / "vertex" / "job.json").read_text())["state"] == "JOB_STATE_FAILED"
    assert not (tmp_path / "vx" / "COMPLETE").exists()


def test_wait_is_bounded_by_the_timeout(config, tmp_path, fake_google, monkeypatch):
    monkeypatch.setenv("ROUTERFORGE_VERTEX_TRAIN_DATASET", "gs://b/train.jsonl")
    monkeypatch.setenv("ROUTERFORGE_VERTEX_TIMEOUT_MINUTES", "0.002")  # 0.12 s
    fake_google["states"] = ["JOB_STATE_RUNNING"]
    assert _train(config, tmp_path / "vx") == 1
    job = json.loads((tmp_path / "vx" / "vertex" / "job.json").read_text())
    assert job["timed_out"] and job["state"] == "JOB_STATE_RUNNING"
    assert job["resource_name"].endswith("tuningJobs/42")


def test_vertex_section_of_the_config_file(config, tmp_path, capsys):
    import dataclasses

    from routerforge.train.config import PipelineConfig

    if "vertex" not in {f.name for f in dataclasses.fields(PipelineConfig)}:
        pytest.skip("PipelineConfig has no `vertex` field yet")
    config.write_text(CONFIG.format(style="compact") + "vertex:\n  project: p\n  bucket: gs://b\n  epochs: 9\n")
    assert _train(config, tmp_path / "vx", "--dry-run", "--set", "vertex.adapter_size=16") == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["project"] == "p" and plan["sft.train"]["epochs"] == 9 and plan["sft.train"]["adapter_size"] == 16
    assert plan["sft.train"]["train_dataset"] == "gs://b/routerforge-vx/train.jsonl"


def test_api_refusal_is_one_line_exit_2(config, tmp_path, fake_google, monkeypatch, capsys):
    class PermissionDenied(Exception):
        pass

    import routerforge.train.vertex as vertex

    monkeypatch.setattr(vertex, "google_api_errors", lambda: (PermissionDenied,))

    def refuse(**kwargs):
        raise PermissionDenied("403 Vertex AI API has not been used in project p\nbefore or it is disabled")

    monkeypatch.setattr(sys.modules["vertexai.preview.tuning.sft"], "train", refuse)
    monkeypatch.setenv("ROUTERFORGE_VERTEX_TRAIN_DATASET", "gs://b/train.jsonl")
    assert _train(config, tmp_path / "vx") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused the tuning job: 403 Vertex AI API" in err
