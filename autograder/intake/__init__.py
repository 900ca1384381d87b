"""Intake: where submissions come from, read without changing anything there.

`tree` lists a SOURCE folder or zip; `layouts.read_layout` picks the one reader
module that recognises it (`moodle`, `eclass`, `exchange`, else `folders`), and
that reader says who sent each file and when (`received`). `roster` maps what
the LMS says about a sender to a student id. Nothing here writes: storing what
came in is `autograder.records.submissions`.
"""
