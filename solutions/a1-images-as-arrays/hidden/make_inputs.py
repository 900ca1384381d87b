"""Write the hidden inputs of A1's function checks (grader-only: never released).

    python solutions/a1-images-as-arrays/hidden/make_inputs.py

The outputs are not stored: the grader computes them with the solution's own
cells, so the files hold inputs only. Regenerating gives identical files.
"""

from pathlib import Path

import numpy as np

from autograder.common.cases import save_cases

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20261130)

    def pixels(*shape: int) -> np.ndarray:
        """A uint8 batch that holds both ends of the range, 0 and 255."""
        images = rng.integers(0, 256, size=shape, dtype=np.uint8)
        images.flat[0], images.flat[-1] = 0, 255
        return images

    def labels(n: int, k: int, column: bool, dtype: str = "uint8") -> np.ndarray:
        """n labels in 0 … k - 1, shaped (n,) like MNIST's or (n, 1) like CIFAR-10's."""
        values = rng.integers(0, k, size=n).astype(dtype)
        return values.reshape(-1, 1) if column else values

    # Grayscale (n, h, w) and colour (n, h, w, c) batches, square and not.
    shapes = [(3, 28, 28), (2, 32, 32, 3), (1, 5, 7), (4, 6, 6, 1), (2, 3, 9, 4), (5, 4, 4, 3)]
    save_cases(HERE / "dimensions.npz", [{"images": np.zeros(shape, np.uint8)}
                                         for shape in shapes])
    save_cases(HERE / "normalise.npz", [{"images": pixels(*shape)} for shape in
                                        [(3, 8, 8), (2, 6, 5, 3), (1, 28, 28), (4, 3, 3, 1)]])
    save_cases(HERE / "class_counts.npz", [
        {"labels": labels(20, 10, column=False), "n_classes": 10},
        {"labels": labels(15, 10, column=True), "n_classes": 10},
        {"labels": labels(9, 4, column=False, dtype="int64"), "n_classes": 4},
        {"labels": np.array([2], np.uint8), "n_classes": 3},
        {"labels": np.array([[0], [5], [5], [11], [0]], np.uint8), "n_classes": 12},
        {"labels": labels(200, 10, column=True), "n_classes": 10}])
    save_cases(HERE / "flatten.npz", [{"images": pixels(*shape)} for shape in
                                      [(2, 4, 4), (3, 5, 6, 3), (1, 28, 28), (2, 3, 3, 1),
                                       (2, 2, 7, 4)]])
    save_cases(HERE / "per_class_mean.npz", [
        {"images": pixels(12, 4, 4), "labels": labels(12, 3, column=False), "n_classes": 3},
        {"images": pixels(20, 5, 5, 3), "labels": labels(20, 10, column=True),
         "n_classes": 10},  # some classes have no images
        {"images": pixels(6, 3, 5), "labels": np.array([[1], [1], [1], [3], [3], [0]], np.uint8),
         "n_classes": 5},
        {"images": pixels(1, 6, 6, 3), "labels": np.array([0], np.uint8), "n_classes": 2},
        {"images": pixels(30, 8, 8), "labels": labels(30, 4, column=False, dtype="int64"),
         "n_classes": 4}])


if __name__ == "__main__":
    main()
