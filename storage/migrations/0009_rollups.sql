-- Figures that cost the same whatever the history: sessions rolled up per day, week and month.
--
-- Every report (digests, /stats, /team, /my, reminders, exports) reads these small tables
-- instead of the raw `sessions` rows, so a week of the province costs the same in year three
-- as in week one. They are DERIVED data: `python -m bot reindex` rebuilds them from `sessions`,
-- `python -m bot reindex --check` says whether they agree (storage/rollups.py).
--
-- They are kept by TRIGGERS on `sessions`, so every write path — a new session, an undo
-- (deleted_at set), an edit of any counted column, a hard DELETE, a bulk seed — keeps them right
-- inside the very transaction that changed the raw row; no code path can forget one.
--
-- A session counts where the member was when they logged it: its team_id and commune_code.
-- WITHOUT ROWID tables need NOT NULL keys, so "no team" is stored as team_id 0 and "no commune"
-- as commune_code '' (neither matches a real team or commune). Rows whose count falls to zero
-- are deleted, so MAX(day) is "the latest session ever" and the tables hold only real activity.

-- Per member × day × category: /my, members' weekly activity, the allowance "days on duty",
-- per-team figures of a commune (via member_day_commune) and a team's latest session.
CREATE TABLE member_day (
    member_id INTEGER NOT NULL,
    day TEXT NOT NULL,                        -- sessions.session_date, 'YYYY-MM-DD'
    category_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,                 -- 0: logged outside a team
    commune_code TEXT NOT NULL,               -- '': logged outside a commune
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (member_id, day, category_id, team_id, commune_code)
) WITHOUT ROWID;
-- Covering: a commune's days with team and figures, without touching the table.
CREATE INDEX member_day_commune ON member_day(commune_code, day, team_id, sessions, citizens);
-- A team's days (its figures, its latest session).
CREATE INDEX member_day_team ON member_day(team_id, day, sessions, citizens);

-- Per member × ISO week (week = its Monday): who was active in a week, per team, at any size.
-- Keyed week first: "everyone active that week" is one range of the primary key, and "was this
-- member active" one seek.
CREATE TABLE member_week (
    member_id INTEGER NOT NULL,
    week TEXT NOT NULL,                       -- the Monday, 'YYYY-MM-DD'
    team_id INTEGER NOT NULL,
    commune_code TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (week, member_id, team_id, commune_code)
) WITHOUT ROWID;
CREATE INDEX member_week_commune ON member_week(commune_code, week, team_id, sessions,
                                                citizens);

-- Per member × calendar month (month = its first day): the same for months.
CREATE TABLE member_month (
    member_id INTEGER NOT NULL,
    month TEXT NOT NULL,                      -- the first of the month, 'YYYY-MM-01'
    team_id INTEGER NOT NULL,
    commune_code TEXT NOT NULL,
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (month, member_id, team_id, commune_code)
) WITHOUT ROWID;
CREATE INDEX member_month_commune ON member_month(commune_code, month, team_id, sessions,
                                                  citizens);

-- Per commune × day × category: province and commune totals, rankings and trends.
CREATE TABLE commune_day (
    commune_code TEXT NOT NULL,
    day TEXT NOT NULL,
    category_id INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (commune_code, day, category_id)
) WITHOUT ROWID;

-- ----------------------------------------------------------------------------- triggers
-- Named rollup_*: storage/rollups.py drops and recreates them around bulk loads.

CREATE TRIGGER rollup_session_added AFTER INSERT ON sessions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO member_day VALUES (NEW.member_id, NEW.session_date, NEW.category_id,
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO member_week VALUES (NEW.member_id,
        date(NEW.session_date, '-6 days', 'weekday 1'),
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO member_month VALUES (NEW.member_id, substr(NEW.session_date, 1, 8) || '01',
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO commune_day VALUES (COALESCE(NEW.commune_code, ''), NEW.session_date,
        NEW.category_id, 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;

-- The removal of a counted row: an undo, an edit (its old values), a hard delete.
-- (Two triggers share this body; SQLite has no trigger procedures.)
CREATE TRIGGER rollup_session_removed AFTER DELETE ON sessions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE member_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND day = OLD.session_date
      AND category_id = OLD.category_id AND team_id = COALESCE(OLD.team_id, 0)
      AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_day
    WHERE member_id = OLD.member_id AND day = OLD.session_date
      AND category_id = OLD.category_id AND team_id = COALESCE(OLD.team_id, 0)
      AND commune_code = COALESCE(OLD.commune_code, '') AND sessions <= 0;
    UPDATE member_week SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND week = date(OLD.session_date, '-6 days', 'weekday 1')
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_week
    WHERE member_id = OLD.member_id AND week = date(OLD.session_date, '-6 days', 'weekday 1')
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '')
      AND sessions <= 0;
    UPDATE member_month SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND month = substr(OLD.session_date, 1, 8) || '01'
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_month
    WHERE member_id = OLD.member_id AND month = substr(OLD.session_date, 1, 8) || '01'
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '')
      AND sessions <= 0;
    UPDATE commune_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE commune_code = COALESCE(OLD.commune_code, '') AND day = OLD.session_date
      AND category_id = OLD.category_id;
    DELETE FROM commune_day
    WHERE commune_code = COALESCE(OLD.commune_code, '') AND day = OLD.session_date
      AND category_id = OLD.category_id AND sessions <= 0;
END;

-- An update of anything counted: take the old row out (if it counted)…
CREATE TRIGGER rollup_session_changed_out
AFTER UPDATE OF member_id, team_id, commune_code, category_id, citizens, session_date,
    deleted_at ON sessions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE member_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND day = OLD.session_date
      AND category_id = OLD.category_id AND team_id = COALESCE(OLD.team_id, 0)
      AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_day
    WHERE member_id = OLD.member_id AND day = OLD.session_date
      AND category_id = OLD.category_id AND team_id = COALESCE(OLD.team_id, 0)
      AND commune_code = COALESCE(OLD.commune_code, '') AND sessions <= 0;
    UPDATE member_week SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND week = date(OLD.session_date, '-6 days', 'weekday 1')
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_week
    WHERE member_id = OLD.member_id AND week = date(OLD.session_date, '-6 days', 'weekday 1')
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '')
      AND sessions <= 0;
    UPDATE member_month SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE member_id = OLD.member_id AND month = substr(OLD.session_date, 1, 8) || '01'
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM member_month
    WHERE member_id = OLD.member_id AND month = substr(OLD.session_date, 1, 8) || '01'
      AND team_id = COALESCE(OLD.team_id, 0) AND commune_code = COALESCE(OLD.commune_code, '')
      AND sessions <= 0;
    UPDATE commune_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE commune_code = COALESCE(OLD.commune_code, '') AND day = OLD.session_date
      AND category_id = OLD.category_id;
    DELETE FROM commune_day
    WHERE commune_code = COALESCE(OLD.commune_code, '') AND day = OLD.session_date
      AND category_id = OLD.category_id AND sessions <= 0;
END;

-- …and put the new one in (if it counts).
CREATE TRIGGER rollup_session_changed_in
AFTER UPDATE OF member_id, team_id, commune_code, category_id, citizens, session_date,
    deleted_at ON sessions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO member_day VALUES (NEW.member_id, NEW.session_date, NEW.category_id,
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO member_week VALUES (NEW.member_id,
        date(NEW.session_date, '-6 days', 'weekday 1'),
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO member_month VALUES (NEW.member_id, substr(NEW.session_date, 1, 8) || '01',
        COALESCE(NEW.team_id, 0), COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
    INSERT INTO commune_day VALUES (COALESCE(NEW.commune_code, ''), NEW.session_date,
        NEW.category_id, 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;

-- Sessions logged before this migration: roll them up once.
INSERT INTO member_day
SELECT member_id, session_date, category_id, COALESCE(team_id, 0), COALESCE(commune_code, ''),
       COUNT(*), SUM(citizens)
FROM sessions WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5;
INSERT INTO member_week
SELECT member_id, date(day, '-6 days', 'weekday 1'), team_id, commune_code,
       SUM(sessions), SUM(citizens)
FROM member_day GROUP BY 1, 2, 3, 4;
INSERT INTO member_month
SELECT member_id, substr(day, 1, 8) || '01', team_id, commune_code, SUM(sessions), SUM(citizens)
FROM member_day GROUP BY 1, 2, 3, 4;
INSERT INTO commune_day
SELECT commune_code, day, category_id, SUM(sessions), SUM(citizens)
FROM member_day GROUP BY 1, 2, 3;
