"""NumPy reference implementations of cross-correlation, convolution and pooling.

They follow Keras's conventions, so their results can be checked against
`keras.layers.Conv2D`, `MaxPooling2D` and `AveragePooling2D` with the same
weights: channels-last inputs (H, W, C) or (N, H, W, C), kernels of shape
(F_h, F_w, C_in, K), and `"valid"`/`"same"` padding with TensorFlow's split
(the odd padding pixel goes after). Like Keras, a stride that does not divide
evenly drops the last partial window; `cnnbook.arithmetic` is the strict version.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Pair = tuple[int, int]


def corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Single-channel cross-correlation: Y[i, j] = Σ_a Σ_b X[i + a, j + b] · K[a, b].

    >>> corr2d(np.arange(9).reshape(3, 3), np.arange(4).reshape(2, 2))
    array([[19, 25],
           [37, 43]])
    """
    X, K = np.asarray(X), np.asarray(K)
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(f"corr2d takes 2-D arrays, got X{X.shape} and K{K.shape}")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"kernel {K.shape} is larger than the input {X.shape}")
    windows = sliding_window_view(X, K.shape)  # (H - h + 1, W - w + 1, h, w)
    return np.einsum("ijab,ab->ij", windows, K)


def _pair(name: str, value: int | Pair) -> Pair:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(isinstance(v, bool) or int(v) != v or v < 0 for v in pair):
        raise ValueError(f"{name} must be a non-negative integer or a pair of them, "
                         f"not {value!r}")
    return int(pair[0]), int(pair[1])


def _batched(x: np.ndarray) -> tuple[np.ndarray, bool]:
    x = np.asarray(x)
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"expected an image (H, W, C) or a batch (N, H, W, C), got shape {x.shape}")


def _padding_amounts(size: int, f: int, stride: int, pad: int | str) -> tuple[int, int]:
    """Zero padding before and after one spatial axis."""
    if pad == "valid":
        return 0, 0
    if pad == "same":
        total = max((math.ceil(size / stride) - 1) * stride + f - size, 0)
        return total // 2, total - total // 2
    if isinstance(pad, str):
        raise ValueError(f"padding must be 'valid', 'same' or an integer, not {pad!r}")
    return pad, pad


def _pad_spec(x: np.ndarray, window: Pair, stride: Pair, pad: int | Pair | str):
    pads = pad if isinstance(pad, str) else _pair("pad", pad)
    return [_padding_amounts(x.shape[1 + axis], window[axis], stride[axis],
                             pads if isinstance(pads, str) else pads[axis])
            for axis in (0, 1)]


def _windows(x: np.ndarray, window: Pair, stride: Pair, padding: list[Pair],
             fill: float) -> np.ndarray:
    """Strided windows (N, H2, W2, C, F_h, F_w) over a padded batch."""
    padded = np.pad(x, [(0, 0), padding[0], padding[1], (0, 0)], constant_values=fill)
    if padded.shape[1] < window[0] or padded.shape[2] < window[1]:
        raise ValueError(f"window {window} is larger than the padded input "
                         f"{padded.shape[1:3]}")
    views = sliding_window_view(padded, window, axis=(1, 2))
    return views[:, ::stride[0], ::stride[1]]


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None,
           stride: int | Pair = 1, pad: int | Pair | str = 0) -> np.ndarray:
    """Multi-channel, multi-filter cross-correlation, as `keras.layers.Conv2D` computes it.

    x: (H, W, C) or (N, H, W, C); w: (F_h, F_w, C, K); b: (K,) or None.
    pad: an integer (or pair) of zeros on each side, or "valid" / "same".
    Returns (H2, W2, K), or (N, H2, W2, K) for a batch.
    """
    batch, single = _batched(x)
    w = np.asarray(w)
    if w.ndim != 4 or w.shape[2] != batch.shape[3]:
        raise ValueError(f"kernel must be (F_h, F_w, {batch.shape[3]}, K) for "
                         f"{batch.shape[3]} input channels, got {w.shape}")
    steps = _pair("stride", stride)
    if 0 in steps:
        raise ValueError("stride must be at least 1")
    window = (w.shape[0], w.shape[1])
    views = _windows(batch, window, steps, _pad_spec(batch, window, steps, pad), 0.0)
    out = np.einsum("nhwcab,abck->nhwk", views, w)
    if b is not None:
        out = out + np.asarray(b).reshape(1, 1, 1, -1)
    return out[0] if single else out


def _pool(x: np.ndarray, f: int | Pair, stride: int | Pair | None, padding: str,
          reduce: str) -> np.ndarray:
    batch, single = _batched(x)
    window = _pair("pool size", f)
    steps = window if stride is None else _pair("stride", stride)
    if 0 in window or 0 in steps:
        raise ValueError("pool size and stride must be at least 1")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    pads = _pad_spec(batch, window, steps, padding)
    data = batch.astype(np.float64)
    if reduce == "max":
        return _squeeze(_windows(data, window, steps, pads, -np.inf).max(axis=(4, 5)), single)
    # Average over real pixels only: padded positions are neither summed nor counted.
    total = _windows(data, window, steps, pads, 0.0).sum(axis=(4, 5))
    count = _windows(np.ones_like(data[..., :1]), window, steps, pads, 0.0).sum(axis=(4, 5))
    return _squeeze(total / count, single)


def _squeeze(out: np.ndarray, single: bool) -> np.ndarray:
    return out[0] if single else out


def max_pool2d(x: np.ndarray, f: int | Pair = 2, stride: int | Pair | None = None,
               padding: str = "valid") -> np.ndarray:
    """Max pooling over F×F windows per channel (stride defaults to F)."""
    return _pool(x, f, stride, padding, "max")


def avg_pool2d(x: np.ndarray, f: int | Pair = 2, stride: int | Pair | None = None,
               padding: str = "valid") -> np.ndarray:
    """Average pooling over F×F windows per channel (stride defaults to F)."""
    return _pool(x, f, stride, padding, "avg")


# ------------------------------------------------------------ backpropagation


def conv2d_backward(x: np.ndarray, w: np.ndarray, grad_out: np.ndarray,
                    stride: int | Pair = 1, pad: int | Pair | str = 0,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss through `conv2d(x, w, b, stride, pad)`, given dL/d(output).

    Returns (dL/dx, dL/dw, dL/db) with the shapes of x, w and b. Each input pixel
    collects, through every window that covered it, the output gradient times the
    weight it was multiplied by: for stride 1 this is the full convolution of
    grad_out with the kernel flipped in both spatial axes.
    """
    batch, single = _batched(x)
    grads, _ = _batched(grad_out)
    w = np.asarray(w)
    steps = _pair("stride", stride)
    window = (w.shape[0], w.shape[1])
    padding = _pad_spec(batch, window, steps, pad)
    views = _windows(batch, window, steps, padding, 0.0)  # (N, H2, W2, C, F_h, F_w)
    if grads.shape[:3] != views.shape[:3] or grads.shape[3] != w.shape[3]:
        raise ValueError(f"grad_out must have the output's shape {views.shape[:3]} + "
                         f"({w.shape[3]},), got {grads.shape}")
    grad_w = np.einsum("nhwcab,nhwk->abck", views, grads)
    grad_b = grads.sum(axis=(0, 1, 2))
    padded_shape = (batch.shape[0], batch.shape[1] + sum(padding[0]),
                    batch.shape[2] + sum(padding[1]), batch.shape[3])
    grad_padded = np.zeros(padded_shape, dtype=np.result_type(grads, w, np.float64))
    h_out, w_out = grads.shape[1], grads.shape[2]
    for a in range(window[0]):  # scatter each kernel tap's contribution back at once
        for b in range(window[1]):
            rows = slice(a, a + steps[0] * (h_out - 1) + 1, steps[0])
            cols = slice(b, b + steps[1] * (w_out - 1) + 1, steps[1])
            grad_padded[:, rows, cols, :] += np.einsum("nijk,ck->nijc", grads, w[a, b])
    grad_x = grad_padded[:, padding[0][0]:padded_shape[1] - padding[0][1],
                         padding[1][0]:padded_shape[2] - padding[1][1], :]
    return (grad_x[0] if single else grad_x), grad_w, grad_b


def max_pool2d_backward(x: np.ndarray, grad_out: np.ndarray, f: int | Pair = 2,
                        stride: int | Pair | None = None) -> np.ndarray:
    """dL/dx through `max_pool2d(x, f, stride)` ("valid"), given dL/d(output).

    Each window passes its output gradient to the one input that was its maximum
    (the first one, on ties) and nothing to the others; overlapping windows add up.
    """
    batch, single = _batched(x)
    grads, _ = _batched(grad_out)
    window = _pair("pool size", f)
    steps = window if stride is None else _pair("stride", stride)
    views = _windows(batch.astype(np.float64), window, steps, [(0, 0), (0, 0)], -np.inf)
    if grads.shape != views.shape[:4]:
        raise ValueError(f"grad_out must have the pooled shape {views.shape[:4]}, "
                         f"got {grads.shape}")
    flat = views.reshape(*views.shape[:4], -1).argmax(axis=-1)  # (N, H2, W2, C)
    rows, cols = np.unravel_index(flat, window)
    n, i, j, c = np.indices(flat.shape)
    grad_x = np.zeros(batch.shape, dtype=np.float64)
    np.add.at(grad_x, (n, i * steps[0] + rows, j * steps[1] + cols, c), grads)
    return grad_x[0] if single else grad_x


def shift2d(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """x (H, W, ...) moved down by dy and right by dx pixels (negative: up, left).

    Pixels that leave the frame are lost and the ones that enter are zeros, as when
    an object moves within a camera's view; unlike `np.roll`, nothing wraps around.
    """
    x = np.asarray(x)
    out = np.zeros_like(x)
    h, w = x.shape[:2]
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        x[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out
