"""The merging rule: same file, nearby lines, alike text, different reviewers → one finding."""

from __future__ import annotations

from pipeline.review.merge import merge_findings
from pipeline.roles.schemas import Finding


def f(path: str, line: int, severity: str, title: str, body: str = "see the title") -> Finding:
    return Finding.model_validate({"path": path, "line": line, "severity": severity,
                                   "title": title, "body": body})


SQL_A = f("app/db.py", 10, "critical", "SQL injection in find_user",
          "The query is built with an f-string from user input; use parameters.")
SQL_B = f("app/db.py", 12, "major", "find_user builds SQL from user input",
          "Interpolating name into the query allows injection; pass it as a parameter.")


def test_the_same_problem_from_two_models_becomes_one_finding_with_both_names() -> None:
    [merged] = merge_findings([("a", [SQL_B]), ("b", [SQL_A])])

    assert merged.severity == "critical" and merged.title == SQL_A.title  # most severe wins
    assert merged.reviewers == ["b", "a"]
    assert merged.also == [f"a: {SQL_B.title}"]


def test_different_places_or_problems_stay_apart() -> None:
    far = SQL_B.model_copy(update={"line": 40})
    other_file = SQL_B.model_copy(update={"path": "app/api.py"})
    other_problem = f("app/db.py", 10, "minor", "Missing docstring", "Document find_user.")

    merged = merge_findings([("a", [SQL_A]), ("b", [far, other_file, other_problem])])

    assert len(merged) == 4


def test_one_reviewer_is_never_merged_with_itself() -> None:
    assert len(merge_findings([("a", [SQL_A, SQL_B])])) == 2


def test_severity_ranks_first_then_agreement() -> None:
    lone_major = f("b.py", 1, "major", "Off by one in the loop")
    agreed_major = f("c.py", 5, "major", "Race on the shared counter")
    agreed_minor = f("d.py", 9, "minor", "Typo in the error message")

    ranked = merge_findings([("a", [lone_major, agreed_major, agreed_minor]),
                             ("b", [agreed_major, agreed_minor]),
                             ("c", [agreed_minor, SQL_A])])

    assert [(m.path, len(m.reviewers)) for m in ranked] == [
        ("app/db.py", 1), ("c.py", 2), ("b.py", 1), ("d.py", 3)]
