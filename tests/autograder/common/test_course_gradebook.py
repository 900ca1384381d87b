"""What an nbgrader course keeps outside its config: due dates in its gradebook, its kernel."""

from __future__ import annotations

import nbformat

from autograder.common.course import course_due_date, non_python_kernel


def test_the_due_date_is_read_from_the_gradebook_the_course_config_names(tmp_path):
    from nbgrader.api import Gradebook

    from autograder.records.workspace import alembic_on_path

    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    assert course_due_date(course / "source", "ps1") is None  # no gradebook: none
    alembic_on_path()
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with Gradebook(url) as book:
        book.update_or_create_assignment("ps1",
                                         duedate="2015-02-02 14:58:23.948203 America/Los_Angeles")
        book.update_or_create_assignment("ps2")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.db_url = {url!r}\n", encoding="utf-8")
    before = (tmp_path / "elsewhere.db").read_bytes()
    assert course_due_date(course / "source", "ps1") == "2015-02-02 22:58:23.948203"  # UTC
    assert course_due_date(course / "source", "ps2") is None  # no due date set
    assert course_due_date(course / "source", "ps3") is None  # not in the gradebook
    assert (tmp_path / "elsewhere.db").read_bytes() == before  # read-only
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.db_url = 'postgresql://host/db'\n",
        encoding="utf-8")
    assert course_due_date(course / "source", "ps1") is None  # set it in the workspace


def test_sources_for_other_kernels_than_python_are_named():
    def notebook(**metadata):
        made = nbformat.v4.new_notebook()
        made.metadata.update(metadata)
        return made

    assert non_python_kernel(notebook()) is None  # nothing declared: Python, as nbgrader's tests
    assert non_python_kernel(notebook(kernelspec={"name": "python3", "language": "python"})) is None
    assert non_python_kernel(notebook(kernelspec={"name": "python"})) is None
    assert non_python_kernel(notebook(kernelspec={"name": "ir", "language": "R"})) == "R"
    assert non_python_kernel(notebook(language_info={"name": "julia"})) == "julia"
