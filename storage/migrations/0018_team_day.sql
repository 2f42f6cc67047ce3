-- Per team × day: what each team logged on each day, for a province's completeness over any
-- run of days (this week so far, this month so far). member_day answers the same question one
-- row per member and category, ~4× the rows at 20 million sessions; this table has at most
-- one row per team a day. Kept like the roll-ups of 0009: triggers named rollup_* (the bulk
-- loader sets them aside, storage/rollups.py rebuilds the table from member_day, `reindex
-- --check` compares it with the raw rows). A session counts in the team it was logged in (its
-- team on its date), as in member_day.
CREATE TABLE team_day (
    team_id INTEGER NOT NULL,                 -- 0: logged outside a team
    day TEXT NOT NULL,
    commune_code TEXT NOT NULL,               -- '': logged outside a commune
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (team_id, day, commune_code)
) WITHOUT ROWID;
-- Covering: a commune's (or a province's communes') days, per team, without the table.
CREATE INDEX team_day_commune ON team_day(commune_code, day, team_id, sessions, citizens);

INSERT INTO team_day
SELECT team_id, day, commune_code, SUM(sessions), SUM(citizens)
FROM member_day GROUP BY 1, 2, 3;

CREATE TRIGGER rollup_team_day_added AFTER INSERT ON sessions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO team_day VALUES (COALESCE(NEW.team_id, 0), NEW.session_date,
        COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;

CREATE TRIGGER rollup_team_day_removed AFTER DELETE ON sessions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE team_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
      AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM team_day
    WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
      AND commune_code = COALESCE(OLD.commune_code, '') AND sessions <= 0;
END;

CREATE TRIGGER rollup_team_day_changed_out
AFTER UPDATE OF team_id, commune_code, citizens, session_date, deleted_at ON sessions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE team_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
      AND commune_code = COALESCE(OLD.commune_code, '');
    DELETE FROM team_day
    WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
      AND commune_code = COALESCE(OLD.commune_code, '') AND sessions <= 0;
END;

CREATE TRIGGER rollup_team_day_changed_in
AFTER UPDATE OF team_id, commune_code, citizens, session_date, deleted_at ON sessions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO team_day VALUES (COALESCE(NEW.team_id, 0), NEW.session_date,
        COALESCE(NEW.commune_code, ''), 1, NEW.citizens)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;
