"""What each dataset is: sizes, canonical on-disk layout, and origin."""

from __future__ import annotations

from dataclasses import dataclass

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASSES = tuple(str(digit) for digit in range(10))

FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
CIFAR_BATCHES = (*tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch")
CIFAR_FILES = (*CIFAR_BATCHES, "batches.meta")


@dataclass(frozen=True)
class DatasetSpec:
    """Static facts about one dataset."""

    name: str
    title: str
    canonical: str  # file or folder name inside a data folder
    n_train: int
    n_test: int
    image_shape: tuple[int, ...]
    classes: tuple[str, ...]
    labels_as_column: bool  # CIFAR labels are (n, 1), the others (n,)
    download_host: str
    sample_file: str

    @property
    def sample_sizes(self) -> tuple[int, int]:
        return SAMPLE_SIZES[self.name]


MNIST = DatasetSpec(
    name="mnist", title="MNIST", canonical="mnist.npz",
    n_train=60000, n_test=10000, image_shape=(28, 28), classes=MNIST_CLASSES,
    labels_as_column=False, download_host="storage.googleapis.com",
    sample_file="mnist-sample.npz",
)
CIFAR10 = DatasetSpec(
    name="cifar10", title="CIFAR-10", canonical="cifar-10-batches-py",
    n_train=50000, n_test=10000, image_shape=(32, 32, 3), classes=CIFAR10_CLASSES,
    labels_as_column=True, download_host="www.cs.toronto.edu",
    sample_file="cifar10-sample-jpeg.npz",
)
FASHION_MNIST = DatasetSpec(
    name="fashion_mnist", title="Fashion-MNIST", canonical="fashion-mnist",
    n_train=60000, n_test=10000, image_shape=(28, 28), classes=FASHION_MNIST_CLASSES,
    labels_as_column=False, download_host="storage.googleapis.com",
    sample_file="fashion-mnist-sample.npz",
)

DATASETS: dict[str, DatasetSpec] = {s.name: s for s in (MNIST, CIFAR10, FASHION_MNIST)}

# Train/test sizes of the bundled samples. MNIST and Fashion-MNIST: the first N
# training and first N * n_test / n_train test images of the original files, so
# the sample equals `limit=N` on the full set. CIFAR-10: a seed-0 random draw
# (`default_rng(0).permutation`) from the JPEG re-encoding of CIFAR-10, so it
# equals `limit=N` only on the folder ../shared/data/materialize.py writes (same
# permutation), not on the original CIFAR-10 (see scripts/make_samples.py).
SAMPLE_SIZES = {"mnist": (3000, 500), "cifar10": (2500, 500), "fashion_mnist": (3000, 500)}


def get_spec(name: str) -> DatasetSpec:
    """Return the spec of a dataset by name, with a clear error for a typo."""
    key = name.replace("-", "_").lower()
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[key]


def proportional_test_count(spec_train: int, spec_test: int, limit: int) -> int:
    """Test images kept for `limit` training images: the same proportion, at least 1."""
    return max(1, limit * spec_test // spec_train)
