// Loaded in <head> before the theme's deferred scripts. See book/_ext/coursebook.py.
(function () {
  // sphinx-book-theme stores "" as the theme mode on a first visit, which
  // pydata-sphinx-theme then reports as invalid: start from "auto" instead.
  var root = document.documentElement;
  if (!root.dataset.mode) {
    root.dataset.mode = "auto";
  }
  // The ipywidgets HTML manager typesets with MathJax 2's MathJax.Hub.Queue;
  // the book serves MathJax 3, whose equivalent is typesetPromise.
  function shimMathJax() {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: function () {
          if (window.MathJax.typesetPromise) {
            window.MathJax.typesetPromise();
          }
        },
      };
    }
  }
  shimMathJax();
  document.addEventListener("DOMContentLoaded", shimMathJax);
  window.addEventListener("load", shimMathJax);
})();
