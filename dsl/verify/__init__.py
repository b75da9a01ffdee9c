"""Claimed derivatives against true ones: drawing, comparing and
cross-checking each claim (``claims``) and saying how a wrong one is wrong
(``diagnose``)."""
