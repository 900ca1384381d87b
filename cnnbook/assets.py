"""Small trained artefacts that ship with the library (weights, metrics).

Each is produced by a committed script under `scripts/`, run on the real
datasets; the JSON beside each model records the command, date and machine.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

PRODUCED_BY = {
    "small_cnn": "CNNBOOK_DATA=DIR python scripts/train_small_cnn.py",
    "cifar5_base": "CNNBOOK_DATA=DIR python scripts/train_transfer.py",
    "transfer": "CNNBOOK_DATA=DIR python scripts/train_transfer.py",
    "toolkit": "python scripts/train_toolkit.py",
    "overfit": "CNNBOOK_DATA=DIR python scripts/train_overfit.py",
    "degradation": "CNNBOOK_DATA=DIR python scripts/train_degradation.py",
    "a4_recipe": "python benchmarks/a4_recipes.py summary (after its speed and train runs)",
}


def path(name: str) -> Path:
    """The file `name` (e.g. "small_cnn.keras") in the package's assets folder."""
    found = Path(str(resources.files("cnnbook") / "assets" / name))
    if not found.is_file():
        stem = name.split(".")[0]
        hint = PRODUCED_BY.get(stem, "the script under scripts/ that makes it")
        raise FileNotFoundError(f"asset {name} is missing; rebuild it with: {hint}")
    return found


def load_metrics(name: str) -> dict[str, Any]:
    """The metrics JSON of an asset, e.g. load_metrics("small_cnn")."""
    return json.loads(path(f"{name}.json").read_text(encoding="utf-8"))


def load_model(name: str) -> Any:
    """A trained model shipped with the library, loaded safely (built-in layers only)."""
    import keras

    return keras.saving.load_model(path(f"{name}.keras"), safe_mode=True)


def provenance(command: str) -> dict[str, Any]:
    """Where a measured result came from: the command, the date, the machine, the stack."""
    import datetime as dt
    import os
    import platform

    record: dict[str, Any] = {
        "command": command,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count()},
    }
    try:
        import keras

        record["machine"]["keras"] = keras.__version__
        record["machine"]["backend"] = keras.backend.backend()
    except ImportError:  # pragma: no cover - keras is a course dependency
        pass
    return record


def write_json_atomically(target: Path, payload: dict[str, Any]) -> None:
    """Write JSON to a temporary file beside `target`, then rename it into place."""
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(target)
