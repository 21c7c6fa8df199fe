"""The registry every extension point uses."""

from __future__ import annotations

import pytest

from factcheck.errors import UnknownBackend
from factcheck.registry import Registry


def test_registered_entries_are_found_by_name_and_unknown_names_list_the_known_ones():
    formats: Registry[str] = Registry("report format")
    formats.register("md")("markdown renderer")
    formats.register("html")("html renderer")
    assert formats.get("md") == "markdown renderer" and formats.get("pdf") is None
    with pytest.raises(UnknownBackend, match="unknown report format 'pdf'; known: html, md"):
        formats.require("pdf")


def test_a_removed_entry_is_gone_and_classes_are_valid_keys():
    fetchers: Registry[str] = Registry("model source")
    fetchers.register(int)("int fetcher")
    assert fetchers.require(int) == "int fetcher" and fetchers.names() == ["int"]
    fetchers.remove(int)
    fetchers.remove(int)  # removing twice is harmless
    assert fetchers.get(int) is None


@pytest.mark.parametrize(
    ("registry_of", "kind"),
    [("factcheck.report", "report format"), ("factcheck.evaluation.render", "eval report format")],
)
def test_both_renderer_registries_are_registries_that_name_the_known_formats(registry_of, kind):
    import importlib

    renderers = importlib.import_module(registry_of).RENDERERS
    assert isinstance(renderers, Registry) and renderers.names() == ["html", "json", "md"]
    assert callable(renderers.require("md"))
    with pytest.raises(UnknownBackend, match=f"unknown {kind} 'table'; known: html, json, md"):
        renderers.require("table")
