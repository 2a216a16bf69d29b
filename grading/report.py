"""The instructor's report folder after grading a class.

* ``grades.csv``: one row per student and assignment: points, max points, late, notes;
* ``grades_table.csv``: students × assignments, "points / max";
* ``grades_canvas.csv`` and ``grades_moodle.csv``: the same points in the column layouts of
  Canvas's and Moodle's grade imports (one row per student, one column per assignment; names
  and e-mails from the gradebook's roster);
* ``pass_rates.csv``: per test cell, the fraction of submissions with full points, lowest
  first (what the class fails most: what to re-teach);
* ``scores_<assignment>.png``: histogram of total scores per assignment;
* ``report.md``: all of the above in one page (the histograms embedded), with each
  student's notes and review flags.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from grading.classroom import LOCAL  # noqa: E402


def gradebook_scores(course):
    """Per-cell scores from ``course``'s gradebook (manual adjustments included)."""
    df = pd.DataFrame(course.grades())
    if df.empty:
        return pd.DataFrame(columns=["assignment", "student", "notebook", "test", "score",
                                     "max_score"])
    return df


def markdown_table(table):
    """A Markdown table of a DataFrame, its index as the first column."""
    header = [table.index.name or ""] + [str(c) for c in table.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for index, row in table.iterrows():
        lines.append("| " + " | ".join([str(index)] + [str(v) for v in row]) + " |")
    return "\n".join(lines)


def histogram_figure(totals, assignment, max_points):
    """The histogram of one assignment's total scores (a matplotlib Figure): whole students
    on the vertical axis."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = min(20, max(5, int(max_points) + 1))
    ax.hist(totals, bins=bins, range=(0, max_points), color="#4477aa", edgecolor="white")
    ax.set_title(f"{assignment}: total scores ({len(totals)} submissions)")
    ax.set_xlabel(f"points (max {max_points:g})")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students only
    fig.tight_layout()
    return fig


def histogram(totals, assignment, max_points, path):
    """Write :func:`histogram_figure` to ``path`` (PNG)."""
    fig = histogram_figure(totals, assignment, max_points)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def lms_tables(grades, students):
    """The points of ``grades`` (as :func:`write` makes it) in the layouts that Canvas's and
    Moodle's grade imports read; ``students`` as :meth:`grading.course.Course.students`.

    Canvas: ``Student`` ("Last, First"), ``ID``, ``SIS User ID``, ``SIS Login ID``,
    ``Section``, one column per assignment, and under the header the ``Points Possible`` row
    of Canvas's own export. Moodle: ``First name``, ``Last name``, ``ID number``, ``Email
    address`` (choose one of them to map users in the import form) and one column per
    assignment. A student without a submission of an assignment gets no value there.

    Returns
    -------
    canvas, moodle : pandas.DataFrame
    """
    points = grades.pivot(index="student", columns="assignment", values="points")
    maxima = grades.groupby("assignment").max_points.max()
    info = pd.DataFrame.from_dict(students, orient="index").reindex(points.index)
    first = info.get("first_name", pd.Series(index=points.index, dtype=object)).fillna("")
    last = info.get("last_name", pd.Series(index=points.index, dtype=object)).fillna("")
    email = info.get("email", pd.Series(index=points.index, dtype=object)).fillna("")
    lms_id = info.get("lms_user_id", pd.Series(index=points.index, dtype=object))
    names = [f"{l}, {f}" if l and f else (l or f or sid) for sid, f, l in
             zip(points.index, first, last)]
    ids = points.index.to_series()
    canvas = pd.DataFrame({"Student": names, "ID": lms_id.fillna("").values,
                           "SIS User ID": ids.values, "SIS Login ID": ids.values,
                           "Section": ""}, index=points.index)
    canvas = pd.concat([canvas, points], axis=1)
    possible = pd.DataFrame([{"Student": "    Points Possible", "ID": "", "SIS User ID": "",
                              "SIS Login ID": "", "Section": "", **maxima.to_dict()}])
    canvas = pd.concat([possible, canvas], ignore_index=True)
    moodle = pd.concat([pd.DataFrame({"First name": first.values, "Last name": last.values,
                                      "ID number": ids.values, "Email address": email.values},
                                     index=points.index), points], axis=1)
    return canvas, moodle.reset_index(drop=True)


def summary(submissions, students, fresh, elapsed):
    """The report's first line: how many submissions were graded in this run and how many
    were unchanged since the last one (their grades kept), and how long the run took."""
    head = f"{submissions} submissions of {students} students"
    if fresh >= submissions:
        return f"{head} graded in {elapsed:.0f} s."
    kept = submissions - fresh
    if fresh == 0:
        return (f"{head}, all unchanged since the last run: none regraded, their grades kept; "
                f"feedback, export and report refreshed in {elapsed:.0f} s.")
    return (f"{head}: {fresh} graded in {elapsed:.0f} s, the other {kept} unchanged since the "
            "last run (their grades kept).")


def where_graded(states, assignments):
    """A table of how many submissions of each assignment each machine graded
    (:data:`grading.classroom.LOCAL`, or a Dask worker's address), from the states'
    ``ran_on``."""
    counts = pd.DataFrame([{"assignment": a, "where": state.get("ran_on") or LOCAL}
                           for a in assignments for state in states.get(a, {}).values()],
                          columns=["assignment", "where"])
    if counts.empty:
        return ["(nothing graded)"]
    table = counts.value_counts().unstack(fill_value=0).T
    table.index.name = "graded on"
    return markdown_table(table).splitlines()


def write(course, assignments, states, out, elapsed, notice="", fresh=None):
    """Write the report folder ``out`` for ``assignments`` of ``course`` (a
    :class:`grading.course.Course`); ``states`` as :func:`grading.classroom.grade_assignments`
    returns them; a ``notice`` (e.g. graded without the sandbox) heads the report; ``fresh``:
    how many submissions this run graded (default: all). Returns the grades table."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cells = gradebook_scores(course)
    cells = cells[cells.assignment.isin(assignments)]
    rows = []
    for (assignment, student), g in cells.groupby(["assignment", "student"]):
        state = states.get(assignment, {}).get(student, {})
        notes = "; ".join(state.get("notes", []) + [f"REVIEW: {f}" for f in state.get("flags", [])])
        rows.append({"student": student, "assignment": assignment, "points": g.score.sum(),
                     "max_points": g.max_score.sum(), "timestamp": state.get("timestamp") or "",
                     "notes": notes})
    grades = pd.DataFrame(rows, columns=["student", "assignment", "points", "max_points",
                                         "timestamp", "notes"])
    grades.to_csv(out / "grades.csv", index=False)
    table = grades.assign(cell=grades.points.map("{:g}".format) + " / "
                          + grades.max_points.map("{:g}".format)
                          ).pivot(index="student", columns="assignment", values="cell").fillna("-")
    table.to_csv(out / "grades_table.csv")
    canvas, moodle = lms_tables(grades, course.students())
    canvas.to_csv(out / "grades_canvas.csv", index=False)
    moodle.to_csv(out / "grades_moodle.csv", index=False)
    rates = (cells.assign(full=cells.score >= cells.max_score)
             .groupby(["assignment", "test"])
             .agg(pass_rate=("full", "mean"), submissions=("full", "size"),
                  mean_points=("score", "mean"), max_points=("max_score", "first"))
             .reset_index().sort_values(["pass_rate", "assignment", "test"]))
    rates.to_csv(out / "pass_rates.csv", index=False)
    for assignment, g in grades.groupby("assignment"):
        histogram(g.points.values, assignment, g.max_points.max(), out / f"scores_{assignment}.png")
    lines = ["# Grading report", "", *([f"**{notice[:1].upper()}{notice[1:]}.**", ""] if notice else []),
             summary(len(grades), grades.student.nunique(),
                     len(grades) if fresh is None else fresh, elapsed), "",
             "## Scores (points / max)", "", markdown_table(table), "",
             "## Tests the class fails most", "",
             "| assignment | test | full points | mean points |", "| --- | --- | --- | --- |"]
    for r in rates.head(15).itertuples():
        lines.append(f"| {r.assignment} | {r.test} | {r.pass_rate:.0%} of {r.submissions} | "
                     f"{r.mean_points:.2f} / {r.max_points:g} |")
    noted = grades[grades.notes != ""].sort_values(["assignment", "student"])
    if len(noted):
        lines += ["", "## Notes per submission", ""]
        lines += [f"- {r.assignment} / {r.student}: {r.notes}" for r in noted.itertuples()]
    lines += ["", "## Where the submissions were graded", "", *where_graded(states, assignments)]
    lines += ["", "## Score histograms", ""]
    for a in sorted(grades.assignment.unique()):
        lines += [f"![{a}: total scores](scores_{a}.png)", ""]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return grades
