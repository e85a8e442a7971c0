"""An intervention's studies as RIS and BibTeX, for reference managers."""

import re

from .vocabularies import StudyDesign


def ris(page):
    entries = []
    for study in page.studies.all():
        lines = ["TY  - GEN", f"TI  - {single_line(study.citation)}"]
        if study.year:
            lines.append(f"PY  - {study.year}")
        if study.doi:
            lines.append(f"DO  - {study.doi}")
        if study.url:
            lines.append(f"UR  - {study.url}")
        lines += [f"N1  - {StudyDesign(study.design).label}; evidence on: {single_line(page.title)}", "ER  - "]
        entries.append("\r\n".join(lines))
    return "\r\n".join(entries) + "\r\n"


def bibtex(page):
    entries = []
    for study in page.studies.all():
        fields = {
            "title": study.citation,
            "year": study.year,
            "doi": study.doi,
            "url": study.url,
            "note": f"{StudyDesign(study.design).label}; evidence on: {page.title}",
        }
        body = ",\n".join(f"  {name} = {{{bibtex_escape(str(value))}}}" for name, value in fields.items() if value)
        entries.append(f"@misc{{{study.key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def single_line(text):
    return " ".join(text.split())


BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text):
    """Braces and TeX's special characters would end or change the field."""
    return re.sub(r"[\\{}&%$#_^~]", lambda match: BIBTEX_ESCAPES.get(match[0], "\\" + match[0]), single_line(text))
