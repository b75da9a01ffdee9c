"""Text -> AST and back: statement splitting and line continuation
(``statements``), the Lark parser and its transformer (``syntax``, the only
module that builds the chainrule grammar), how syntax errors are worded
(``syntax_errors``), the Unicode spellings notes use (``spelling``) and the
printer of source text and parenthesised parses (``printer``)."""
