"""Claims in the book's prose that no page cell prints, checked against code or the pages.

Each test quotes the sentence it guards. When one fails, fix the prose in both
editions (book/en and book/el) together with the test.
"""

from __future__ import annotations

import re

import pytest

from cnnbook.arithmetic import conv_params
from cnnbook.data import CIFAR10_CLASSES
from cnnbook.data.specs import SAMPLE_SIZES
from tests.conftest import ROOT

EN, EL = ROOT / "book" / "en", ROOT / "book" / "el"


def page(lang_dir, slug: str) -> str:
    return (lang_dir / f"{slug}.md").read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Prose with line breaks folded, so a phrase can be found across a wrapped line."""
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------- images-as-arrays


def test_the_truck_is_picked_by_label_and_colour_not_by_index():
    """"We split a red truck … picked by what it is: … labelled truck (class 9) …"."""
    for lang_dir in (EN, EL):
        text = page(lang_dir, "images-as-arrays")
        assert "x_train[1209]\n" not in text and "[[1209," not in text
        assert 'truck_label = CIFAR10_CLASSES.index("truck")' in text
        assert 'pick_by_colour(x_train, y_train, truck_label, "red")' in text
    assert CIFAR10_CLASSES.index("truck") == 9
    assert "red truck" in flat(page(EN, "images-as-arrays"))
    assert "κόκκινο φορτηγό" in flat(page(EL, "images-as-arrays"))
    assert "fire truck" not in flat(page(EN, "images-as-arrays"))


# ------------------------------------------------------------------ datasets


def test_cifar_sample_is_described_as_a_seeded_draw_of_its_real_size():
    """"The bundled CIFAR-10 sample is a random draw (NumPy's `default_rng(0)`) of 2,500
    training and 500 test images from a JPEG copy"."""
    assert SAMPLE_SIZES["cifar10"] == (2500, 500)
    assert "default_rng(0)" in (ROOT / "scripts" / "make_samples.py").read_text()
    en, el = flat(page(EN, "datasets")), flat(page(EL, "datasets"))
    assert "2,500 training and 500 test images" in en and "default_rng(0)" in en
    assert "2.500 εικόνων εκπαίδευσης και 500 εικόνων ελέγχου" in el
    assert "takes the first images" not in en


# ------------------------------------------------------------- architectures

ALEXNET_LAYERS = {  # (kernel size, input depth, filters) as architectures.md builds them
    "conv1": (11, 3, 96), "conv2": (5, 96, 256), "conv3": (3, 256, 384),
    "conv4": (3, 384, 384), "conv5": (3, 384, 256)}
ALEXNET_DENSE = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]


def test_two_gpu_split_is_not_what_makes_alexnet_60_million():
    """"… saves only N weights: the two-GPU network still has about M million"."""
    total = sum(conv_params(*shape) for shape in ALEXNET_LAYERS.values())
    total += sum(n_in * n_out + n_out for n_in, n_out in ALEXNET_DENSE)
    saved = sum(conv_params(*ALEXNET_LAYERS[name], bias=False) // 2
                for name in ("conv2", "conv4", "conv5"))
    assert saved == 1_413_120
    assert saved / total < 0.03
    assert round((total - saved) / 1e6) == 61  # "about 60 million" either way


def ilsvrc_rows(text: str) -> list[list[str]]:
    section = text.split("## ILSVRC")[1] if "## ILSVRC" in text else text.split(
        "## Οι νικητές του ILSVRC")[1]
    return [[cell.strip() for cell in line.strip("|").split("|")]
            for line in section.splitlines() if re.match(r"^\| 20\d\d", line)]


def test_ilsvrc_table_says_what_was_entered_in_both_editions():
    """The table pairs each ensemble's error with its entry, in both editions alike."""
    en, el = ilsvrc_rows(page(EN, "architectures")), ilsvrc_rows(page(EL, "architectures"))
    assert [row[-1].replace(",", ".") for row in el] == [row[-1] for row in en]
    assert [row[-1] for row in en] == ["16.4%", "11.7%", "6.67%", "7.3%", "3.57%"]
    assert all("network" in row[2] for row in en)
    assert all("δίκτυα" in row[2] for row in el)
    assert "152-layer ResNet won" not in flat(page(EN, "architectures"))


def test_residual_gradient_is_not_claimed_unchanged():
    """The coded block has a ReLU after the addition: the shortcut is not an identity path."""
    text = flat(page(EN, "architectures"))
    assert "reach earlier layers unchanged" not in text
    assert 'layers.Add(name=f"{name}_add")([y, x])\n    return layers.ReLU' in page(
        EN, "architectures")


# --------------------------------------------------------- convolution-layer


def test_bottleneck_exercise_counts_the_3x3_layer_after_the_reduction():
    """"Together the two layers have 164,160 parameters, about 3.6 times fewer"."""
    direct = conv_params(3, 256, 256)
    reduced = conv_params(1, 256, 64) + conv_params(3, 64, 256)
    assert (direct, reduced) == (590_080, 164_160)
    assert round(direct / reduced, 1) == 3.6
    for lang_dir in (EN, EL):
        assert "ex-bottleneck-total" in page(lang_dir, "convolution-layer")


# -------------------------------------------------------- training and index


def test_seeding_is_not_claimed_repeatable_on_any_backend():
    """Op determinism is turned on only on TensorFlow (cnnbook.seeding)."""
    assert 'keras.backend.backend() == "tensorflow"' in (
        ROOT / "cnnbook" / "seeding.py").read_text()
    assert "on any backend" not in flat(page(EN, "training"))
    assert "σε οποιοδήποτε backend" not in flat(page(EL, "training"))


@pytest.mark.parametrize("lang_dir", [EN, EL], ids=["en", "el"])
def test_index_does_not_claim_every_number_is_computed(lang_dir):
    text = flat(page(lang_dir, "index"))
    assert "every number is computed" not in text
    assert "κάθε αριθμός υπολογίζεται" not in text


# ------------------------------------------------------- the lecture's pointers

LECTURE_LINKS = {
    "training": ["https://keras.io/examples/vision/mnist_convnet/",
                 "examples/cifar10_cnn.py"],
    "architectures": ["examples/cifar10_resnet.py"],
    "features": ["examples/conv_filter_visualization.py"],
    "transfer-learning": [
        "https://pytorch.org/tutorials/beginner/transfer_learning_tutorial.html",
        "https://github.com/BVLC/caffe/wiki/Model-Zoo"],
}
READING = {EN: "## Further reading", EL: "## Περαιτέρω μελέτη"}


@pytest.mark.parametrize("slug", ["cross-correlation", "convolution-layer", "pooling-and-fc",
                                  "architectures", "training", "features",
                                  "transfer-learning"])
def test_each_chapter_has_further_reading_with_the_lectures_examples(slug):
    for lang_dir in (EN, EL):
        text = page(lang_dir, slug)
        assert READING[lang_dir] in text
        section = text.split(READING[lang_dir])[1].split("\n## ")[0]
        assert section.count("](http") >= 2
        for link in LECTURE_LINKS.get(slug, []):
            assert link in text


def test_transfer_page_has_the_lectures_points():
    """Under about a million images; model zoos; Fast R-CNN; word vectors in captioning."""
    for lang_dir in (EN, EL):
        text = page(lang_dir, "transfer-learning")
        for key in ("girshick2015fast", "mikolov2013distributed", "word2vec", "model zoo"):
            assert key in text
    assert "fewer than about a million images" in flat(page(EN, "transfer-learning"))
    assert "περίπου ένα εκατομμύριο εικόνες" in flat(page(EL, "transfer-learning"))


def test_glued_stride_error_maths_sits_in_a_math_span():
    """MathJax on this site typesets only inside class="math": bare $…$ or \\(…\\) in glued
    Markdown reach the reader as raw TeX (PITFALLS), so the glue wraps it in Sphinx's span."""
    for lang_dir in (EN, EL):
        text = page(lang_dir, "convolution-layer")
        cell = text.split('glue_variants("stride-error"')[1].split("```")[0]
        # the span itself, or cnnbook.i18n.markdown_math, which writes it (tests/cnnbook)
        assert '<span class="math notranslate nohighlight">' in cell or "markdown_math(" in cell
        assert "${" not in cell
