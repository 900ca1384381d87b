"""The course's grader: release, collect, grade, feedback, export, report.

Built on nbgrader (gradebook, checksums, locked cells) and papermill
(parameterised execution). One module per command-line verb.
"""

__version__ = "0.1.0"
