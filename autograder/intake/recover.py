"""Recover the nbgrader cell metadata that a notebook editor dropped, from the assignment's source.

Some editors save a notebook with the cells' metadata gone (no `nbgrader`, no
`tags`) and, at nbformat 4.0, without cell ids; nbgrader then cannot grade it
(`OverwriteCells` stops on the first missing grade ID). The cells themselves
are still there, in order, so they can be matched with the source notebook's:

1. a cell that still has its grade ID, or the source cell's `id`, is its own match;
2. the other code cells are aligned with `difflib.SequenceMatcher`: read-only
   and test cells reach the student verbatim (less their hidden tests), so they
   anchor the alignment; answer cells (solution regions) are unknown, and
   between two anchors they map one to one when the counts agree; where they
   do not (a scratch cell added, a cell deleted), an answer cell whose fixed
   text (`def` line, docstring) fits exactly one cell there anchors it too;
3. a locked markdown cell with nbgrader metadata matches its verbatim twin.

Nothing is guessed: a grade ID that matches no cell unambiguously is a
`UserError`, unless the submission still carries nbgrader metadata of its own,
in which case its cells were deleted by the student, not dropped by an editor,
and nbgrader's own handling of missing cells applies as before.
"""

from __future__ import annotations

import copy
import difflib
import re

import nbformat

from autograder.common.errors import UserError

_HIDDEN_TESTS = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*### END HIDDEN TESTS[^\n]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL)
_SOLUTION_MARK = "### BEGIN SOLUTION"
_SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*$",
                              re.MULTILINE | re.DOTALL)


def recover_cell_metadata(submission: nbformat.NotebookNode, source: nbformat.NotebookNode
                          ) -> tuple[nbformat.NotebookNode, list[str]]:
    """The submission with the source's `nbgrader` metadata (and code cells' tags) restored.

    Returns the submission itself and no notes when every grade ID of the source
    is present; otherwise a copy and one English line saying what was restored.
    Raises `UserError` naming the first grade ID that matches no cell unambiguously.
    """
    wanted = _grade_ids(source.cells)
    if not set(wanted) - set(_grade_ids(submission.cells)):
        return submission, []
    recovered = copy.deepcopy(submission)
    restored, tags = 0, set()
    pairs = _match(recovered.cells, source.cells)
    for source_index, index in sorted(pairs.items()):
        original, cell = source.cells[source_index], recovered.cells[index]
        if "nbgrader" in cell.metadata:
            continue  # metadata the editor kept is the student's notebook's own: trust it
        if "nbgrader" in original.metadata:
            cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            restored += 1
        if cell.cell_type == "code" or "nbgrader" in original.metadata:
            missing_tags = [t for t in original.metadata.get("tags", []) if t not in
                            cell.metadata.get("tags", [])]
            if missing_tags:
                cell.metadata["tags"] = [*cell.metadata.get("tags", []), *missing_tags]
                tags.update(missing_tags)
    kept_own_metadata = bool(_grade_ids(submission.cells))
    unmatched = [grade_id for grade_id in wanted if grade_id not in _grade_ids(recovered.cells)]
    if unmatched and not kept_own_metadata:
        raise UserError(_why_unmatched(unmatched[0], source))
    if not restored and not tags:
        return submission, []
    note = (f"nbgrader metadata of {restored} cells restored from the source "
            "(the notebook editor dropped it)")
    if tags:
        note += f"; tags restored: {', '.join(sorted(tags))}"
    lost = _unmatched_tags(source.cells, pairs) - {
        tag for cell in recovered.cells for tag in cell.metadata.get("tags", [])}
    if lost:
        note += f"; not restored (no cell matches unambiguously): tag {', '.join(sorted(lost))}"
    return recovered, [note]


def _unmatched_tags(source_cells: list, pairs: dict[int, int]) -> set[str]:
    """The tags of the source's code cells that matched no cell of the submission."""
    return {tag for index, cell in enumerate(source_cells) if cell.cell_type == "code"
            and index not in pairs for tag in cell.metadata.get("tags", [])}


def _match(cells: list, source_cells: list) -> dict[int, int]:
    """Source cell index → submission cell index, for the cells matched unambiguously."""
    pairs = _pairs_by_identity(cells, source_cells)
    _align_code_cells(cells, source_cells, pairs)
    _match_locked_markdown(cells, source_cells, pairs)
    return pairs


def _pairs_by_identity(cells: list, source_cells: list) -> dict[int, int]:
    """Pairs by a grade ID the submission kept, else by the nbformat 4.5 cell `id`."""
    by_grade_id = {_grade_id(cell): index for index, cell in enumerate(cells) if _grade_id(cell)}
    by_cell_id = {cell.get("id"): index for index, cell in enumerate(cells) if cell.get("id")}
    pairs: dict[int, int] = {}
    for source_index, original in enumerate(source_cells):
        index = by_grade_id.get(_grade_id(original)) if _grade_id(original) else None
        if index is None and original.get("id") in by_cell_id:
            candidate = by_cell_id[original.get("id")]
            if cells[candidate].cell_type == original.cell_type:
                index = candidate
        if index is not None and index not in pairs.values():
            pairs[source_index] = index
    return pairs


def _align_code_cells(cells: list, source_cells: list, pairs: dict[int, int]) -> None:
    """Add the code cells that the alignment with the source's code cells pairs (in place)."""
    source_code = [i for i, cell in enumerate(source_cells) if cell.cell_type == "code"]
    code = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    paired = {index: source_index for source_index, index in pairs.items()}
    source_keys = [("paired", i) if i in pairs else _source_key(source_cells[i], i)
                   for i in source_code]
    keys = [("paired", paired[i]) if i in paired else _normalised(cells[i].source) for i in code]
    matcher = difflib.SequenceMatcher(None, source_keys, keys, autojunk=False)
    source_end = end = 0
    for source_start, start, size in matcher.get_matching_blocks():
        source_gap = [i for i in source_code[source_end:source_start] if i not in pairs]
        gap = [i for i in code[end:start] if i not in paired]
        pairs.update(_pair_gap(source_gap, gap, source_cells, cells))
        for offset in range(size):
            source_index, index = source_code[source_start + offset], code[start + offset]
            if source_index not in pairs and index not in paired:
                pairs[source_index] = index
        source_end, end = source_start + size, start + size


def _pair_gap(source_gap: list[int], gap: list[int], source_cells: list, cells: list
              ) -> dict[int, int]:
    """Pairs between two anchors: one to one when the counts agree.

    Otherwise (the student added or deleted a cell here) an answer cell whose
    fixed text (its `def` line, docstring: all but the solution regions) fits
    exactly one cell of the gap becomes an anchor too, in order, and the count
    rule applies again on each side of it.
    """
    if len(source_gap) == len(gap):
        return dict(zip(source_gap, gap, strict=True))
    anchors = []
    for source_index in source_gap:
        if _is_answer(source_cells[source_index]):
            pattern = _answer_pattern(source_cells[source_index])
            fits = [i for i in gap if pattern.fullmatch(_normalised(cells[i].source))]
            if len(fits) == 1:
                anchors.append((source_index, fits[0]))
    indices = [index for _, index in anchors]
    if indices != sorted(set(indices)):
        return {}  # two answers fit one cell, or crosswise: ambiguous
    pairs, source_from, start = {}, 0, 0
    for source_index, index in [*anchors, (None, None)]:
        source_to = len(source_gap) if source_index is None else source_gap.index(source_index)
        to = len(gap) if index is None else gap.index(index)
        if to - start == source_to - source_from:
            pairs.update(zip(source_gap[source_from:source_to], gap[start:to], strict=True))
        if source_index is not None:
            pairs[source_index] = index
            source_from, start = source_to + 1, to + 1
    return pairs


def _answer_pattern(cell: nbformat.NotebookNode) -> re.Pattern:
    """The student's copy of an answer cell: its text with any solution region filled in."""
    fixed = _SOLUTION_REGION.split(_normalised(cell.source))
    return re.compile(".*?".join(map(re.escape, fixed)), re.DOTALL)


def _match_locked_markdown(cells: list, source_cells: list, pairs: dict[int, int]) -> None:
    """Add markdown cells with nbgrader metadata whose verbatim text occurs exactly once."""
    taken = set(pairs.values())
    for source_index, original in enumerate(source_cells):
        if (original.cell_type != "markdown" or "nbgrader" not in original.metadata
                or source_index in pairs or _is_answer(original)):
            continue
        text = _normalised(original.source)
        twins = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown"
                 and i not in taken and _normalised(cell.source) == text]
        if len(twins) == 1:
            pairs[source_index] = twins[0]
            taken.add(twins[0])


def _source_key(cell: nbformat.NotebookNode, index: int) -> str | tuple:
    """What the student's copy of a source code cell reads; answer cells are unknown."""
    if _is_answer(cell):
        return ("answer", index)  # equal to no submission cell
    return _normalised(_HIDDEN_TESTS.sub("", _text(cell.source)))


def _why_unmatched(grade_id: str, source: nbformat.NotebookNode) -> str:
    original = next(cell for cell in source.cells if _grade_id(cell) == grade_id)
    if original.cell_type == "markdown" and _is_answer(original):
        reason = ("a written answer cannot be told apart from the notebook's other text "
                  "once the editor dropped its metadata")
    else:
        reason = "cells were added or removed where the editor dropped their metadata"
    return (f"cannot restore the nbgrader metadata of cell '{grade_id}': it matches no cell "
            f"of the submission unambiguously ({reason})")


def _is_answer(cell: nbformat.NotebookNode) -> bool:
    nbgrader = cell.metadata.get("nbgrader", {})
    return bool(nbgrader.get("solution")) or _SOLUTION_MARK in _text(cell.source)


def _grade_id(cell: nbformat.NotebookNode) -> str | None:
    nbgrader = cell.get("metadata", {}).get("nbgrader")
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _grade_ids(cells: list) -> list[str]:
    """The grade IDs of `cells`, in order."""
    return [grade_id for grade_id in map(_grade_id, cells) if grade_id]


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _normalised(source: str | list[str]) -> str:
    """Text as compared: trailing spaces and blank lines at either end do not count."""
    return "\n".join(line.rstrip() for line in _text(source).split("\n")).strip("\n")
