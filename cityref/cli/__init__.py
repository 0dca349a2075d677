"""The ``cityref`` command: one module per group of commands; entry points, so the
only place besides the app that loads the settings."""
