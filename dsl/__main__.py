"""``python -m dsl`` is the ``chainrule`` command."""
import sys

from .cli import main

sys.exit(main())
