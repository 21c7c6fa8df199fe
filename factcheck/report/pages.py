"""The one jinja2 environment for factcheck's HTML pages: the check report (report/templates) and
the eval report (evaluation/templates). Both are self-contained pages of untrusted text, so they
share one set of rules: autoescaping on, and a missing variable is an error, not an empty string."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

PACKAGE = Path(__file__).parents[1]
TEMPLATE_FOLDERS = (PACKAGE / "report" / "templates", PACKAGE / "evaluation" / "templates")


@functools.cache
def environment() -> jinja2.Environment:
    # autoescape=True, not select_autoescape: the templates' names end in .j2, not .html.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_FOLDERS),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
