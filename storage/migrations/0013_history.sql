-- The registry as it was: who was in which team on which days, which teams existed when, and
-- who held which role. Every figure of a past period (completeness, allowance sheets, /stats,
-- digests, the export) reads these instead of today's members.team_id / teams.active, so a
-- team created today is not paid for October and a member who moved mid-month appears under
-- each team for their days there.
--
-- Periods are LOCAL days, inclusive: [since_day, until_day]; until_day NULL = still so. They
-- are kept by TRIGGERS on members, teams and role_grants, so every write path (chat flows,
-- the registry import, the bulk loader, the demo) records them without knowing about them.
-- A change made on local day D closes the old period on D-1 and opens the new one on D.
--
-- The local day of a stored UTC instant needs the province's UTC offset: `local_clock` holds
-- it as an SQLite date modifier. Every province of Vietnam keeps UTC+7 all year (no daylight
-- saving), so one fixed offset is exact; a deployment elsewhere sets its own row.
CREATE TABLE local_clock (
    modifier TEXT NOT NULL                    -- e.g. '+7 hours'
);
INSERT INTO local_clock VALUES ('+7 hours');

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    since_day TEXT NOT NULL,                  -- 'YYYY-MM-DD', local
    until_day TEXT                            -- last day in the team; NULL: still there
);
-- A team's people in a period (completeness, allowance sheets): seek by team, then by start.
CREATE INDEX memberships_team ON memberships(team_id, since_day, until_day, member_id);
-- A member's team on a day (which team a back-dated session belongs to).
CREATE INDEX memberships_member ON memberships(member_id, since_day);

CREATE TABLE team_spans (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    since_day TEXT NOT NULL,
    until_day TEXT
);
CREATE INDEX team_spans_team ON team_spans(team_id, since_day, until_day);

CREATE TABLE role_spans (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    since_day TEXT NOT NULL,
    until_day TEXT
);
CREATE INDEX role_spans_member ON role_spans(member_id, since_day);

-- ----------------------------------------------------------------------------- a start
-- Existing data: a team from its creation or its first session, whichever is earlier; a member
-- in their current team from their creation or their first session there, whichever is earlier;
-- earlier teams a member logged in (they moved before history was kept) from the first to the
-- last session there. Closed teams and inactive members end on the day of their last change.

INSERT INTO team_spans (team_id, since_day, until_day)
SELECT t.id,
       MIN(date(t.created_at, '+7 hours'),
           COALESCE((SELECT MIN(d.day) FROM member_day d WHERE d.team_id = t.id), '9999-12-31')),
       CASE WHEN t.active THEN NULL ELSE date(t.updated_at, '+7 hours') END
FROM teams t;

INSERT INTO memberships (member_id, team_id, since_day, until_day)
SELECT m.id, m.team_id,
       MIN(date(m.created_at, '+7 hours'),
           COALESCE((SELECT MIN(d.day) FROM member_day d
                     WHERE d.member_id = m.id AND d.team_id = m.team_id), '9999-12-31')),
       CASE WHEN m.active THEN NULL ELSE date(m.updated_at, '+7 hours') END
FROM members m WHERE m.team_id IS NOT NULL;

INSERT INTO memberships (member_id, team_id, since_day, until_day)
SELECT d.member_id, d.team_id, MIN(d.day), MAX(d.day)
FROM member_day d JOIN members m ON m.id = d.member_id
WHERE d.team_id <> 0 AND d.team_id IS NOT m.team_id
  AND EXISTS (SELECT 1 FROM teams t WHERE t.id = d.team_id)
GROUP BY d.member_id, d.team_id;

INSERT INTO role_spans (member_id, role, scope_kind, scope_id, since_day)
SELECT member_id, role, scope_kind, scope_id, date(granted_at, '+7 hours') FROM role_grants;

-- ----------------------------------------------------------------------------- triggers

CREATE TRIGGER history_member_added AFTER INSERT ON members
WHEN NEW.team_id IS NOT NULL AND NEW.active
BEGIN
    INSERT INTO memberships (member_id, team_id, since_day)
    VALUES (NEW.id, NEW.team_id, date(NEW.created_at, (SELECT modifier FROM local_clock)));
END;

-- Joined, moved, left, came back: the open period closes the day before, a new one opens.
CREATE TRIGGER history_member_changed AFTER UPDATE OF team_id, active ON members
WHEN OLD.team_id IS NOT NEW.team_id OR OLD.active IS NOT NEW.active
BEGIN
    UPDATE memberships
       SET until_day = date(NEW.updated_at, (SELECT modifier FROM local_clock), '-1 day')
     WHERE member_id = NEW.id AND until_day IS NULL;
    INSERT INTO memberships (member_id, team_id, since_day)
    SELECT NEW.id, NEW.team_id, date(NEW.updated_at, (SELECT modifier FROM local_clock))
     WHERE NEW.team_id IS NOT NULL AND NEW.active;
    -- a change undone on the day it was made leaves no period behind
    DELETE FROM memberships WHERE member_id = NEW.id AND until_day < since_day;
END;

CREATE TRIGGER history_team_added AFTER INSERT ON teams
WHEN NEW.active
BEGIN
    INSERT INTO team_spans (team_id, since_day)
    VALUES (NEW.id, date(NEW.created_at, (SELECT modifier FROM local_clock)));
END;

CREATE TRIGGER history_team_changed AFTER UPDATE OF active ON teams
WHEN OLD.active IS NOT NEW.active
BEGIN
    UPDATE team_spans
       SET until_day = date(NEW.updated_at, (SELECT modifier FROM local_clock), '-1 day')
     WHERE team_id = NEW.id AND until_day IS NULL;
    INSERT INTO team_spans (team_id, since_day)
    SELECT NEW.id, date(NEW.updated_at, (SELECT modifier FROM local_clock)) WHERE NEW.active;
    DELETE FROM team_spans WHERE team_id = NEW.id AND until_day < since_day;
END;

CREATE TRIGGER history_role_granted AFTER INSERT ON role_grants
BEGIN
    INSERT INTO role_spans (member_id, role, scope_kind, scope_id, since_day)
    VALUES (NEW.member_id, NEW.role, NEW.scope_kind, NEW.scope_id,
            date(NEW.granted_at, (SELECT modifier FROM local_clock)));
END;

-- role_grants keeps no time of removal, so the removal is dated by the database's clock.
CREATE TRIGGER history_role_removed AFTER DELETE ON role_grants
BEGIN
    UPDATE role_spans
       SET until_day = date('now', (SELECT modifier FROM local_clock), '-1 day')
     WHERE member_id = OLD.member_id AND role = OLD.role AND scope_kind = OLD.scope_kind
       AND scope_id = OLD.scope_id AND until_day IS NULL;
    DELETE FROM role_spans WHERE member_id = OLD.member_id AND until_day < since_day;
END;

-- A session is evidence: someone who logged in a team on a day was in it that day (a member
-- may log a few days back on the day they join; a team's first session can predate its row).
-- Named rollup_*: the bulk loader sets it aside and storage/history_sql.py's statements
-- redo its work once after the load.
CREATE TRIGGER rollup_history_session_added AFTER INSERT ON sessions
WHEN NEW.team_id IS NOT NULL AND NEW.deleted_at IS NULL
BEGIN
    UPDATE memberships SET since_day = NEW.session_date
     WHERE id = (SELECT id FROM memberships WHERE member_id = NEW.member_id
                   AND team_id = NEW.team_id ORDER BY since_day LIMIT 1)
       AND since_day > NEW.session_date;
    UPDATE team_spans SET since_day = NEW.session_date
     WHERE id = (SELECT id FROM team_spans WHERE team_id = NEW.team_id
                   ORDER BY since_day LIMIT 1)
       AND since_day > NEW.session_date;
END;
