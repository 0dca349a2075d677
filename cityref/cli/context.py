"""What a ``cityref`` subcommand reads from its click context: the settings the ``cityref``
group loaded once (its entry point), and the handle on the model's files made from them.

Subcommands live beside their engines (profiles, registry, validation); they take both from
here rather than loading the settings themselves.
"""

from __future__ import annotations

import click

from cityref.settings import Settings
from cityref.store.sources import ModelFiles


def command_settings() -> Settings:
    """The settings of the running ``cityref`` command."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, Settings):
        raise click.UsageError("run this command as a subcommand of 'cityref'")
    return root.obj


def command_model() -> ModelFiles:
    """The model's files of the running ``cityref`` command (``sources`` and ``base_iri``)."""
    return ModelFiles.from_settings(command_settings())
