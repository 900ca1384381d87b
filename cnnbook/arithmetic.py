"""Conv-net arithmetic: output sizes, parameter counts and per-layer tables.

The formulas are the lecture's, with W1 the input width, F the filter size,
S the stride, P the zero padding and K the number of filters:

    conv:  W2 = (W1 − F + 2P)/S + 1       params = F·F·D1·K + K
    pool:  W2 = (W1 − F)/S + 1            params = 0
    conv:  MACs = W2·H2·K · F·F·D1        (multiply-accumulates per image)

A size that is not a whole number means the filter does not fit the input;
the functions here raise `ValueError` with the numbers put into the formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

# Layers whose output is a reshaped view of their input: no new activations.
VIEW_LAYERS = frozenset({"Flatten", "Reshape", "Dropout", "SpatialDropout2D", "Identity"})
HEADERS = ("layer", "output", "activations", "weights", "total")
# Layers with multiply-accumulates; pooling and activations only compare or add.
_MAC_LAYERS = frozenset({"Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense"})


def _positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be a {kind} integer, not {value!r}")
    return int(value)


class DoesNotFitError(ValueError):
    """A filter or pooling window that does not tile the input.

    Besides the English message it carries the pieces, so a bilingual page can
    word its own sentence: `formula` ("(W1 − F + 2P)/S + 1"), `substituted`
    ("(7 − 3 + 2·0)/3 + 1") and `value` (2.33…, or the negative numerator).
    """

    def __init__(self, message: str, formula: str, substituted: str, value: float) -> None:
        super().__init__(message)
        self.formula, self.substituted, self.value = formula, substituted, value


def _fitting_size(formula: str, numbers: str, numerator: int, stride: int) -> int:
    if numerator < 0:
        raise DoesNotFitError(f"the filter is larger than the (padded) input: {formula} = "
                              f"{numbers} has a negative numerator {numerator}",
                              formula, numbers, numerator)
    size = Fraction(numerator, stride) + 1
    if size.denominator != 1:
        raise DoesNotFitError(f"the filter does not fit: {formula} = {numbers} = "
                              f"{float(size):.2f}, not a whole number",
                              formula, numbers, float(size))
    return int(size)


def conv_output_size(n: int, f: int, stride: int = 1, pad: int = 0) -> int:
    """Output width of a convolution: W2 = (W1 − F + 2P)/S + 1.

    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(7, 3, stride=3)
    Traceback (most recent call last):
    ValueError: the filter does not fit: (W1 − F + 2P)/S + 1 = (7 − 3 + 2·0)/3 + 1 = 2.33, ...
    """
    n, f = _positive_int("n", n), _positive_int("f", f)
    stride, pad = _positive_int("stride", stride), _positive_int("pad", pad, minimum=0)
    return _fitting_size("(W1 − F + 2P)/S + 1", f"({n} − {f} + 2·{pad})/{stride} + 1",
                         n - f + 2 * pad, stride)


def pool_output_size(n: int, f: int, stride: int) -> int:
    """Output width of a pooling layer: W2 = (W1 − F)/S + 1."""
    n, f, stride = _positive_int("n", n), _positive_int("f", f), _positive_int("stride", stride)
    return _fitting_size("(W1 − F)/S + 1", f"({n} − {f})/{stride} + 1", n - f, stride)


def same_padding(f: int) -> int:
    """Zero padding that keeps the size at stride 1: P = (F − 1)/2 (odd F only)."""
    f = _positive_int("f", f)
    if f % 2 == 0:
        raise ValueError(f"(F − 1)/2 = ({f} − 1)/2 = {(f - 1) / 2} is not a whole number: "
                         "size-preserving padding needs an odd filter size")
    return (f - 1) // 2


def conv_params(f: int, depth_in: int, k: int, bias: bool = True, groups: int = 1) -> int:
    """Weights of a conv layer of K filters F×F×D1: F·F·D1·K (+ K biases).

    With `groups` G, the input channels are split into G groups and each filter
    sees only its group: F·F·(D1/G)·K. G = D1 = K is a depthwise convolution.
    """
    f, depth_in, k, groups = (_positive_int(name, v) for name, v in
                              (("f", f), ("depth_in", depth_in), ("k", k), ("groups", groups)))
    if depth_in % groups or k % groups:
        raise ValueError(f"groups = {groups} must divide both the input depth ({depth_in}) "
                         f"and the number of filters ({k})")
    return f * f * (depth_in // groups) * k + (k if bias else 0)


def separable_conv_params(f: int, depth_in: int, k: int, bias: bool = True) -> int:
    """A depthwise-separable convolution: an F×F filter per input channel, then K 1×1 filters.

    F·F·D1 + D1·K weights (+ K biases, as Keras's SeparableConv2D has), against
    F·F·D1·K for a standard convolution.
    """
    depthwise = conv_params(f, depth_in, depth_in, bias=False, groups=depth_in)
    return depthwise + conv_params(1, depth_in, k, bias=bias)


def dilated_size(f: int, dilation: int) -> int:
    """The span of an F×F filter with dilation d: F + (F − 1)(d − 1) pixels, same weights."""
    f, dilation = _positive_int("f", f), _positive_int("dilation", dilation)
    return f + (f - 1) * (dilation - 1)


def conv_output_shape(shape: Sequence[int], f: int, k: int, stride: int = 1,
                      pad: int = 0) -> tuple[int, int, int]:
    """Output volume (H2, W2, K) of K filters F×F over an input volume (H1, W1, D1)."""
    height, width, _depth = shape
    return (conv_output_size(height, f, stride, pad), conv_output_size(width, f, stride, pad),
            _positive_int("k", k))


# ------------------------------------------------------------- layer tables

@dataclass(frozen=True)
class LayerRow:
    """One layer: its output shape, the activations it stores, its weights."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    activations: int
    params: int
    is_view: bool = False  # a reshape of its input: stores nothing new
    macs: int = 0  # multiply-accumulates per example (a multiply and an add each)

    @property
    def stored_activations(self) -> int:
        return 0 if self.is_view else self.activations


@dataclass(frozen=True)
class LayerTable:
    """Per-layer memory and weights of a model, with totals (see `layer_table`)."""

    rows: tuple[LayerRow, ...]

    @property
    def total_activations(self) -> int:
        return sum(row.stored_activations for row in self.rows)

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates of one forward pass per example (FLOPs ≈ 2 × MACs)."""
        return sum(row.macs for row in self.rows)

    def forward_bytes(self, bytes_per_value: int = 4) -> int:
        """Memory for one image's forward activations (float32 by default)."""
        return self.total_activations * bytes_per_value

    def to_records(self) -> list[dict[str, Any]]:
        return [{"name": r.name, "kind": r.kind, "output_shape": r.output_shape,
                 "activations": r.activations, "params": r.params, "is_view": r.is_view,
                 "macs": r.macs}
                for r in self.rows]

    def cells(self, headers: Sequence[str] = HEADERS,
              fmt: Callable[[int], str] = "{:,}".format,
              macs_header: str | None = None,
              macs_fmt: Callable[[int], str] | None = None) -> list[tuple[str, ...]]:
        """The table as strings: a header row, one row per layer, a total row.

        A view's activations are shown in parentheses: it stores nothing new.
        Pass translated `headers` (layer, output, activations, weights, total)
        and a number format `fmt` (Greek writes 15.237.608). A `macs_header`
        adds a last column of multiply-accumulates under that heading, written
        with `macs_fmt` (default `fmt`; a table in millions stays narrow).
        """
        with_macs = macs_header is not None
        macs_fmt = macs_fmt or fmt
        table = [tuple(headers[:4]) + ((macs_header,) if with_macs else ())]
        for r in self.rows:
            acts = f"({fmt(r.activations)})" if r.is_view else fmt(r.activations)
            row = (r.name, "×".join(map(str, r.output_shape)), acts, fmt(r.params))
            table.append(row + ((macs_fmt(r.macs),) if with_macs else ()))
        total = (headers[4], "", fmt(self.total_activations), fmt(self.total_params))
        table.append(total + ((macs_fmt(self.total_macs),) if with_macs else ()))
        return table

    def to_markdown(self, headers: Sequence[str] = HEADERS,
                    fmt: Callable[[int], str] = "{:,}".format,
                    macs_header: str | None = None,
                    macs_fmt: Callable[[int], str] | None = None) -> str:
        head, *body = self.cells(headers, fmt, macs_header, macs_fmt)
        lines = ["| " + " | ".join(head) + " |", "|---|---|" + "--:|" * (len(head) - 2)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)

    def format(self, headers: Sequence[str] = HEADERS) -> str:
        """A plain-text table with aligned columns."""
        table = self.cells(headers)
        width = max(len(row[0]) for row in table) + 2
        return "\n".join(f"{name:<{width}}{shape:>16}{acts:>14}{params:>14}"
                         for name, shape, acts, params in table)

    def __str__(self) -> str:
        return self.format()


def _shape_of(tensor: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])


def _outputs(layer: Any) -> list[Any]:
    output = layer.output
    return list(output) if isinstance(output, list | tuple) else [output]


def _macs(layer: Any, kind: str, output_shape: tuple[int, ...]) -> int:
    """Multiply-accumulates per example of one layer (0 for layers without weights)."""
    if kind not in _MAC_LAYERS:
        return 0
    positions = math.prod(output_shape[:-1])  # output pixels (or rows, for Dense)
    if kind == "Dense":
        return positions * int(layer.kernel.shape[0]) * output_shape[-1]
    f_h, f_w, depth_in = (int(d) for d in (*layer.kernel_size, layer.input.shape[-1]))
    if kind == "DepthwiseConv2D":  # one F×F filter per input channel (× multiplier)
        return positions * output_shape[-1] * f_h * f_w
    if kind == "SeparableConv2D":  # depthwise F×F, then a 1×1 convolution across channels
        depthwise = depth_in * int(layer.depth_multiplier)
        return positions * (depthwise * f_h * f_w + depthwise * output_shape[-1])
    groups = int(getattr(layer, "groups", 1))
    return positions * output_shape[-1] * f_h * f_w * depth_in // groups


def layer_table(model: Any) -> LayerTable:
    """Rows of (name, output shape, activations, weights, MACs) for a built Keras model.

    The input is the first row. Activations count the values a layer outputs
    per example; reshaping layers (Flatten, Dropout…) are marked as views and
    left out of the memory total, since they store nothing new. MACs count the
    multiply-accumulates of convolutional and dense layers per example.
    """
    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise ValueError("layer_table needs a built model with known inputs "
                         "(give it an Input, or call it on data once)")
    names = ["input"] if len(model.inputs) == 1 else [
        f"input_{i}" for i in range(1, len(model.inputs) + 1)]
    rows = [LayerRow(name, "InputLayer", _shape_of(tensor), math.prod(_shape_of(tensor)), 0)
            for name, tensor in zip(names, model.inputs, strict=True)]
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        shapes = [_shape_of(t) for t in _outputs(layer)]
        rows.append(LayerRow(layer.name, kind, shapes[0], sum(math.prod(s) for s in shapes),
                             int(layer.count_params()), kind in VIEW_LAYERS,
                             _macs(layer, kind, shapes[0])))
    return LayerTable(tuple(rows))
