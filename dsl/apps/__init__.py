"""The applications, each calling the pipeline: the command line
(``cli``), the REPL (``repl``, ``repl_commands``), the IPython magics
(``magic``), the document linter (``lint``), the formatter (``fmt``),
``explain``, the Pygments lexer (``highlight``) and the pytest plugin
(``pytest_plugin``)."""
