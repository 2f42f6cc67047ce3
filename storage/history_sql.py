"""The registry's history (``migrations/0013_history.sql``) and the on-time roll-up
(``0014``) after a bulk load.

A session is evidence that its member was in its team that day, and that the team existed:
the trigger ``rollup_history_session_added`` moves a membership's or a team's start back to a
session dated before it. The bulk loader sets that trigger aside with the roll-up ones; these
statements do its work once for everything loaded (from ``member_day``, already rebuilt).
"""

from __future__ import annotations

#: Run in order after the roll-ups are rebuilt.
EXTEND_FROM_SESSIONS = (
    "UPDATE memberships SET since_day = x.first FROM ("
    " SELECT member_id, team_id, MIN(day) AS first FROM member_day WHERE team_id <> 0"
    " GROUP BY member_id, team_id) x"
    " WHERE x.member_id = memberships.member_id AND x.team_id = memberships.team_id"
    " AND x.first < memberships.since_day AND memberships.id = (SELECT m2.id FROM memberships m2"
    " WHERE m2.member_id = x.member_id AND m2.team_id = x.team_id ORDER BY m2.since_day LIMIT 1)",
    "UPDATE team_spans SET since_day = x.first FROM ("
    " SELECT team_id, MIN(day) AS first FROM member_day WHERE team_id <> 0 GROUP BY team_id) x"
    " WHERE x.team_id = team_spans.team_id AND x.first < team_spans.since_day"
    " AND team_spans.id = (SELECT s2.id FROM team_spans s2 WHERE s2.team_id = x.team_id"
    " ORDER BY s2.since_day LIMIT 1)",
    "DELETE FROM team_lag",
    "INSERT INTO team_lag SELECT COALESCE(team_id, 0), session_date,"
    " MIN(400, MAX(0, CAST(julianday(date(created_at, (SELECT modifier FROM local_clock)))"
    " - julianday(session_date) AS INTEGER))), COALESCE(commune_code, ''), COUNT(*)"
    " FROM sessions NOT INDEXED WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4",
)
