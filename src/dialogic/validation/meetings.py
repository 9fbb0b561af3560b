"""Meeting-level validation: raters score whole meetings on OPTION-5's five items, and dialogic's
SDM proxy (``sdm_option5_proxy``) is compared with them by ICC(A,1), beside the raters' own ICC.
"""

from __future__ import annotations

import duckdb
import numpy as np

from dialogic.validation.reliability import icc_a1
from dialogic.validation.stats import Estimate

ITEMS = (
    "1. Options: the clinicians draw attention to, or confirm, that alternative options exist",
    "2. Partnership: they offer to work through the options together (deliberation supported)",
    "3. Pros and cons: they give information, or check understanding, about the options",
    "4. Preferences: they elicit the person's expectations, concerns and preferences",
    "5. Integration: they make an effort to integrate those preferences into the decision",
)


def option5_agreement(con: duckdb.DuckDBPyConnection) -> dict[str, Estimate]:
    """``proxy_vs_raters``: ICC(A,1) of the proxy's score_0_100 against the raters' mean, over the
    meetings both scored; ``rater_vs_rater``: ICC(A,1) of the first two raters' scores (by name) of
    the meetings scored at least twice — the human ceiling."""
    pairs = con.execute(
        """
        select p.score_0_100, avg(s.score_0_100)
        from sdm_option5_proxy as p
        inner join meeting_option5_scores as s using (meeting_id)
        group by p.meeting_id, p.score_0_100
        order by p.meeting_id
        """
    ).fetchall()
    twice = con.execute(
        """
        select list(score_0_100 order by rater_id)[1:2]
        from meeting_option5_scores group by meeting_id having count(*) >= 2 order by meeting_id
        """
    ).fetchall()
    return {
        "proxy_vs_raters": icc_a1(np.array(pairs, dtype=float).reshape(-1, 2)),
        "rater_vs_rater": icc_a1(np.array([r[0] for r in twice], dtype=float).reshape(-1, 2)),
    }
