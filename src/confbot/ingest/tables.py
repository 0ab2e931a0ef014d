"""Tables as text: one self-contained line per row, spanned cells repeated into every row they cover.

``header：cell｜header：cell`` keeps a row readable on its own for retrieval (a chunk may hold one row
without the header line). The chunker treats a line holding ``｜`` as one unbreakable sentence.
"""

from __future__ import annotations

import re

from confbot.text.cjk import is_cjk

TABLE_CELL_SEP = "｜"
TABLE_LABEL_SEP = "："


#: a cell that only marks "nothing recorded here" (—, -, /, N/A): left out like an empty one
_PLACEHOLDER_RE = re.compile(r"[\s\-–—―－/／…·]*|n/?a|无|暂无|不详", re.I)


#: a cell saying in words that its fact is not recorded (未列明, 未公布, "not stated"; the marks :data:`_PLACEHOLDER_RE`
#: matches are left out of the row by :func:`cell_text`, these stay): the table has no such figure
#: (:func:`says_unstated`)
_UNSTATED_RE = re.compile(
    r"未(?:列明|公布|披露|注明|说明|載明|载明|提供)|不详|暂无|待定|待公布|n/?a|tbd|unknown|not (?:stated|given|listed|disclosed|available)",
    re.I,
)


def says_unstated(cell: str) -> bool:
    """Whether a cell's value only says the fact is not recorded (``未列明``, ``不详``, ``N/A``, ``not stated``)."""
    return bool(_UNSTATED_RE.fullmatch(cell.strip(" 。.（）()")))


def row_cells(line: str) -> list[tuple[str, str]]:
    """A row line (:func:`table_lines`) as ``(label, value)`` pairs; a cell without a label has label ""."""
    out = []
    for cell in line.split(TABLE_CELL_SEP):
        label, sep, value = cell.partition(TABLE_LABEL_SEP)
        out.append((label.strip(), value.strip()) if sep else ("", cell.strip()))
    return out


def cell_text(text: str) -> str:
    """One line: wrapped lines joined (without a space between Han characters); a placeholder such as ``—`` is
    an empty cell."""
    parts = [p.strip() for p in text.replace("\r", "\n").split("\n") if p.strip()]
    out = ""
    for p in parts:
        out += p if (out and is_cjk(out[-1]) and is_cjk(p[0])) or not out else " " + p
    return "" if _PLACEHOLDER_RE.fullmatch(out) else out.replace(TABLE_CELL_SEP, "|")


#: a header cell is a short label (measured on the development corpora's tables: 2-9 characters)
HEADER_CELL_MAX_CHARS = 12


def looks_like_header(row: list[str]) -> bool:
    """Whether a first row reads as column labels: every cell filled, short, and without digits."""
    return bool(row) and all(c and len(c) <= HEADER_CELL_MAX_CHARS and not any(ch.isdigit() for ch in c) for c in row)


#: a column label naming an edition or a year: 第二届（2021年）, 2023年, 2023, 2nd, Edition 3
_EDITION_LABEL_RE = re.compile(
    r"第\s*[0-9一二三四五六七八九十]+\s*[届屆次期]|(?<!\d)(?:19|20)\d{2}(?!\d)|\d+(?:st|nd|rd|th)\b|edition", re.I
)


def is_transposed(rows: list[list[str]]) -> bool:
    """Whether a table runs sideways: one column per edition or year (every label of the first row after the corner
    names one) and one row per field (the first column reads as labels), as in an overview of all editions."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    labels = [c for c in rows[0][1:] if c]
    firsts = [r[0] for r in rows[1:]]
    return (
        len(labels) == len(rows[0]) - 1
        and all(_EDITION_LABEL_RE.search(c) for c in labels)
        and looks_like_header(firsts)
    )


def table_lines(rows: list[list[str]], header: bool | None = None) -> list[str]:
    """Rows (spans already repeated) -> one self-contained line per row: ``header：cell｜header：cell``.

    ``header``: whether the first row holds the column labels (None: when it looks so). Without one the
    cells are joined with ``｜``. A sideways table (:func:`is_transposed`) gives one line per column instead,
    each field named by its row label: ``项目：第二届（2021年）｜主题：……｜签约金额：……``. Empty cells are left out;
    identical consecutive rows once."""
    rows = [[cell_text(c) for c in r] for r in rows if any(c and c.strip() for c in r)]
    if not rows:
        return []
    if is_transposed(rows):
        width = max(len(r) for r in rows)
        rows = [[r[c] if c < len(r) else "" for r in rows] for c in range(width)]
        header = True
    elif header is None:
        header = looks_like_header(rows[0])
    names = rows[0] if header and len(rows) > 1 else []
    body = rows[1:] if names else rows
    lines: list[str] = []
    for r in body:
        if names:
            cells = [f"{n}{TABLE_LABEL_SEP}{c}" if n and n != c else c for n, c in zip(names, r, strict=False) if c]
        else:
            cells = [c for c in r if c]
        line = TABLE_CELL_SEP.join(dict.fromkeys(cells))
        if line and (not lines or lines[-1] != line):
            lines.append(line)
    return lines


def _span(value: str | None) -> int:
    """A rowspan/colspan attribute as a count (1 when missing or not a number; at most 100)."""
    return min(100, max(1, int(value))) if value and value.strip().isdigit() else 1


#: a page's table: its full grid, whether row 1 is a header (None: judged by its look), its caption ("" if none)
SourceTable = tuple[list[list[str]], bool | None, str]


def html_grid(table) -> SourceTable:  # type: ignore[no-untyped-def]
    """An lxml ``<table>`` as a full grid (rowspan/colspan cells repeated), whether row 1 is a header, and the
    text of its ``<caption>``."""
    grid: dict[tuple[int, int], str] = {}
    caption = " ".join(cell_text(c.text_content()) for c in table.iter("caption")).strip()
    trs = list(table.iter("tr"))
    header: bool | None = None  # <th> cells in the first row say so; otherwise it is judged by its look
    for r, tr in enumerate(trs):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            if r == 0 and cell.tag == "th":
                header = True
            text = cell_text(cell.text_content())
            rs, cs = _span(cell.get("rowspan")), _span(cell.get("colspan"))
            for dr in range(rs):
                for dc in range(cs):
                    grid.setdefault((r + dr, c + dc), text)
            c += cs
    if not grid:
        return [], header, caption
    n_rows = max(k[0] for k in grid) + 1
    n_cols = max(k[1] for k in grid) + 1
    return [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)], header, caption


def trafilatura_rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell_text("".join(c.itertext())) for c in row.iter("cell")] for row in table.iter("row")]


def matching_table(cells: list[str], source_tables: list[SourceTable]) -> list[str]:
    """Rows of the page's table whose cells trafilatura kept (the first one with the same non-empty cells; a
    caption, which trafilatura keeps as a cell, may be among them): the caption's line, then :func:`table_lines`."""
    wanted = [c for c in cells if c]
    for grid, header, caption in source_tables:
        mine = [c for row in grid for c in row if c] + ([caption] if caption else [])
        if wanted and all(c in mine for c in wanted) and set(mine) <= set(wanted):
            return ([caption] if caption else []) + table_lines(grid, header)
    return []


def fill_merged(rows: list[list[str | None]]) -> list[list[str]]:
    """pdfplumber gives None for the cells a merged cell covers: repeat the cell above (or left) into them."""
    out: list[list[str]] = []
    for r, row in enumerate(rows):
        filled: list[str] = []
        for c, cell in enumerate(row):
            if cell is None:
                cell = out[r - 1][c] if r and c < len(out[r - 1]) else (filled[-1] if filled else "")
            filled.append(cell)
        out.append(filled)
    return out
