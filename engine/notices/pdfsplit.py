"""One PDF per page of a wkhtmltopdf mailing, each page's objects copied byte for byte (no re-rendering, no re-encoding).

wkhtmltopdf (Qt's PDF writer) writes PDF 1.4 with a classic cross-reference table, one
page tree, and each page's contents, fonts and resources as plain numbered objects. A
page's PDF is the objects it reaches (its /Parent aside), under their own numbers, with a
new page tree and catalog after them, and a cross-reference table of just those numbers.
The result is the same bytes every time for the same mailing. A file this reader does not
understand (another writer, object streams, a page reaching another page) is refused with
UnsplittablePdf, and the caller splits it some other way.
"""
from __future__ import annotations

import re

REFERENCE = re.compile(rb"(\d+) 0 R\b")
OBJECT_START = re.compile(rb"(\d+) 0 obj\b")
STREAM_START = re.compile(rb">>\s*stream\r?\n")
PARENT = re.compile(rb"/Parent\s+\d+\s+0\s+R")
A_PAGE = re.compile(rb"/Type\s*/Page\b")
HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


class UnsplittablePdf(ValueError):
    """A PDF this reader cannot split page by page."""


def split_pages(pdf: bytes) -> list[bytes]:
    """Each page of the PDF as a PDF of its own, in page order."""
    objects = _objects(pdf)
    pages_root = _pages_root(pdf, objects)
    kids = [int(n) for n in REFERENCE.findall(_dictionary(objects, pages_root).split(b"/Kids", 1)[-1]
                                              .split(b"]", 1)[0])]
    if not kids:
        raise UnsplittablePdf("the page tree has no pages")
    return [_page_pdf(objects, page, pages_root) for page in kids]


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object's bytes ("n 0 obj ... endobj") by number, read through the cross-reference table."""
    try:
        table_at = int(pdf[pdf.rindex(b"startxref") + 9:].split()[0])
    except (ValueError, IndexError):
        raise UnsplittablePdf("no startxref") from None
    if not pdf.startswith(b"xref", table_at):
        raise UnsplittablePdf("no classic cross-reference table (object streams?)")
    offsets = _offsets(pdf[table_at:pdf.index(b"trailer", table_at)])
    ends = sorted(offsets.values()) + [table_at]
    following = dict(zip(ends, ends[1:]))
    objects = {}
    for number, offset in offsets.items():
        body = pdf[offset:following[offset]].rstrip()
        start = OBJECT_START.match(body)
        if start is None or int(start[1]) != number or not body.endswith(b"endobj"):
            raise UnsplittablePdf(f"object {number} is not where the table says")
        objects[number] = body
    return objects


def _offsets(table: bytes) -> dict[int, int]:
    """Object number to byte offset, for the objects in use, from a classic xref table."""
    offsets, lines = {}, table.split(b"\n")[1:]
    index = 0
    while index < len(lines) and lines[index].strip():
        first, count = (int(n) for n in lines[index].split())
        for number, entry in enumerate(lines[index + 1:index + 1 + count], start=first):
            fields = entry.split()
            if len(fields) == 3 and fields[2] == b"n":
                if int(fields[1]) != 0:
                    raise UnsplittablePdf(f"object {number} has generation {int(fields[1])}")
                offsets[number] = int(fields[0])
        index += 1 + count
    return offsets


def _dictionary(objects: dict[int, bytes], number: int) -> bytes:
    """An object without its stream data: what its references can be read from."""
    try:
        body = objects[number]
    except KeyError:
        raise UnsplittablePdf(f"object {number} is referred to but not in the table") from None
    stream = STREAM_START.search(body)
    return body if stream is None else body[:stream.start() + 2]


def _pages_root(pdf: bytes, objects: dict[int, bytes]) -> int:
    """The number of the page tree's root, through the trailer's /Root catalog."""
    trailer = pdf[pdf.rindex(b"trailer"):]
    root = re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer)
    pages = root and re.search(rb"/Pages\s+(\d+)\s+0\s+R", _dictionary(objects, int(root[1])))
    if not pages:
        raise UnsplittablePdf("no catalog with a page tree")
    return int(pages[1])


def _reached(objects: dict[int, bytes], page: int, pages_root: int) -> list[int]:
    """The numbers of the page and every object it reaches, its /Parent aside; refused if it reaches another page."""
    seen, todo = {page}, [page]
    while todo:
        number = todo.pop()
        dictionary = _dictionary(objects, number)
        if number == page:
            dictionary = PARENT.sub(b"", dictionary)
        elif number == pages_root or A_PAGE.search(dictionary):
            raise UnsplittablePdf(f"page object {page} reaches another page ({number})")
        for found in REFERENCE.findall(dictionary):
            if int(found) not in seen:
                seen.add(int(found))
                todo.append(int(found))
    return sorted(seen)


def _page_pdf(objects: dict[int, bytes], page: int, pages_root: int) -> bytes:
    """One page's PDF: its objects under their own numbers, a new page tree and catalog, a table of just those."""
    numbers = _reached(objects, page, pages_root)
    tree, catalog = max(objects) + 1, max(objects) + 2
    bodies = {number: objects[number] for number in numbers}
    bodies[page] = PARENT.sub(b"/Parent %d 0 R" % tree, bodies[page], count=1)
    bodies[tree] = b"%d 0 obj\n<<\n/Type /Pages\n/Kids [%d 0 R]\n/Count 1\n>>\nendobj" % (tree, page)
    bodies[catalog] = b"%d 0 obj\n<<\n/Type /Catalog\n/Pages %d 0 R\n>>\nendobj" % (catalog, tree)
    out, offsets = bytearray(HEADER), {}
    for number in sorted(bodies):
        offsets[number] = len(out)
        out += bodies[number] + b"\n"
    table_at = len(out)
    out += b"xref\n" + _table(offsets)
    out += b"trailer\n<<\n/Size %d\n/Root %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n" % (catalog + 1, catalog, table_at)
    return bytes(out)


def _table(offsets: dict[int, int]) -> bytes:
    """A cross-reference table in runs of consecutive numbers, object 0 free."""
    rows = b"0 1\n0000000000 65535 f \n"
    numbers = sorted(offsets)
    run_start = 0
    for index, number in enumerate(numbers):
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            run = numbers[run_start:index + 1]
            rows += b"%d %d\n" % (run[0], len(run)) + b"".join(b"%010d 00000 n \n" % offsets[n] for n in run)
            run_start = index + 1
    return rows
