"""The course's grader: release, collect, grade, check, feedback, export, report.

Built on nbgrader (gradebook, checksums, locked cells, feedback) and papermill
(parameters). A submission's path through the packages, top to bottom:

    cli ─▶ collect (verb) ─▶ intake/ (reads the LMS zip) ─▶ records/submissions
    cli ─▶ grade (verb) ─▶ run/coordinator ─▶ run/worker ─▶ sandbox/ (bubblewrap,
           zygote, inside) ─▶ scoring/ (checks in a clean process) ─▶ records/gradebook

Layers, and the one direction imports may go (tests/autograder/test_layers.py):

    verbs → run → records → scoring → sandbox → intake → common

- verbs (top-level modules: cli, release, collect, grade, selfcheck, feedback,
  export, report): parse arguments, call the layers, print. A verb never imports
  another verb; cli dispatches to them by name.
- run/: the batch engine. The coordinator prepares jobs and stores results; a
  worker grades one job (local process pool, Dask, or SLURM via dask-jobqueue).
  It sits between the verbs and records because it drives all of them.
- records/: what the grader keeps: the workspace, collected originals and
  submissions, nbgrader's gradebook and configuration, results read back.
- scoring/: earning points outside the student's kernel: function checks,
  model checks on held-out data, and the reasons points were lost.
- sandbox/: running untrusted notebooks: limits, bubblewrap, cgroups, the
  watchdog, warm kernels (zygote), and the runner that executes inside.
- intake/: reading what came in: folders and LMS zips, one reader per layout,
  the roster and student identities.
- common/: the assignment model (spec, source notebook, hidden cases,
  languages), the project's paths, atomic files, and UserError.
"""

__version__ = "0.1.0"
