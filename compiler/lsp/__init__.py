"""``wfspec lsp``: the checker in the editor, through the Language Server Protocol (pygls).

A thin adapter in the manner of ruff's server: ``server`` wires pygls; ``documents`` keeps the
open buffers; ``checking`` runs the compiler's check stages on them inside their spec set (with a
per-file cache); ``mapping`` turns diagnostics into LSP diagnostics; ``outline`` knows where each
node of a buffer is; ``index`` answers names from the checked spec set; ``hover``,
``navigation``, ``completion`` and ``code_actions`` are the features. Decisions: ADR 0016.
"""
