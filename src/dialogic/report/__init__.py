"""Reports for researchers: one self-contained HTML file per meeting, and one for the study.

    meeting_data   read one meeting's figures from the analytics views (consent checked first)
    study_data     aggregate the study over every analysable meeting in SQL
    view_rows      the records both return (one view row each, units in the names)
    plots          matplotlib figures drawn to inline SVG
    formatting     how times, shares and missing values are written
    render         the Jinja2 templates, audio links, and writing the files

The reports read the views only (docs/sql.md), so every number in them is one an analyst can get
with `dialogic sql`; see docs/reports.md.
"""

from dialogic.report.render import (
    AUDIO_LINKS,
    AllReportsSummary,
    ReportOptions,
    meeting_file_name,
    write_all_reports,
    write_meeting_report,
    write_study_report,
)

__all__ = [
    "AUDIO_LINKS",
    "AllReportsSummary",
    "ReportOptions",
    "meeting_file_name",
    "write_all_reports",
    "write_meeting_report",
    "write_study_report",
]
