"""Instructor tooling: generate releases, simulate students, autograde, report."""
