"""``python -m cityref`` is the ``cityref`` command."""

from cityref.cli import main

main()
