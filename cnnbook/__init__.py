"""cnnbook: the library of the bilingual course on convolutional neural networks.

The book, the assignments and the grader import it. Modules:

- `cnnbook.data`: MNIST, CIFAR-10 and Fashion-MNIST, online or offline;
- `cnnbook.arithmetic`: output sizes, parameter counts, layer tables;
- `cnnbook.ops`: NumPy reference cross-correlation, convolution and pooling,
  forward and backward;
- `cnnbook.autodiff`: Keras's gradient of a function on TensorFlow or JAX.
- `cnnbook.precision`: the training precision chosen from the hardware (`"auto"`).

Importing `cnnbook` does not import Keras (about 3 s on TensorFlow).
"""

from .precision import resolve_precision, use_precision
from .seeding import seed_everything

__version__ = "0.1.0"
__all__ = ["__version__", "resolve_precision", "seed_everything", "use_precision"]
