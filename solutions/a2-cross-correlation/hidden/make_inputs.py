"""Write the hidden inputs of A2's function checks (grader-only: never released).

    python solutions/a2-cross-correlation/hidden/make_inputs.py

The outputs are not stored: the grader computes them with the solution's own
cells, so the files hold inputs only. Regenerating gives identical files.
"""

from pathlib import Path

import numpy as np

from autograder.common.cases import save_cases

HERE = Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(20261129)

    def normal(*shape: int) -> np.ndarray:
        return rng.normal(size=shape).round(4)

    save_cases(HERE / "corr2d.npz", [
        {"X": normal(*x), "K": normal(*k)}
        for x, k in [((5, 5), (3, 3)), ((8, 6), (2, 4)), ((4, 4), (4, 4)), ((7, 3), (1, 1)),
                     ((10, 12), (5, 3))]])
    save_cases(HERE / "output_size.npz", [
        {"n": n, "f": f, "stride": s, "pad": p}
        for n, f, s, p in [(32, 3, 1, 1), (227, 11, 4, 0), (64, 7, 2, 3), (9, 3, 3, 0),
                           (5, 5, 1, 0), (8, 3, 2, 0), (10, 4, 4, 1), (3, 7, 1, 1), (1, 1, 1, 0),
                           (224, 7, 2, 3)]])
    save_cases(HERE / "conv_params.npz", [
        {"f": f, "depth_in": d, "k": k}
        for f, d, k in [(3, 3, 64), (11, 3, 96), (1, 512, 128), (5, 6, 16), (7, 64, 1)]])
    save_cases(HERE / "conv2d.npz", [
        {"x": normal(*x), "w": normal(f, f, x[2], k), "b": normal(k), "stride": s, "pad": p}
        for x, f, k, s, p in [((6, 6, 1), 3, 1, 1, 0), ((9, 7, 3), 3, 4, 2, 1),
                              ((8, 8, 2), 5, 3, 1, 2), ((10, 9, 2), 4, 2, 3, 0),
                              ((5, 5, 4), 1, 6, 1, 0)]])
    pool_cases = [{"x": normal(*x), "f": f, "stride": s}
                  for x, f, s in [((8, 8, 2), 2, 2), ((9, 7, 3), 3, 2), ((5, 6, 1), 2, 1),
                                  ((4, 4, 5), 4, 4)]]
    save_cases(HERE / "max_pool2d.npz", pool_cases)
    save_cases(HERE / "avg_pool2d.npz", pool_cases)
    save_cases(HERE / "keras_conv2d.npz", [
        {"x": normal(*x).astype("float32"), "w": normal(f, g, x[2], k).astype("float32"),
         "b": normal(k).astype("float32"), "stride": s}
        for x, f, g, k, s in [((7, 7, 3), 3, 3, 2, 1), ((10, 8, 1), 2, 4, 3, 2)]])
    save_cases(HERE / "apply_kernel.npz", [
        {"image": normal(*shape), "kernel": normal(f, f)}
        for shape, f in [((6, 6), 3), ((9, 11), 5), ((4, 7), 1), ((12, 10), 3)]])
    # Part 8 (stride 1, no padding): (input shape, F, K) of the layer run backwards.
    backward_layers = [((6, 6, 1), 3, 1), ((8, 7, 3), 3, 4), ((5, 9, 2), 2, 3), ((7, 7, 4), 5, 2),
                       ((4, 6, 2), 1, 5), ((6, 5, 3), 4, 1)]
    save_cases(HERE / "conv2d_backward_input.npz", [
        {"grad_out": normal(h - f + 1, w - f + 1, k), "w": normal(f, f, c, k)}
        for (h, w, c), f, k in backward_layers])
    save_cases(HERE / "conv2d_backward_weights.npz", [
        {"x": normal(h, w, c), "grad_out": normal(h - f + 1, w - f + 1, k)}
        for (h, w, c), f, k in backward_layers])


if __name__ == "__main__":
    main()
