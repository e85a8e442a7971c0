"""An intervention's studies as RIS and BibTeX, for reference managers, written from each study's structured citation.

Where a study has no structured citation (no `title`), its formatted citation stands in as the title of a generic
entry (RIS `GEN`, BibTeX `@misc`), as before the structured fields existed; whatever structured fields it does have
are still written.

What `venue` holds depends on the publication type, and decides where it goes:
- the container the work appeared in: a journal (RIS `T2` and `JO`, BibTeX `journal`), a working-paper series (RIS
  `T2`, Zotero's series title; BibTeX `institution`, the only place @techreport has for it), or, for a book chapter,
  the book (RIS `T2`, BibTeX `booktitle`);
- the organisation that published it: of a report (RIS `PB`, BibTeX `institution`), a book (`PB`, `publisher`), a
  thesis (`PB`, the university; BibTeX `school`), a data set or web page (`PB`; BibTeX `howpublished`).
`issue` is a journal's issue and a working paper's number in its series (RIS `IS`, BibTeX `number`).

RIS has no working-paper type: a working paper is a report (`RPRT`, as Zotero writes its reports) whose type of work
(`M3`) says "Working Paper", as BibTeX's @techreport says it with `type`. The degree of a thesis is not recorded, so
its BibTeX entry is a @phdthesis whose `type` ("Thesis") replaces the "PhD thesis" the styles would otherwise print.
"""

import re

from .vocabularies import PublicationType, StudyDesign

RIS_TYPES = {
    PublicationType.JOURNAL_ARTICLE: "JOUR",
    PublicationType.WORKING_PAPER: "RPRT",
    PublicationType.REPORT: "RPRT",
    PublicationType.BOOK: "BOOK",
    PublicationType.BOOK_CHAPTER: "CHAP",
    PublicationType.THESIS: "THES",
    PublicationType.DATASET: "DATA",
    PublicationType.WEB_PAGE: "ELEC",
}
RIS_VENUE_TAGS = {
    PublicationType.JOURNAL_ARTICLE: ["T2", "JO"],
    PublicationType.WORKING_PAPER: ["T2"],
    PublicationType.BOOK_CHAPTER: ["T2"],
}
RIS_PUBLISHER_TAG = "PB"

BIBTEX_TYPES = {
    PublicationType.JOURNAL_ARTICLE: "article",
    PublicationType.WORKING_PAPER: "techreport",
    PublicationType.REPORT: "techreport",
    PublicationType.BOOK: "book",
    PublicationType.BOOK_CHAPTER: "incollection",
    PublicationType.THESIS: "phdthesis",
    PublicationType.DATASET: "misc",
    PublicationType.WEB_PAGE: "misc",
}
BIBTEX_VENUE_FIELDS = {
    "article": "journal",
    "techreport": "institution",
    "book": "publisher",
    "incollection": "booktitle",
    "phdthesis": "school",
    "misc": "howpublished",
}
# What the entry type alone does not say; RIS writes it as the type of work (M3), BibTeX as `type`.
TYPES_OF_WORK = {PublicationType.WORKING_PAPER: "Working Paper", PublicationType.THESIS: "Thesis"}


def ris(page):
    return "".join(ris_entry(study, page) for study in page.studies.all())


def ris_entry(study, page):
    publication_type = study.publication_type
    lines = [("TY", RIS_TYPES.get(publication_type, "GEN"))]
    lines += [("AU", author) for author in study.authors]
    lines.append(("TI", study.title or study.citation))
    if study.venue:
        lines += [(tag, study.venue) for tag in RIS_VENUE_TAGS.get(publication_type, [RIS_PUBLISHER_TAG])]
    first_page, last_page = page_range(study.pages)
    lines += [
        ("M3", TYPES_OF_WORK.get(publication_type, "")),
        ("VL", study.volume),
        ("IS", study.issue),
        ("SP", first_page),
        ("EP", last_page),
        ("PY", study.year),
        ("DO", study.doi),
        ("UR", study.url),
        ("N1", design_note(study, page)),
    ]
    return "".join(f"{tag}  - {single_line(str(value))}\r\n" for tag, value in lines if value) + "ER  - \r\n"


def bibtex(page):
    return "\n".join(bibtex_entry(study, page) for study in page.studies.all())


def bibtex_entry(study, page):
    entry_type = BIBTEX_TYPES.get(study.publication_type, "misc")
    first_page, last_page = page_range(study.pages)
    fields = {
        "author": " and ".join(bibtex_name(author) for author in study.authors),
        "title": bibtex_escape(study.title or study.citation),
        BIBTEX_VENUE_FIELDS[entry_type]: bibtex_escape(study.venue),
        "type": bibtex_escape(TYPES_OF_WORK.get(study.publication_type, "")),
        "volume": bibtex_escape(study.volume),
        "number": bibtex_escape(study.issue),
        "pages": bibtex_escape("--".join(filter(None, [first_page, last_page]))),
        "year": str(study.year or ""),
        "doi": bibtex_verbatim(study.doi),
        "url": bibtex_verbatim(study.url),
        "note": bibtex_escape(design_note(study, page)),
    }
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items() if value)
    return f"@{entry_type}{{{study.key},\n{body}}}\n"


def bibtex_name(author):
    """A person as "Family, Given"; an organisation in braces, so BibTeX neither splits it into given and family
    names nor reads an "and" in it as the start of another author."""
    name = bibtex_escape(author)
    return name if "," in author else f"{{{name}}}"


def page_range(pages):
    """First and last page of "1-54" or "1–54" (en dash); a single page or article number is only a first page."""
    first, _, last = re.sub(r"\s*(?:--?|–|—)\s*", "-", single_line(pages), count=1).partition("-")
    return first, last


def bibtex_verbatim(identifier):
    """A DOI or URL as biblatex and the url package read it, verbatim: an escaped "_" would become part of the link.
    Only a brace would end the field; percent-encoded, it still resolves."""
    return identifier.replace("{", "%7B").replace("}", "%7D")


def design_note(study, page):
    return f"{StudyDesign(study.design).label}; evidence on: {page.title}"


def single_line(text):
    return " ".join(text.split())


BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text):
    """Braces and TeX's special characters would end or change the field."""
    return re.sub(r"[\\{}&%$#_^~]", lambda match: BIBTEX_ESCAPES.get(match[0], "\\" + match[0]), single_line(text))
