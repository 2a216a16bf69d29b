"""The instructor's report folder after grading a class.

* ``grades.csv``: one row per student and assignment: points, max points, late, notes;
* ``grades_table.csv``: students × assignments, "points / max";
* ``pass_rates.csv``: per test cell, the fraction of submissions with full points, lowest
  first (what the class fails most: what to re-teach);
* ``scores_<assignment>.png``: histogram of total scores per assignment;
* ``report.md``: all of the above in one page, with each student's notes and review flags.
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402



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


def histogram(totals, assignment, max_points, path):
    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = min(20, max(5, int(max_points) + 1))
    ax.hist(totals, bins=bins, range=(0, max_points), color="#4477aa", edgecolor="white")
    ax.set_title(f"{assignment}: total scores ({len(totals)} submissions)")
    ax.set_xlabel(f"points (max {max_points:g})")
    ax.set_ylabel("students")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(course, assignments, states, out, elapsed, notice=""):
    """Write the report folder ``out`` for ``assignments`` of ``course`` (a
    :class:`grading.course.Course`); ``states`` as :func:`grading.classroom.grade_assignments`
    returns them; a ``notice`` (e.g. graded without the sandbox) heads the report. Returns the
    grades table."""
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
    rates = (cells.assign(full=cells.score >= cells.max_score)
             .groupby(["assignment", "test"])
             .agg(pass_rate=("full", "mean"), submissions=("full", "size"),
                  mean_points=("score", "mean"), max_points=("max_score", "first"))
             .reset_index().sort_values(["pass_rate", "assignment", "test"]))
    rates.to_csv(out / "pass_rates.csv", index=False)
    for assignment, g in grades.groupby("assignment"):
        histogram(g.points.values, assignment, g.max_points.max(), out / f"scores_{assignment}.png")
    lines = ["# Grading report", "", *([f"**{notice[:1].upper()}{notice[1:]}.**", ""] if notice else []),
             f"{len(grades)} submissions of {grades.student.nunique()} students graded in "
             f"{elapsed:.0f} s.", "",
             "## Scores (points / max)", "", markdown_table(table), "",
             "## Tests the class fails most", "",
             "| assignment | test | full points | mean points |", "| --- | --- | --- | --- |"]
    for r in rates.head(15).itertuples():
        lines.append(f"| {r.assignment} | {r.test} | {r.pass_rate:.0%} of {r.submissions} | "
                     f"{r.mean_points:.2f} / {r.max_points:g} |")
    lines += ["", "## Notes per submission", ""]
    for r in grades[grades.notes != ""].sort_values(["assignment", "student"]).itertuples():
        lines.append(f"- {r.assignment} / {r.student}: {r.notes}")
    lines += ["", "Histograms: " + ", ".join(f"`scores_{a}.png`" for a in sorted(grades.assignment.unique()))]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    return grades
