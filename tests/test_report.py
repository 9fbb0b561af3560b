"""Reports on a real DuckDB study: the numbers are the views' numbers, consent decides what appears,
every tag figure carries the tagger's validation status, and database text stays text."""

from __future__ import annotations

import statistics
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import (
    REPORT_HOSTILE_PARTICIPANT,
    REPORT_HOSTILE_TEXT,
    VERSION,
    add_validation_estimates,
    build_report_study,
)
from typer.testing import CliRunner

from dialogic.cli import app
from dialogic.consent import withdraw_meeting, withdraw_participant
from dialogic.db import connect
from dialogic.errors import ConsentError, LookupFailed
from dialogic.report import ReportOptions, meeting_file_name, write_all_reports, write_meeting_report
from dialogic.report.formatting import clock, hms
from dialogic.report.meeting_data import load_meeting
from dialogic.report.render import audio_href, write_study_report
from dialogic.report.study_data import load_study

VALIDATED = "validated (bar met: κ lower bound 0.62 >= 0.60) on 280 items (sample v001): κ 0.71 [0.62, 0.79], F1 0.76 [0.70, 0.82]"


class _Page(HTMLParser):
    """Tables (by id) as lists of rows of cell texts, every element's attributes, and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.elements: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_svg = 0
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "svg":
            self._in_svg += 1
        if tag == "thead":
            self._in_head = True
        if tag == "table" and attributes.get("id"):
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table and not self._in_head:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table and not self._in_head:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg -= 1
        if tag == "thead":
            self._in_head = False
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if not self._in_svg:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def rows(self, table_id: str) -> list[list[str]]:
        """The body rows of a table (its <thead> left out)."""
        return self.tables[table_id]


@pytest.fixture
def study(tmp_path):
    db = tmp_path / "study.duckdb"
    con = build_report_study(db, audio_dir=tmp_path / "audio")
    yield db, con
    con.close()


def _pct(value: float) -> str:
    return f"{value:,.1f} %"


def test_meeting_report_shows_the_views_numbers(study, tmp_path):
    db, con = study
    path = write_meeting_report(con, "ma", tmp_path / "out" / "ma.html", database_dir=db.parent)
    page = _Page(path.read_text())

    voices = con.execute(
        "select voice_id, speech_pct, words_pct, turns_pct from voice_share_participant where meeting_id = 'ma'"
    ).fetchall()
    # people.display_name: these participants have no pseudonym, so 'su (service user)'
    table = {row[0].split(" (")[0]: row for row in page.rows("voice-share-person")}
    assert set(table) == {v[0] for v in voices}
    for voice_id, speech_pct, words_pct, turns_pct in voices:
        assert table[voice_id][3:6] == [_pct(speech_pct), _pct(words_pct), _pct(turns_pct)]

    roles = con.execute("select role, speech_pct from voice_share_role where meeting_id = 'ma'").fetchall()
    titles = {"clinician": "clinician", "service_user": "service user", "peer": "peer worker"}
    assert {row[0]: row[3] for row in page.rows("voice-share-role")} == {titles[r]: _pct(p) for r, p in roles}

    turns, per_min = con.execute("select turn_count, turns_per_min from turn_taking where meeting_id = 'ma'").fetchone()
    assert page.rows("turn-taking-figures")[0][1:] == [str(turns), f"{per_min:.2f} per minute"]

    score, items, evidence = con.execute(
        """
        select score_0_100, [item1_options_raised, item2_deliberation_shared, item3_options_revisited,
               item4_preferences_elicited, item5_preferences_used],
               [item1_evidence_ids, item2_evidence_ids, item3_evidence_ids, item4_evidence_ids, item5_evidence_ids]
        from sdm_option5_proxy where meeting_id = 'ma'
        """
    ).fetchone()
    assert f"Indicator score: {score:.0f} of 100." in page.text
    for n, (item, ids) in enumerate(zip(items, evidence), start=1):
        assert f"Item {n}: " in page.text and f"— {item} of 4 ({len(ids)} evidence utterances)" in page.text
    # every evidence utterance: a link to its transcript row at hh:mm:ss, and its audio span
    audios = [a for tag, a in page.elements if tag == "audio"]
    assert [a["data-utterance"] for a in audios] == [i for ids in evidence for i in ids]
    spans = dict(
        con.execute("select utterance_id, [start_s, end_s] from utterances where meeting_id = 'ma'").fetchall()
    )
    for audio in audios:
        start_s, end_s = spans[audio["data-utterance"]]
        assert audio["src"] == f"../audio/ma.wav#t={start_s:.3f},{end_s:.3f}"
        assert audio["preload"] == "none"
    links = [a for tag, a in page.elements if tag == "a" and a.get("class") == "time-link"]
    assert len(links) == len(audios)
    row_ids = {a["id"] for tag, a in page.elements if tag == "tr" and a.get("id", "").startswith("t-")}
    assert {link["href"].removeprefix("#") for link in links} <= row_ids
    first = spans[evidence[0][0]][0]
    assert hms(first) in page.text and hms(3725.9) == "01:02:05" and clock(3725.9) == "1:02:05"

    hits = dict(con.execute("select tag, count(*) from stg_tag_hits where meeting_id = 'ma' group by tag").fetchall())
    counts = {row[0]: row[1] for row in page.rows("tag-status")}
    assert counts["option discussion"] == str(hits["option_discussion"])
    assert counts["peer self-disclosure"] == "0"
    transcript = page.rows("transcript-rows")
    assert len(transcript) == 30 and transcript[3][3] == REPORT_HOSTILE_TEXT
    assert transcript[3][4] == "option discussion"
    assert page.text.count("secret words") == 0  # other meetings' text never leaks into this one


def test_validation_status_is_on_every_tag_figure(study, tmp_path):
    db, con = study
    page = _Page(write_meeting_report(con, "ma", tmp_path / "before.html", database_dir=db.parent).read_text())
    assert "not validated on this study" in page.text
    assert all(row[2] == "not validated on this study" for row in page.rows("tag-status"))
    assert all(row[3] == "not validated on this study" for row in page.rows("sdm-counts"))
    study_page = _Page(write_study_report(con, tmp_path / "study-before.html").read_text())
    assert "No tagger version in use has been validated" in study_page.text

    add_validation_estimates(con)
    page = _Page(write_meeting_report(con, "ma", tmp_path / "after.html", database_dir=db.parent).read_text())
    assert all(row[2] == VALIDATED for row in page.rows("tag-status"))
    assert all(row[3] == VALIDATED for row in page.rows("sdm-counts"))
    assert f"option_discussion: {VALIDATED}" in page.text  # the indicator's status names every tag
    study_page = _Page(write_study_report(con, tmp_path / "study-after.html").read_text())
    figures = {(row[2], row[3]): row for row in study_page.rows("validation-figures")}
    assert figures[("option discussion", "kappa")][4:7] == ["0.71", "[0.62, 0.79]", "280"]
    assert figures[("whole sample", "word_error")][4:7] == ["0.12", "[0.09, 0.15]", "40"]
    assert f"Tagger {VERSION} (2 meetings):" in study_page.text and VALIDATED in study_page.text


def test_untagged_meeting_shows_no_sdm_numbers_and_says_so(study, tmp_path):
    db, con = study
    page = _Page(write_meeting_report(con, "md", tmp_path / "md.html", database_dir=db.parent).read_text())
    assert "Not tagged: no tag or shared-decision-making figure exists" in page.text
    assert "there is no shared-decision-making indicator" in page.text
    assert "Indicator score" not in page.text and "tag-status" not in page.tables
    assert not [a for tag, a in page.elements if tag == "audio"]
    # the unmapped speaker is named, with its share, and the missing audio file is said
    assert "14.3 % of the speech is by voices not mapped to a participant (unmapped:S2)" in page.text
    assert "the file was not found when this report was written" in page.text


def test_database_text_is_escaped_in_html_and_plots(study, tmp_path):
    db, con = study
    for meeting in ("ma", "md"):
        html = write_meeting_report(con, meeting, tmp_path / f"{meeting}.html", database_dir=db.parent).read_text()
        assert "<script" not in html and "<b>" not in html
    ma = (tmp_path / "ma.html").read_text()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;options&#39; &lt;b&gt;" in ma
    assert REPORT_HOSTILE_TEXT in _Page(ma).text  # read back as the very text that was said
    md = (tmp_path / "md.html").read_text()
    # matplotlib writes the id as SVG text, escaped, with $x$ left as it is (no mathtext)
    assert "o'neil&lt;b&gt;$x$ (clinician)" in md
    assert REPORT_HOSTILE_PARTICIPANT in _Page(md).text


def test_consent_decides_what_is_reported(study, tmp_path):
    db, con = study
    with pytest.raises(ConsentError, match="consent does not cover analysis"):
        load_meeting(con, "mc")
    with pytest.raises(LookupFailed, match="no meeting 'zz'"):
        load_meeting(con, "zz")
    summary = write_all_reports(con, tmp_path / "all", database_dir=db.parent)
    assert set(summary.meeting_paths) == {"ma", "mb", "md"} and not summary.failed
    assert not (tmp_path / "all" / "mc.html").exists()
    study_html = summary.study_path.read_text()
    assert "secret words of mc" not in study_html and ">mc<" not in study_html
    page = _Page(study_html)
    assert "Counted: the 3 meetings whose consent covers analysis" in page.text
    assert "4 meetings stored; 1 left out because their consent does not cover analysis" in page.text
    assert [row[0] for row in page.rows("meeting-index")] == ["ma", "mb", "md"]
    con.close()

    # a participant's withdrawal: the meeting stays, every report says it is incomplete
    withdraw_participant(db, "ma", "su", "form-1")
    con = connect(db, read_only=True)
    page = _Page(write_meeting_report(con, "ma", tmp_path / "ma.html", database_dir=db.parent).read_text())
    assert "Consent: incomplete: the speech of 1 participant was withdrawn." in page.text
    assert "su" not in {row[0] for row in page.rows("voice-share-person")}
    study_page = _Page(write_study_report(con, tmp_path / "s.html").read_text())
    assert "1 meeting incomplete" in study_page.text
    con.close()

    # a withdrawn meeting is gone from everything, its earlier report in the --all folder too
    assert (tmp_path / "all" / "mb.html").exists()
    (tmp_path / "all" / "notes.html").write_text("<p>a researcher's own file stays</p>")
    withdraw_meeting(db, "mb", "form-2")
    con = connect(db, read_only=True)
    summary = write_all_reports(con, tmp_path / "all", database_dir=db.parent)
    assert set(summary.meeting_paths) == {"ma", "md"}
    assert summary.removed == {"mb": tmp_path / "all" / "mb.html"}
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["ma.html", "md.html", "notes.html", "study.html"]
    assert [row[0] for row in _Page(summary.study_path.read_text()).rows("meeting-index")] == ["ma", "md"]
    con.close()


def test_study_figures_are_the_views_aggregates(study):
    db, con = study
    data = load_study(con, with_meetings=True)
    assert (data.meeting_count, data.stored_count, data.not_analysable_count, data.tagged_count) == (3, 4, 1, 2)
    assert data.unmapped_count == 1 and data.incomplete_count == 0
    speech_h = con.execute(
        "select sum(speech_s) / 3600 from balance where meeting_id in ('ma', 'mb', 'md')"
    ).fetchone()[0]
    assert data.speech_h == pytest.approx(speech_h)
    by_site = {s.site: s for s in data.sites}
    assert (by_site["north"].meeting_count, by_site["south"].meeting_count) == (1, 2)
    assert by_site["south"].tagged_count == 1 and by_site["south"].unmapped_count == 1
    # the service user's share by site: the median of the balance view's values
    for site, meetings in (("north", ["ma"]), ("south", ["mb", "md"])):
        values = [
            v
            for (v,) in con.execute(
                f"select service_user_speech_pct from balance where meeting_id in {tuple(meetings) + ('',)}"
            ).fetchall()
        ]
        box = next(q for q in data.service_user_share_by_site if q.group == site)
        assert box.n == len(values) and box.median == pytest.approx(statistics.median(values))
    # role shares over meetings: one value per meeting where the role is registered or spoke
    clinician = [
        v
        for (v,) in con.execute(
            "select speech_pct from voice_share_role where role = 'clinician' and meeting_id <> 'mc'"
        ).fetchall()
    ]
    box = next(q for q in data.role_share if q.group == "clinician")
    assert box.n == 3 and box.median == pytest.approx(statistics.median(clinician))
    # indicator histogram: the proxy's scores, binned by 5
    scores = sorted(s for (s,) in con.execute("select score_0_100 from sdm_option5_proxy").fetchall())
    assert sorted(b for _, b, n in data.score_histogram for _ in range(n)) == [min(s // 5 * 5, 100) for s in scores]
    # tag rates: labelled utterances per hour of the role's own speech, the peer rule applied
    rates = {(tag, role): (hits, rate) for _, tag, role, hits, rate in data.tag_rates}
    hits, speech_s = con.execute(
        """
        select (select count(*) from stg_tag_hits where tag = 'option_discussion' and role = 'clinician'),
               (select sum(speech_s) from voice_share_role where role = 'clinician' and meeting_id in ('ma', 'mb'))
        """
    ).fetchone()
    assert rates[("option_discussion", "clinician")] == (hits, pytest.approx(3600 * hits / speech_s))
    assert ("peer_self_disclosure", "clinician") not in rates and ("peer_self_disclosure", "peer") in rates
    assert [m.meeting_id for m in data.meetings] == ["ma", "mb", "md"]
    assert next(m for m in data.meetings if m.meeting_id == "md").score_0_100 is None


def test_audio_links_and_file_names(study, tmp_path):
    db, con = study
    audio = str((tmp_path / "audio" / "ma.wav").resolve())
    assert audio_href(audio, tmp_path / "a" / "b", "relative", db.parent) == "../../audio/ma.wav"
    assert audio_href(audio, tmp_path, "absolute", db.parent) == Path(audio).as_uri()
    assert audio_href("rel dir/x.wav", tmp_path / "out", "relative", tmp_path) == "../rel%20dir/x.wav"
    assert audio_href(audio, tmp_path, "none", db.parent) is None
    html = write_meeting_report(
        con, "ma", tmp_path / "none.html", ReportOptions(audio_links="none"), database_dir=db.parent
    ).read_text()
    assert "<audio" not in html and "not linked" in html

    assert meeting_file_name("m001") == "m001.html"
    odd = meeting_file_name("site a/2024 ../m1")
    assert odd.startswith("site_a_2024_.._m1-") and "/" not in odd and odd.endswith(".html")
    assert meeting_file_name("study") != "study.html"
    with pytest.raises(ValueError):
        ReportOptions(audio_links="inline")


def test_one_failing_meeting_does_not_stop_the_batch(study, tmp_path):
    db, con = study
    out = tmp_path / "all"
    (out / "mb.html").mkdir(parents=True)  # mb's report cannot replace a folder
    summary = write_all_reports(con, out, database_dir=db.parent)
    assert set(summary.meeting_paths) == {"ma", "md"}
    assert "mb.html: cannot write the report" in summary.failed["mb"]
    page = _Page(summary.study_path.read_text())
    assert ["mb", "(report failed)"] == page.rows("meeting-index")[1][0].split(" ", 1)
    assert not list(out.glob(".*.tmp"))  # no half-written file is left behind


def test_report_command(study, tmp_path):
    db, con = study
    con.close()
    runner = CliRunner()
    result = runner.invoke(app, ["report", "ma", "--db", str(db), "--output", str(tmp_path / "one")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "one" / "ma.html").is_file()
    result = runner.invoke(app, ["report", "--study", "--db", str(db), "--output", str(tmp_path / "s.html")])
    assert result.exit_code == 0 and (tmp_path / "s.html").is_file()
    result = runner.invoke(app, ["report", "--all", "--db", str(db), "--output", str(tmp_path / "all")])
    assert result.exit_code == 0, result.output
    assert "wrote 3 meeting reports" in result.output
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["ma.html", "mb.html", "md.html", "study.html"]
    # reports quote what participants said: readable by their owner only
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "all").iterdir()} == {"0o600"}

    for args, message in (
        (["report", "mc"], "consent does not cover analysis"),
        (["report"], "give exactly one of MEETING, --all or --study"),
        (["report", "ma", "--study"], "got MEETING, --study"),
        (["report", "--all", "--output", "x.html"], "--output must be a folder"),
        (["report", "ma", "--audio-links", "inline"], "unknown --audio-links 'inline'"),
    ):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "dialogic report m001" in result.output
