"""AST -> shapes and diagnostics, with symbolic sizes that never unify:
operator rules on shapes alone (``broadcast``), calls of built-ins against
their rows (``calls``), the checker of statements and claims (``checker``)
and the hints that propose a fix that works (``hints``)."""
