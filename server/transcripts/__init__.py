"""Transcripts (issue 6): the rapporteur's exports, from the raw log to a report.

session_record  the log streamed once through the fold (bounded memory), the
                anonymity of each act, and the report's data
privacy         who may be named; pseudonyms for anonymous acts and ballots
report          the report model (O(questions)); outline: it as blocks, in a language
json_log        the complete log as JSON, streamed (and read back for import)
csv_table       one row per question, UTF-8 with BOM
markdown, html_report, docx_report
                the report as Markdown, standalone printable HTML, and Word
export          one room in one format, or a whole event as a zip
importer        a JSON transcript back into an empty room
clock, labels   times in JST and ULAT; the report's words in en/ja/mn
"""

from .export import FORMATS, MEDIA_TYPES, filename

__all__ = ["FORMATS", "MEDIA_TYPES", "filename"]
