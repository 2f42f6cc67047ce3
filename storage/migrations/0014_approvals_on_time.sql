-- Monthly approval and lock, and reports on time. A commune coordinator signs off their
-- commune's past month, the province coordinator the province's; an approved commune-month is locked for every change of
-- its sessions until a province coordinator or admin reopens it (with a reason, audited).
-- Approving again after a reopening records a new row: the history of sign-offs is kept.

CREATE TABLE month_approvals (
    id INTEGER PRIMARY KEY,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('commune', 'province')),
    scope_id TEXT NOT NULL,                   -- commune code or province code
    month TEXT NOT NULL,                      -- 'YYYY-MM'
    approved_by INTEGER REFERENCES members(id),
    approved_at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '{}',       -- the figures shown when it was approved (JSON)
    reopened_by INTEGER REFERENCES members(id),
    reopened_at TEXT,
    reopen_reason TEXT
);
-- One standing approval per place and month; the lock checks below seek on it.
CREATE UNIQUE INDEX month_approvals_standing ON month_approvals(scope_kind, scope_id, month)
    WHERE reopened_at IS NULL;
CREATE INDEX month_approvals_month ON month_approvals(month, scope_kind);

-- The lock, for every writer (the chat flows check first and answer politely; these make it
-- true for any other path too). A session whose commune-month is approved cannot be added,
-- undone, edited or deleted. Columns no figure reads (a note, a photo: what /forget erases)
-- stay writable.
CREATE TRIGGER lock_session_added BEFORE INSERT ON sessions
WHEN EXISTS (SELECT 1 FROM month_approvals a WHERE a.scope_kind = 'commune'
             AND a.scope_id = NEW.commune_code AND a.month = substr(NEW.session_date, 1, 7)
             AND a.reopened_at IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'month approved: locked');
END;

CREATE TRIGGER lock_session_changed
BEFORE UPDATE OF member_id, team_id, commune_code, category_id, citizens, session_date,
                 deleted_at ON sessions
WHEN EXISTS (SELECT 1 FROM month_approvals a WHERE a.scope_kind = 'commune'
             AND a.reopened_at IS NULL AND (
                 (a.scope_id = OLD.commune_code AND a.month = substr(OLD.session_date, 1, 7))
              OR (a.scope_id = NEW.commune_code AND a.month = substr(NEW.session_date, 1, 7))))
BEGIN
    SELECT RAISE(ABORT, 'month approved: locked');
END;

CREATE TRIGGER lock_session_deleted BEFORE DELETE ON sessions
WHEN EXISTS (SELECT 1 FROM month_approvals a WHERE a.scope_kind = 'commune'
             AND a.scope_id = OLD.commune_code AND a.month = substr(OLD.session_date, 1, 7)
             AND a.reopened_at IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'month approved: locked');
END;

-- ----------------------------------------------------------------------------- on time
-- "Reports on time", as DHIS2 counts them: a session is on time when logged within
-- ON_TIME_DAYS (a setting) of the day it happened. Sessions per team, day and lag (local days
-- between the session's date and the day it was logged, 0..400), so any ON_TIME_DAYS is one
-- range of this small table. Derived like the roll-ups of 0009: kept by triggers named
-- rollup_* (the bulk loader sets them aside and storage/history_sql.py refills the table).
CREATE TABLE team_lag (
    team_id INTEGER NOT NULL,                 -- 0: logged outside a team
    day TEXT NOT NULL,
    lag INTEGER NOT NULL,
    commune_code TEXT NOT NULL,               -- '': logged outside a commune
    sessions INTEGER NOT NULL,
    PRIMARY KEY (team_id, day, lag, commune_code)
) WITHOUT ROWID;
CREATE INDEX team_lag_commune ON team_lag(commune_code, day, team_id, lag, sessions);

INSERT INTO team_lag
SELECT COALESCE(team_id, 0), session_date,
       MIN(400, MAX(0, CAST(julianday(date(created_at, '+7 hours'))
                            - julianday(session_date) AS INTEGER))),
       COALESCE(commune_code, ''), COUNT(*)
FROM sessions WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4;

CREATE TRIGGER rollup_lag_added AFTER INSERT ON sessions
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO team_lag VALUES (COALESCE(NEW.team_id, 0), NEW.session_date,
        MIN(400, MAX(0, CAST(julianday(date(NEW.created_at, (SELECT modifier FROM local_clock)))
                             - julianday(NEW.session_date) AS INTEGER))),
        COALESCE(NEW.commune_code, ''), 1)
    ON CONFLICT DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER rollup_lag_changed
AFTER UPDATE OF team_id, commune_code, session_date, created_at, deleted_at ON sessions
BEGIN
    UPDATE team_lag SET sessions = sessions - 1
     WHERE OLD.deleted_at IS NULL AND team_id = COALESCE(OLD.team_id, 0)
       AND day = OLD.session_date AND commune_code = COALESCE(OLD.commune_code, '')
       AND lag = MIN(400, MAX(0, CAST(julianday(date(OLD.created_at,
                 (SELECT modifier FROM local_clock))) - julianday(OLD.session_date) AS INTEGER)));
    DELETE FROM team_lag WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
       AND sessions <= 0;
    INSERT INTO team_lag SELECT COALESCE(NEW.team_id, 0), NEW.session_date,
        MIN(400, MAX(0, CAST(julianday(date(NEW.created_at, (SELECT modifier FROM local_clock)))
                             - julianday(NEW.session_date) AS INTEGER))),
        COALESCE(NEW.commune_code, ''), 1
     WHERE NEW.deleted_at IS NULL
    ON CONFLICT DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER rollup_lag_deleted AFTER DELETE ON sessions
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE team_lag SET sessions = sessions - 1
     WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
       AND commune_code = COALESCE(OLD.commune_code, '')
       AND lag = MIN(400, MAX(0, CAST(julianday(date(OLD.created_at,
                 (SELECT modifier FROM local_clock))) - julianday(OLD.session_date) AS INTEGER)));
    DELETE FROM team_lag WHERE team_id = COALESCE(OLD.team_id, 0) AND day = OLD.session_date
       AND sessions <= 0;
END;
