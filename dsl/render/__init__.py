"""Diagnostics and verdicts for people and machines: rustc-style text and
JSON (``text``), SARIF and GitHub annotations (``sarif``), values as text
(``values``).  Renders data; decides nothing."""
