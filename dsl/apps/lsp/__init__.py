"""``chainrule lsp``: a Language Server Protocol server over standard input and output.

The modules, each one job: ``positions`` converts between the protocol's
positions (0-based lines, UTF-16 units) and chainrule spans (1-based code
points), the only place that does; ``analysis`` checks one document through
the pipeline (``.deriv``, Markdown and LaTeX through the lint front ends);
``checking`` schedules checks (debounced, verification in the background,
cancelled by newer edits); ``convert`` writes diagnostics and fixes in the
protocol's terms; ``query`` finds what stands at an offset; ``hover``,
``inlay``, ``edits`` (quick fixes, formatting), ``navigation`` (definition,
references, symbols) and ``completion`` answer the requests; ``protocol``
holds the documents the client opened (the only texts the server reads) and
applies its changes, ``transport`` reads the messages and checks each one
before it is handled (every request answered, in words); ``server`` wires
them to pygls.  Only ``server``, ``transport`` and the feature modules import the
optional ``pygls``/``lsprotocol`` packages (the ``lsp`` extra).
"""
