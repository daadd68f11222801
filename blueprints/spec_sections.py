"""A blueprint's spec sections as HTML for its page: rendered safely
(``specs.render_spec_sections``) when first shown and cached by their content, so a page view
does not run docutils."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from blueprints.models import BlueprintSpec
from blueprints.specs import render_spec_sections

# Part of the cache key: bump it when render_rst's output changes, so pages render again.
RENDERING = "1"
CACHE_SECONDS = 24 * 3600
OPEN_SECTIONS = 2  # the problem description and the proposed change, as the template orders


@dataclass(frozen=True)
class RenderedSection:
    title: str
    line: int
    html: SafeString
    open: bool


def rendered_sections(document: BlueprintSpec) -> list[RenderedSection]:
    """The document's sections with their bodies as sanitised HTML."""
    content = json.dumps(document.sections, sort_keys=True, ensure_ascii=False)
    key = f"spec-html:{RENDERING}:{hashlib.sha256(content.encode('utf-8')).hexdigest()}"
    bodies = cache.get(key)
    if bodies is None:
        bodies = render_spec_sections([section["body"] for section in document.sections])
        cache.set(key, bodies, CACHE_SECONDS)
    return [
        RenderedSection(
            title=section["title"],
            line=section["line"],
            # render_rst's output passed its allow-list sanitiser: safe to show as HTML.
            html=mark_safe(html),
            open=index < OPEN_SECTIONS,
        )
        for index, (section, html) in enumerate(zip(document.sections, bodies, strict=True))
    ]
