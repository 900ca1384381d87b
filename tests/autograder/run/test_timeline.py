"""The notebook run's phases, read from the runner's clock in its status file."""

from __future__ import annotations

import nbformat

from autograder.run.worker import notebook_timeline


def notebook() -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell("# title"),
             nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_code_cell("SEED = 0", metadata={"tags": ["injected-parameters"]}),
             nbformat.v4.new_code_cell("train()",
                                       metadata={"nbgrader": {"grade_id": "train"}})]
    return nbformat.v4.new_notebook(cells=cells)


def test_phases_come_from_the_runners_clock():
    status = {"clock": {"started": 100.4, "kernel_requested": 100.6, "kernel_ready": 101.0,
                        "finished": 110.0},
              "cell_seconds": {"1": 0.5, "2": 0.1, "3": 8.0}}
    timeline = notebook_timeline(status, notebook(), launched=100.0, ended=110.25)
    assert timeline.phases == {"sandbox_start": 0.4, "runner_start": 0.2, "kernel_start": 0.4,
                               "cells": 8.6, "cell_saves": 0.4, "sandbox_stop": 0.25}
    assert abs(timeline.total - 10.25) < 1e-6  # the sandbox's whole run, nothing lost
    assert [(c.number, c.seconds, c.cell) for c in timeline.cells] == [
        (1, 0.5, ""), (0, 0.1, "injected-parameters"), (2, 8.0, "train")]


def test_a_runner_killed_before_its_kernel_leaves_one_phase():
    timeline = notebook_timeline({}, notebook(), launched=5.0, ended=7.5)
    assert timeline.phases == {"sandbox_start": 2.5}
    assert timeline.cells == []


def test_a_kernel_that_died_counts_up_to_the_sandboxs_end():
    status = {"clock": {"kernel_requested": 1.0, "kernel_ready": 2.0},
              "cell_seconds": {"1": 3.0}}
    timeline = notebook_timeline(status, notebook(), launched=0.5, ended=6.0)
    assert timeline.phases["cells"] == 3.0
    assert timeline.phases["cell_saves"] == 1.0
    assert "sandbox_stop" in timeline.phases and timeline.phases["sandbox_stop"] == 0.0
