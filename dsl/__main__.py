"""``python -m dsl`` is the ``chainrule`` command."""
import sys

from dsl.apps.cli import main

sys.exit(main())
