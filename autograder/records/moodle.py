"""Moodle's assignment files: the offline grading worksheet, and the feedback-files zip.

Both formats are read from Moodle's own source (moodle/moodle, main branch, 2026):

Grading worksheet (Assignment → "Download grading worksheet" / "Upload grading worksheet",
feedback plugin `assignfeedback_offline`):
  * mod/assign/gradingtable.php: the download's columns, in order: "Identifier" (always;
    `col_recordid` writes get_string('hiddenuser') followed by the participant's unique
    id in this assignment, "Participant 123"), "Full name" (unless anonymous), the
    site's identity fields (e.g. "Email address"), "Status", "Grade", "Maximum grade",
    "Grade can be changed", "Last modified (submission)", one column per enabled
    submission plugin, "Last modified (grade)", one column per feedback editor field
    ("Feedback comments" from assignfeedback_comments).
  * mod/assign/lang/en/assign.php: 'hiddenuser' = 'Participant ', 'recordid' =
    'Identifier', 'lastmodifiedgrade' = 'Last modified (grade)', 'maxgrade' =
    'Maximum grade'; mod/assign/feedback/comments/lang/en/assignfeedback_comments.php:
    'pluginname' = 'Feedback comments'.
  * dataformat/csv/classes/writer.php and lib/classes/dataformat/spout_base.php: the
    download is Spout's CSV writer with its defaults: UTF-8 with a byte-order mark, comma
    separated, '"' quoted, "\\n" line ends. The upload (importgradeslib.php, `parsecsv`)
    reads UTF-8 and the separator the teacher picks (comma by default).
  * mod/assign/feedback/offline/importgradeslib.php (`init`, `next`): the upload finds the
    columns by those exact header names; Identifier, Grade and Last modified (grade) are
    required ("invalidgradeimport" otherwise). Each row's id is the Identifier with the
    'hiddenuser' prefix cut off, looked up with `get_user_id_for_uniqueid`; rows whose
    participant is unknown are skipped. Feedback columns are matched by the plugin's
    field description.
  * mod/assign/feedback/offline/locallib.php (`process_import_grades`) and
    importgradesform.php: a row is skipped when its grade is empty or negative, equal to
    the current grade, above the assignment's maximum grade, locked, or when the grade
    in Moodle was modified more than 60 s after the row's "Last modified (grade)"
    (unless "Allow updating records that have been modified more recently" is ticked).
    Feedback comments are stored as HTML (set_editor_text).

Feedback files zip (Assignment → "Upload multiple feedback files in a zip", plugin
`assignfeedback_file`):
  * mod/assign/feedback/file/importziplib.php (`is_valid_filename_for_import`): every path
    part is split at '_' into at most 5 pieces; the first with at least 4 pieces whose
    2nd piece is the participant's unique id (numeric) and whose 3rd and 4th name a
    plugin (`get_plugin_by_type`) assigns the file to that participant. Files and folders
    starting with '.' or '~' are ignored. The file's name in Moodle is the rest of the path
    after that folder, so one folder holds any number of a participant's files (an
    assignment of several notebooks: a page per notebook); `import_zip_files` replaces a
    feedback file of the same name and path, adds the others, and skips unchanged ones
    (`is_file_modified` compares content hashes).
  * mod/assign/locallib.php (`download_submissions`): Moodle's own folder for a
    participant is clean_filename(str_replace('_', ' ', fullname) . '_' . uniqueid)
    followed by '_' . subtype . '_' . type: "Γιώργος Παπαδόπουλος_201_assignfeedback_file".
    clean_filename is clean_param(PARAM_FILE) in lib/moodlelib.php.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from autograder.common.errors import UserError

IDENTIFIER = "Identifier"
GRADE = "Grade"
MAX_GRADE = "Maximum grade"
LAST_MODIFIED_GRADE = "Last modified (grade)"
FEEDBACK_COMMENTS = "Feedback comments"
SCALE = "Scale"  # gradingtable.php writes it instead of Maximum grade for a scale-graded one
REQUIRED_COLUMNS = (IDENTIFIER, GRADE, LAST_MODIFIED_GRADE)  # importgradeslib.php, init()
# Moodle names the columns in the downloading user's language, and the upload finds them by
# the same translated strings. The Greek names are the el language pack's (recordid, grade
# in moodle.php, lastmodifiedgrade, maxgrade, assignfeedback_comments' pluginname), read in
# projectestac/moodle-langpacks el/ (branch MOODLE_32_STABLE); there 'hiddenuser' is
# 'Συμμετέχων', so the Identifier reads "Συμμετέχων123".
COLUMN_NAMES = {
    IDENTIFIER: (IDENTIFIER, "Αναγνωριστικό"),
    GRADE: (GRADE, "Βαθμός"),
    LAST_MODIFIED_GRADE: (LAST_MODIFIED_GRADE, "Τελευταία τροποποίηση (βαθμολόγηση)"),
    MAX_GRADE: (MAX_GRADE, "Μέγιστος Βαθμός"),
    FEEDBACK_COMMENTS: (FEEDBACK_COMMENTS, "Σχόλια ανατροφοδότησης"),
    SCALE: (SCALE, "Κλίμακα"),
}
BOM = "\ufeff"
DELIMITERS = (",", ";", "\t")  # Moodle writes ','; a spreadsheet may save ';' or tabs
# The participant's unique id ends the Identifier ("Participant 123"; other languages change
# only the word, e.g. "Teilnehmer/in123"), as importgradeslib.php strips the prefix.
PARTICIPANT_ID = re.compile(r"(\d+)\s*$")
FEEDBACK_PLUGIN = ("assignfeedback", "file")  # the feedback-files plugin takes uploaded zips
# clean_filename() is clean_param(PARAM_FILE) (lib/moodlelib.php): it drops control characters
# and & < > " ` | ' : \ /, and turns "." or ".." into "".
UNSAFE_IN_FILENAME = re.compile(r"[\x00-\x1f\x7f&<>\"`|':\\/]")


@dataclass
class Worksheet:
    """A grading worksheet as Moodle wrote it, kept byte-faithful where we do not fill in."""

    header: list[str]
    rows: list[list[str]]
    delimiter: str = ","
    bom: bool = True
    line_end: str = "\n"
    columns: dict[str, int] = field(default_factory=dict)

    def participant(self, row: list[str]) -> str | None:
        """The participant's unique id in this assignment ("Participant 123" → "123")."""
        found = PARTICIPANT_ID.search(row[self.columns[IDENTIFIER]])
        return found.group(1) if found else None


def read_worksheet(path: Path) -> Worksheet:
    """Parse a downloaded grading worksheet; UserError in one line when it is not one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"no worksheet at {path} (download it from the assignment's "
                        "\"Download grading worksheet\")") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a grading worksheet") from None
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text: download the worksheet again, or save it "
                        "as CSV UTF-8") from None
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    line_end = "\r\n" if "\r\n" in text else "\n"
    first_line = text.split("\n", 1)[0]
    for delimiter in DELIMITERS:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        if all(_column(header, role) is not None for role in REQUIRED_COLUMNS):
            break
    else:
        header = next(csv.reader([first_line]), [])
        missing = [role for role in REQUIRED_COLUMNS if _column(header, role) is None]
        raise UserError(f"{path} is not a Moodle grading worksheet: no "
                        f"{', '.join(repr(c) for c in missing)} column "
                        "(Moodle's upload needs Identifier, Grade and Last modified (grade); "
                        "download the worksheet with the site in English or Greek)")
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UserError(f"{path} is not a readable CSV: {error}") from None
    header, rows = table[0], [row for row in table[1:] if row]
    columns = {role: index for role in COLUMN_NAMES
               if (index := _column(header, role)) is not None}
    if SCALE in columns and MAX_GRADE not in columns:
        raise UserError(f"{path}: this Moodle assignment is graded on a scale, not in points; "
                        "set its grade type to Point to upload the grader's scores")
    short = next((number for number, row in enumerate(rows, 2) if len(row) != len(header)), None)
    if short is not None:
        raise UserError(f"{path}: row {short} has {len(rows[short - 2])} columns, the header "
                        f"{len(header)}")
    return Worksheet(header, rows, delimiter, bom, line_end, columns)


def _column(header: list[str], role: str) -> int | None:
    """The index of the column Moodle writes for `role`, in any language we know."""
    names = [name.strip() for name in header]
    return next((names.index(name) for name in COLUMN_NAMES[role] if name in names), None)


def fill_worksheet(sheet: Worksheet, marks: Mapping[str, tuple[str, str]]) -> list[str]:
    """Fill Grade (and Feedback comments, where the worksheet has it) of the rows whose
    participant id is in `marks` (participant id → (grade, feedback HTML)); every other cell
    stays as it was. Returns the participant ids that were filled, in row order."""
    filled = []
    for row in sheet.rows:
        participant = sheet.participant(row)
        if participant is None or participant not in marks:
            continue
        grade, feedback = marks[participant]
        row[sheet.columns[GRADE]] = grade
        if FEEDBACK_COMMENTS in sheet.columns:
            row[sheet.columns[FEEDBACK_COMMENTS]] = feedback
        filled.append(participant)
    return filled


def worksheet_text(sheet: Worksheet) -> str:
    """The worksheet as Moodle's upload reads it: same columns, delimiter, BOM, line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sheet.delimiter, lineterminator=sheet.line_end)
    writer.writerow(sheet.header)
    writer.writerows(sheet.rows)
    return (BOM if sheet.bom else "") + out.getvalue()


def feedback_folder(full_name: str, participant: str) -> str:
    """Moodle's folder for one participant's feedback files, as download_submissions names
    it: underscores in the name become spaces (the id must be the 2nd '_' piece)."""
    name = UNSAFE_IN_FILENAME.sub("", full_name.replace("_", " ")).strip()
    if name in ("", ".", ".."):
        name = "Participant"
    subtype, plugin = FEEDBACK_PLUGIN
    return f"{name}_{participant}_{subtype}_{plugin}"


def write_feedback_zip(target: Path, files: Iterable[tuple[str, str, Path, str]]) -> int:
    """Write the zip for "Upload multiple feedback files in a zip": each (full name,
    participant id, file, its path in the participant's folder), as <folder>/<path>; a
    participant's several files share the folder, and Moodle keeps the subfolders of a
    path, so a page's relative links (an image beside it) still resolve. Returns the number
    of files."""
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for full_name, participant, path, relative in files:
            archive.write(path, f"{feedback_folder(full_name, participant)}/{relative}")
            count += 1
    return count
