"""The vocabulary every stage shares, and nothing else: source spans
(``span``), the frozen AST (``ast``), sizes and shapes (``dims``), the array
rule (``arrays``), diagnostics with structured fixes (``diagnostics``), the
code catalogue (``messages``) and every sentence shown to a user
(``wording``), the closed kinds (``kinds``), claim verdicts (``verdicts``)
and declaration attributes (``attributes``).  Imports nothing else of dsl."""
