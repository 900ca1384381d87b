"""Open eClass's grades file for an assignment ("Works" → the assignment → Import grades).

Read from Open eClass's own source, gunet/openeclass modules/work/import.php (2026):
  * the file is read with PhpSpreadsheet's IOFactory::load, so CSV (by its .csv name,
    UTF-8) and XLSX both work; only the active sheet is read;
  * every row is a student: its non-empty cells, trimmed, must be 2 or 3 values:
    the user, the grade, and optionally the grade comment. There is NO header row (a
    header would be an error line);
  * the user is the eClass *username*, alone or in parentheses ("Name (username)");
  * the grade must be numeric, 0 ≤ grade ≤ the assignment's maximum grade;
  * any error line, unknown username, or user without a submission to that assignment
    refuses the whole file: nothing is imported.

So the file lists only students graded here who have an LMS id (their eClass username in
the roster's lms_id column), with grades on the assignment's own points.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable


def grades_csv(rows: Iterable[tuple[str, str, str]]) -> str:
    """(username, grade, comment) rows as eClass's import reads them: no header, UTF-8,
    comma separated; an empty comment is left out (import.php drops empty cells)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for username, grade, comment in rows:
        writer.writerow([username, grade, comment] if comment.strip() else [username, grade])
    return out.getvalue()
