"""Every benchmark result records its CPU and the class its figures hold for (CPU faked)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AMX_CPU = ("model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
           "flags\t\t: avx2 avx512f avx512_bf16 amx_bf16\n")
AVX2_CPU = "model name\t: AMD EPYC 7B12\nflags\t\t: sse2 avx avx2 fma\n"


@pytest.fixture(scope="module")
def common():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "benchmarks/common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_native_cpu_is_recorded_with_its_model_flags_and_class(common):
    record = common.cpu_record(AVX2_CPU, environ={})
    assert record["model"] == "AMD EPYC 7B12"
    assert record["isa"] == ["avx2"]
    assert record["class"] == record["native_class"] == "avx2"
    assert record["onednn_max_cpu_isa"] is None
    assert len(record["load_average"]) == 3 and record["cores"] >= 1
    assert common.cpu_record(AMX_CPU, environ={})["class"] == "amx"


def test_the_avx2_emulation_is_recorded_as_such(common):
    record = common.cpu_record(AMX_CPU, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    assert record["class"] == "avx2 (emulated)" and record["native_class"] == "amx"
    assert record["isa"] == ["avx2", "avx512f", "avx512_bf16", "amx_bf16"]
    # capping an AVX2 CPU at AVX2 changes nothing: it is the class itself
    assert common.cpu_record(AVX2_CPU, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"})["class"] == "avx2"


@pytest.mark.parametrize("isa, name", [(["avx2", "avx512f", "avx512_bf16"], "avx512-bf16"),
                                       (["avx2", "avx512f"], "avx512"), ([], "other")])
def test_native_classes(common, isa, name):
    assert common.native_class(isa) == name


def test_the_emulation_sets_onednn_threads_and_cores(common, monkeypatch):
    import os

    for name in common.EMULATION["avx2"]:
        monkeypatch.delenv(name, raising=False)
    pinned = []
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cpus: pinned.append(list(cpus)))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    env = common.emulate_cpu_class("avx2")
    assert env["ONEDNN_MAX_CPU_ISA"] == os.environ["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert os.environ["OMP_NUM_THREADS"] == "2" and pinned == [[0, 1]]
    with pytest.raises(ValueError):
        common.emulate_cpu_class("avx512")


def test_the_assignments_benchmark_offers_the_emulation():
    text = (ROOT / "benchmarks/assignments.py").read_text()
    assert "--cpu-class" in text and "cpu_record()" in text and "--set" in text


def test_cpu_seconds_count_work_and_not_waiting(common):
    import time

    start = common.cpu_seconds()
    time.sleep(0.3)
    assert common.cpu_seconds() - start < 0.2
    start, deadline = common.cpu_seconds(), time.perf_counter() + 30
    while common.cpu_seconds() - start < 0.1 and time.perf_counter() < deadline:
        sum(range(10_000))  # busy: the CPU time grows, however shared the machine is
    assert common.cpu_seconds() - start >= 0.1


def test_the_recipe_benchmark_counts_the_reference_as_the_readme_does():
    path = ROOT / "benchmarks/a4_recipes.py"
    spec = importlib.util.spec_from_file_location("bench_recipes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    reference = module.CANDIDATES["reference"]["blocks"]
    # benchmarks/README.md: 29.2 M multiply-adds per image forward
    assert round(module.multiply_adds(reference) / 1e6, 1) == 29.2
    assert module.multiply_adds(module.CANDIDATES["plain4"]["blocks"]) < 0.55 * 29.2e6
    # pooling first moves a block's later convolutions to the pooled map; plain4 has none
    pooled = module.CANDIDATES["plain4-pool-first"]
    assert module.multiply_adds(pooled["blocks"], True) == module.multiply_adds(pooled["blocks"])
    assert module.multiply_adds([(32, 2), (64, 1)], True) < module.multiply_adds([(32, 2), (64, 1)])


def test_the_readme_thread_count_claims_are_the_measured_ones():
    """README, 'Every submission gets the same thread count': each count repeats its own
    accuracy exactly, the two counts differ, and the timings quoted are the file's."""
    import json

    path = ROOT / "benchmarks/results/thread_counts.json"
    results = json.loads(path.read_text())["results"]
    readme = (ROOT / "README.md").read_text()
    assert set(results) == {"a3-mnist-cnn", "a4-cifar10-cnn"}
    for summary in (result["summary"] for result in results.values()):
        one, two = summary["threads_1"], summary["threads_2"]
        assert len(one["accuracies"]) == len(two["accuracies"]) == 1
        assert one["accuracies"] != two["accuracies"]
        for quoted in (f"{one['accuracies'][0]:.4f}", f"{two['accuracies'][0]:.4f}",
                       f"{one['training_seconds_median']:.2f} s",
                       f"{two['training_seconds_median']:.2f} s",
                       f"{summary['training_speedup_two_threads']:.2f}×"):
            assert quoted in readme, quoted
    assert results["a3-mnist-cnn"]["summary"]["training_speedup_two_threads"] < 1
