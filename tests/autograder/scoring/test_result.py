"""The typed result: what result.json holds, written and read back unchanged."""

from __future__ import annotations

import json

from autograder.scoring.reasons import reason
from autograder.scoring.result import ERROR, GRADED, Part, Result


def sample() -> Result:
    return Result(
        "s001", "a2", GRADED,
        parts=[Part("test_corr2d", 2.0, 0.0, False,
                    reason("hidden_case", index=2, total=4, arguments="image=array(5, 5)",
                           problem=reason("wrong_values"))),
               Part("test_model", 3.0, 3.0, True, reason("accuracy", accuracy=0.99))],
        reasons=[reason("timeout", cell=7), reason("edited_cell", cell="setup")],
        language="el", profile="cpu", max_score=5.0, seconds=12.5, notebook_seconds=10.0,
        isolation="bubblewrap", kernel="warm", peak_memory_mb=812,
        graded_at="2026-12-07T12:00:00+00:00", submission_sha256="ab" * 32)


def test_result_json_keeps_todays_keys_and_texts():
    data = sample().to_json()
    assert list(data)[:7] == ["student", "assignment", "language", "profile", "status",
                              "reason", "reasons"]
    assert data["reason"] == ("timeout in cell 7; edited read-only cell setup "
                              "(restored from the source)")
    assert data["score"] == 3.0
    part = data["parts"][0]
    assert part["reason"] == "hidden case 2 of 4 (image=array(5, 5)): wrong values"
    assert part["reason_code"] == "hidden_case"
    assert part["reason_params"]["problem"] == {"code": "wrong_values", "params": {}}


def test_round_trip_through_json_text():
    result = sample()
    again = Result.from_json(json.loads(json.dumps(result.to_json())))
    assert again.to_json() == result.to_json()


def test_results_written_before_codes_read_back():
    old = sample().to_json()
    del old["reasons"]
    for part in old["parts"]:
        part.pop("reason_code", None)
        part.pop("reason_params", None)
    again = Result.from_json(old)
    assert again.to_json()["reason"] == old["reason"]
    assert again.parts[0].reason.text("el") == \
        "κρυφή περίπτωση 2 από 4 (image=array(5, 5)): λανθασμένες τιμές"


def test_errors_are_built_in_one_place():
    error = Result.error("s001", "a2", "worker died (boom)", "traceback…")
    assert error.status == ERROR and error.parts == [] and error.score == 0
    assert error.to_json()["reason"] == "grader error: worker died (boom)"
    assert "detail" not in error.to_json() and "executed" not in error.to_json()


def test_timeline_round_trip_and_overhead():
    from autograder.scoring.result import PHASES, CellTime, Timeline

    timeline = Timeline()
    for phase, seconds in (("record", 0.1), ("cells", 5.0), ("prepare", 0.2),
                           ("sandbox_start", 0.5)):
        timeline.add(phase, seconds)
    timeline.add("cells", 1.0)  # phases accumulate
    timeline.cells = [CellTime(1, 0.5, "setup"), CellTime(2, 5.5)]
    result = sample()
    result.timeline = timeline
    data = result.to_json()["timeline"]
    assert list(data["phases"]) == ["prepare", "sandbox_start", "cells", "record"]  # PHASES order
    assert data["phases"]["cells"] == 6.0
    assert data["overhead"] == 0.8  # everything but the notebook's own cells
    assert data["cells"] == [{"number": 1, "seconds": 0.5, "cell": "setup"},
                             {"number": 2, "seconds": 5.5}]
    again = Result.from_json(json.loads(json.dumps(result.to_json())))
    assert again.timeline == timeline
    assert set(timeline.phases) <= set(PHASES)


def test_a_result_without_timeline_writes_none():
    assert "timeline" not in sample().to_json()
    assert not Result.from_json(sample().to_json()).timeline
