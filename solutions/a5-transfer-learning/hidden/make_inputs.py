"""Write the hidden inputs of A5's function checks (grader-only: never released).

    python solutions/a5-transfer-learning/hidden/make_inputs.py

The outputs are not stored: the grader computes them with the solution's own
cells, so the files hold inputs only. Regenerating gives identical files.
"""

from pathlib import Path

import numpy as np

from autograder.common.cases import save_cases

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20261205)

    def labels(n: int, k: int, column: bool) -> np.ndarray:
        y = rng.integers(0, k, size=n).astype(np.uint8)
        return y[:, None] if column else y

    # per_class cannot be None in an .npz: a large value stands for "all of them".
    save_cases(HERE / "select_classes.npz", [
        {"x": rng.integers(0, 256, size=(40, 4, 4, 3)).astype(np.uint8),
         "y": labels(40, 10, True), "classes": [5, 6, 7, 8, 9], "per_class": 3},
        {"x": np.arange(30) * 7, "y": labels(30, 5, False), "classes": [2, 0], "per_class": 100},
        {"x": rng.normal(size=(50, 2)).round(4), "y": labels(50, 4, True),
         "classes": [3, 1, 2], "per_class": 1},
        {"x": np.arange(20), "y": labels(20, 3, False), "classes": [1, 9], "per_class": 5},
        {"x": rng.integers(0, 256, size=(60, 2, 2, 3)).astype(np.uint8),
         "y": labels(60, 10, True), "classes": [9, 0, 4], "per_class": 4},
    ])
    save_cases(HERE / "transfer_summary.npz", [
        {"method": method, "n_classes": n_classes}
        for method, n_classes in [("feature_extraction", 5), ("fine_tuning", 5), ("scratch", 5),
                                  ("fine_tuning", 3), ("feature_extraction", 10),
                                  ("scratch", 2), ("transfer", 5), ("Fine_Tuning", 5)]])


if __name__ == "__main__":
    main()
