"""HTML pieces of report.html: one self-contained page (figures embedded as base64 PNG, styles
inline), so it can be mailed or attached to a cabinet report as a single file."""
from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ccc; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.45rem; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; } td.number { text-align: right; white-space: nowrap; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; }
.answers li { margin: 0.35rem 0; font-size: 1.05rem; } .caveats li { margin: 0.25rem 0; }
code { font-size: 0.85rem; }
table.assumptions { font-size: 0.72rem; } table.assumptions td { padding: 0.1rem 0.3rem; }
table.assumptions td:nth-child(2) { font-family: monospace; font-size: 0.62rem;
                                    min-width: 13rem; overflow-wrap: anywhere; }
"""


def escape(text: Any) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, sections: Sequence[str]) -> str:
    """A whole HTML document."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{escape(title)}</h1>\n" + "\n".join(sections) + "\n</body>\n</html>\n")


def section(heading: str, *parts: str) -> str:
    return f"<section>\n<h2>{escape(heading)}</h2>\n" + "\n".join(parts) + "\n</section>"


def bullets(sentences: Sequence[str], css: str = "answers") -> str:
    items = "".join(f"<li>{escape(sentence)}</li>\n" for sentence in sentences)
    return f'<ul class="{css}">\n{items}</ul>'


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def figure(png: Path, caption: str) -> str:
    """The PNG at `png` embedded as a data URI, with its caption."""
    data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    return (f'<figure>\n<img src="data:image/png;base64,{data}" alt="{escape(caption)}">\n'
            f"<figcaption>{escape(caption)} (<code>{escape(Path(png).name)}</code>, also "
            f"<code>{escape(Path(png).with_suffix('.svg').name)}</code>)</figcaption>\n"
            "</figure>")


def table(frame: pd.DataFrame, caption: str = "", css: str = "") -> str:
    """A DataFrame as an HTML table (text escaped; numbers right-aligned), of class `css`."""
    head = "".join(f"<th>{escape(column)}</th>" for column in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="number">{escape(value)}</td>' if _is_number(value)
            else f"<td>{escape(value)}</td>" for value in values)
        rows.append(f"<tr>{cells}</tr>")
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    opening = f'<table class="{css}">' if css else "<table>"
    return f"{opening}{title}\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + \
        "\n</tbody>\n</table>"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
