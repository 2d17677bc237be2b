"""What a PDF's revisions show: pages changed between two revisions, signatures present in
each revision, and whether a signature box can be seen on the page.

A signed PDF grows by incremental updates: each update (a "revision") is appended after the
previous one.  pyHanko's difference analysis says *whether* an update is acceptable; these
helpers say, in plain words, *what* an update did, so a verdict can name it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

log = logging.getLogger(__name__)

_MAX_PAGES = 5000  # a page tree deeper or wider than this is not one of ours


def _pages(root: Any) -> list[generic.DictionaryObject]:
    """The page dictionaries of one revision, in order (the page tree flattened)."""
    found: list[generic.DictionaryObject] = []
    stack: list[Any] = [root["/Pages"]]
    seen = 0
    while stack and seen < _MAX_PAGES:
        seen += 1
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            stack.extend(reversed(list(node.get("/Kids", []))))
        else:
            found.append(node)
    return found


def _content_bytes(page: generic.DictionaryObject) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object() if hasattr(contents, "get_object") else contents
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    data = b""
    for stream in streams:
        stream = stream.get_object() if hasattr(stream, "get_object") else stream
        if isinstance(stream, generic.StreamObject):
            data += stream.data + b"\n"
    return data


def _annotation_count(page: generic.DictionaryObject) -> int:
    annots = page.get("/Annots")
    if annots is None:
        return 0
    annots = annots.get_object() if hasattr(annots, "get_object") else annots
    return len(annots) if isinstance(annots, generic.ArrayObject) else 0


def _page_snapshot(page: generic.DictionaryObject) -> tuple[bytes, int, str]:
    resources: Any = page.get("/Resources")
    resources = resources.get_object() if hasattr(resources, "get_object") else resources
    return _content_bytes(page), _annotation_count(page), repr(sorted(
        (str(k) for k in resources) if isinstance(resources, generic.DictionaryObject) else []))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe_changes(reader: PdfFileReader, before: int, after: int) -> str:
    """In plain words, what revision ``after`` changed on the pages of revision ``before``:
    e.g. "page 1 was changed" or "2 pages were added"; a general phrase when the pages are
    the same but something else in the file was changed."""
    try:
        old = [_page_snapshot(p) for p in _pages(reader.get_historical_root(before))]
        new = [_page_snapshot(p) for p in _pages(reader.get_historical_root(after))]
    except Exception as exc:  # a damaged page tree: say so in general terms
        log.info("could not compare pages: %s", exc)
        return "the file was changed in a way that could not be examined"
    parts: list[str] = []
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False))
               if a[0] != b[0] or a[2] != b[2]]
    marked = [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if b[1] > a[1]]
    if changed:
        pages = ", ".join(str(n) for n in changed)
        parts.append(f"{'page' if len(changed) == 1 else 'pages'} {pages} "
                     f"{'was' if len(changed) == 1 else 'were'} changed")
    if marked:
        pages = ", ".join(str(n) for n in marked)
        parts.append(f"marks or notes were put on {'page' if len(marked) == 1 else 'pages'} "
                     f"{pages}")
    if len(new) > len(old):
        extra = len(new) - len(old)
        parts.append(f"{_plural(extra, 'page')} {'was' if extra == 1 else 'were'} added")
    elif len(new) < len(old):
        gone = len(old) - len(new)
        parts.append(f"{_plural(gone, 'page')} {'was' if gone == 1 else 'were'} removed")
    return " and ".join(parts) if parts else "hidden parts of the file were changed"


def filled_signature_fields(reader: PdfFileReader, revision: int | None = None) -> set[str]:
    """Names of the signed signature fields in one revision (default: the whole file)."""
    handler = reader if revision is None else reader.get_historical_resolver(revision)
    try:
        return {name for name, _value, _field in enumerate_sig_fields(handler,
                                                                       filled_status=True)}
    except Exception as exc:
        log.info("could not list signature fields of revision %s: %s", revision, exc)
        return set()


def removed_signatures(reader: PdfFileReader) -> Iterator[tuple[int, str]]:
    """(revision, field name) for each signature present in an earlier revision but missing
    from the file as it is now: a signature someone took out."""
    now = filled_signature_fields(reader)
    reported: set[str] = set()
    for revision in range(reader.xrefs.total_revisions - 1):
        for name in sorted(filled_signature_fields(reader, revision) - now - reported):
            reported.add(name)
            yield revision, name


def _rect_area(widget: generic.DictionaryObject) -> float:
    rect = widget.get("/Rect")
    if rect is None:
        return 0.0
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return 1.0  # an odd rectangle: treat it as visible
    hidden = int(widget.get("/F", 0)) & 0b10  # the "Hidden" annotation flag
    return 0.0 if hidden else abs(x2 - x1) * abs(y2 - y1)


def signature_is_visible(sig_field: generic.DictionaryObject) -> bool:
    """True when the signature's box takes up room on a page (ours are invisible)."""
    widgets = [sig_field]
    kids = sig_field.get("/Kids")
    if kids is not None:
        widgets = [k.get_object() for k in kids]
    return any(_rect_area(w) > 0 for w in widgets)
