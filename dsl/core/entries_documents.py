"""The catalogue entries of the document reader (``chainrule lint``, 7xx);
``messages`` puts them in their place in the catalogue."""
from __future__ import annotations

from dsl.core.entries import Entry

DOCUMENT_ENTRIES = [
    Entry("N700", "cannot-read-latex", "cannot read this formula: {what}",
          "Equations in Markdown, LaTeX and notebooks are read through a fixed LaTeX subset "
          "(grammar/latex_math.lark); a claim, or a definition a checked equation depends on, "
          "that falls outside it is reported.",
          "A formula that cannot be read is not checked; guessing its meaning could report "
          "errors the author did not make.",
          r"$$\frac{\partial L}{\partial x} = \langle J, g \rangle$$",
          "Write the formula with the macros listed in grammar/latex_math.lark, or state it "
          "in a deriv block or comment."),
    Entry("N701", "latex-grouping", "the formula was read as {grouping}",
          "When a formula mixes juxtaposition with \\circ, \\cdot, * or /, the grouping used "
          "is shown beside its diagnostics: juxtaposition is a matrix product binding tighter "
          "than \\circ, as in mathematics.",
          "A diagnostic on a formula read with another grouping than the author meant would "
          "be confusing.",
          r"$$g = a \circ b W$$   % read as a * (b @ W)",
          "Add brackets to say which grouping is meant."),
    Entry("N702", "formula-skipped", "formula not checked: {why}",
          "Equations that are neither a definition of a new name nor a claim about a "
          "derivative, or that use names not declared, are skipped; they are listed with "
          "--verbose.",
          "Prose math (a definition in words, an example with other names) would otherwise "
          "produce noise.",
          r"$y = mx + b$   % m, b not declared",
          "Declare the names in a deriv comment or block if the formula should be checked."),
    Entry("N703", "latex-other-grouping", "read as {alt} instead, with juxtaposition at the level "
                                          "of '*', the formula is shape-correct",
          "When a formula with juxtaposition has a shape error, the other grouping is tried.",
          "The author may have meant the product to be read left to right.",
          r"$$g = a \circ b W$$",
          "Add brackets to make the intended grouping explicit."),
    Entry("W704", "path-skipped", "skipped {path}: {why}",
          "Walking directories, a path that is not followed (a symlink loop, a directory "
          "that cannot be listed, a symbolic link out of the linted tree, a document that "
          "is not a regular file, such as a FIFO or a device) is reported and the walk goes on.",
          "Files under it are not checked; a link out of the tree could read any file on "
          "the machine, and a FIFO or device could block the linter or never end.",
          "chainrule lint docs/   # docs/loop -> docs, docs/passwd.md -> /etc/passwd",
          "Remove the loop, fix the permissions, or lint the files directly."),
    Entry("W705", "unused-suppression", "this suppression comment silences nothing: {codes}",
          "With --warn-unused-ignores, every 'chainrule: ignore[...]' comment silences a "
          "diagnostic on its line (or the next line, when it stands alone).",
          "A suppression left behind after the problem was fixed hides the next problem "
          "on that line without anyone noticing.",
          "a = x @ W  # chainrule: ignore[E300]   (no E300 here any more)",
          "Remove the comment, or the codes in it that no longer occur."),
    Entry("N720", "shape-read", "declared from the document: {what}",
          "Shapes and sizes a document states (x \\in \\mathbb{R}^d, \"X has shape (n, d)\", "
          "m = 750) are read as declarations where an equation uses them; --verbose lists each.",
          "A reader takes them as declarations; so does the linter, and says where it found them.",
          r"$\mathbf{W} \in \mathbb{R}^{h \times d}$", "Nothing to change; a hand declaration wins."),
    Entry("W720", "conflicting-statement", "'{name}' is stated as {shape} here but as {other} on line {line}",
          "Within one section, each name's shape is stated once, or consistently.",
          "Two statements of one name disagree: one of them is a slip, and formulas using the "
          "name may be read with the wrong one.",
          r"$x \in \mathbb{R}^n$ ... $x \in \mathbb{R}^{m \times n}$", "Correct one of the statements."),
    Entry("N721", "new-scope", "'{name}' is restated as {shape} in a new section: a new scope "
                               "starts here (the earlier statement is on line {line})",
          "A section that restates a name with a new shape reads the name afresh from there on.",
          "Notes reuse letters from one section to the next; single assignment holds per scope.",
          "## Section 2\n" r"$W \in \mathbb{R}^{k \times n}$", "Nothing to change."),
    Entry("N723", "defined-again", "'{name}' is defined again here: later formulas use this definition "
                                   "(as {version}; the earlier one is on line {line})",
          "A name a document defines a second time, with another right side, is a new version "
          "from there on; its own right side still means the earlier value.",
          "A question's cost and an answer's corrected cost share a letter; each claim is "
          "checked against the definition in force where it stands.",
          "$J = \\sum_i \\ell_i$ ... $J = -\\sum_i \\ell_i$", "Nothing to change."),
    Entry("N722", "convention-read", "{what}",
          "A convention the document declares (% deriv: cdot elementwise) or uses consistently "
          "is named when it decides how formulas are read.",
          "\\cdot and the orientation of gradients mean different things in different notes.",
          "% deriv: cdot elementwise", "Declare the convention to make the reading explicit."),
    Entry("N710", "macro-stopped", "macro expansion stopped here: {why}",
          "Macros the document defines (\\newcommand, \\def, \\DeclareMathOperator, MathJax "
          "and KaTeX macro blocks) are expanded in its math before it is read; expansion is "
          "bounded in nesting depth and in length.",
          "A macro that expands into itself would never end; the formula is read as far as "
          "the expansion got, which usually makes it unreadable.",
          r"\def\x{\x + 1}   $$ y = \x $$",
          "Fix the macro so that its expansion ends."),
    Entry("N740", "shape-inferred", "{decl}, inferred from {where}",
          "A name of a Markdown, LaTeX or notebook document whose shape no statement gives is "
          "declared from the document's own equations, where they determine it: the products, "
          "sums, functions and claims it appears in.  Sizes nobody named get names of their own "
          "(n_x: the length of x), distinct, and 1 only where the equations force it; a name "
          "written in lower case is a vector where the equations allow it.  The declaration is "
          "placed before the name's first use and shown with --verbose and by explain.",
          "A forward pass written without declarations is still checked, and the claims about "
          "it verified.",
          r"$$z = W x + b$$   % W : n_z x n_x, x : n_x x 1, b : n_z x 1",
          "Nothing to fix; declare the name (<!-- deriv: x : n x 1 --> or % deriv: ...) to "
          "choose its shape yourself."),
    Entry("N741", "shape-not-inferred", "formula not checked: {why}",
          "When a document's names have no declared shapes, an equation whose shapes cannot fit "
          "the ones its other equations give (a scalar in a matrix product, a value used with "
          "two ranks) is not used to infer shapes, and is not checked.  (Where the equations "
          "leave a name's shape open, its equations are listed as N702 with the reason.)",
          "Which of the equations at odds is the mistake cannot be told from inferred shapes "
          "alone; reporting one could be a false alarm.",
          r"$$z = W x$$ then $$L = \mathrm{sum}(z) v$$   % a scalar times v by '@'",
          "Declare the names of the formula to have it checked against those shapes."),
]
