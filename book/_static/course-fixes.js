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

  // Interface strings that extensions hard-code in English, outside any
  // message catalog: myst-nb's and sphinx-togglebutton's toggle labels, the
  // book theme's navigation labels, sphinx-copybutton's tooltips (it knows
  // no Greek). Labels read by screen readers count as text a reader meets.
  var HARD_CODED = {
    el: {
      "Toggle hidden content": "Εμφάνιση/απόκρυψη περιεχομένου",
      "Main": "Κύρια πλοήγηση",
      "Page": "Πλοήγηση σελίδας",
      "Copy": "Αντιγραφή",
      "Copy to clipboard": "Αντιγραφή στο πρόχειρο",
      "Copied!": "Αντιγράφηκε!",
      "Failed to copy": "Η αντιγραφή απέτυχε",
    },
  };
  var COPYBUTTON_KEYS = {copy: "Copy", copy_to_clipboard: "Copy to clipboard",
                         copy_success: "Copied!", copy_failure: "Failed to copy"};

  function translateHardCoded() {
    var lang = root.lang;
    var table = HARD_CODED[lang];
    if (!table) {
      return;
    }
    ["aria-label", "title", "data-tooltip"].forEach(function (attribute) {
      document.querySelectorAll("[" + attribute + "]").forEach(function (element) {
        var greek = table[element.getAttribute(attribute)];
        if (greek) {
          element.setAttribute(attribute, greek);
        }
      });
    });
    document.querySelectorAll(".copybtn svg title").forEach(function (title) {
      title.textContent = table[title.textContent] || title.textContent;
    });
    // sphinx-copybutton's later tooltips ("Copied!") come from its global
    // `messages` and `locale` bindings, shared between classic scripts.
    try {
      if (typeof messages === "object" && !messages[lang]) {
        var own = {};
        Object.keys(COPYBUTTON_KEYS).forEach(function (key) {
          own[key] = table[COPYBUTTON_KEYS[key]];
        });
        messages[lang] = own;
        locale = lang; // eslint-disable-line no-global-assign
      }
    } catch (error) {
      // sphinx-copybutton not on this page
    }
  }
  window.addEventListener("load", translateHardCoded);
})();
