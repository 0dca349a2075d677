"""``python -m cityref`` is the ``cityref`` command."""

from cityref.cli.main import main

main()
