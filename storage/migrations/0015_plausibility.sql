-- Plausibility: limits an admin sets (/rules) and the sessions that broke one, for review.
--
-- A rule row overrides the built-in default (bot/core/plausibility.py); the per-session limit
-- may be set for one category (category_id) or for all (category_id NULL). 0 turns a limit off.
CREATE TABLE plausibility_rules (
    rule TEXT NOT NULL,                       -- 'session' | 'day' | 'repeat' | 'burst' | ...
    category_id INTEGER REFERENCES categories(id),
    value INTEGER NOT NULL,
    set_by INTEGER REFERENCES members(id),
    set_at TEXT NOT NULL
);
-- One row per rule and category; NULL categories are equal here (unlike a plain UNIQUE).
CREATE UNIQUE INDEX plausibility_rules_key ON plausibility_rules(rule, COALESCE(category_id, 0));

-- A session that broke a rule: saved and counted like any other until a team leader or the
-- commune coordinator confirms it, or rejects it (the session is then undone: deleted_at set,
-- so the roll-ups drop it in the same transaction; the reason stays here and in the audit log).
-- One row per session; `rule` lists the rules it broke ('session,repeat'), `detail` their
-- figures as JSON. Team and commune are copied from the session so /review reads a place's open
-- flags through one index, without touching the sessions table.
CREATE TABLE session_flags (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL UNIQUE REFERENCES sessions(id),
    rule TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '[]',
    team_id INTEGER,
    commune_code TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'rejected')),
    created_at TEXT NOT NULL,
    decided_by INTEGER REFERENCES members(id),
    decided_at TEXT,
    reason TEXT
);
CREATE INDEX session_flags_commune ON session_flags(status, commune_code, team_id);
CREATE INDEX session_flags_team ON session_flags(status, team_id);

-- "Many sessions within minutes" reads a member's latest sessions as they were logged: a seek
-- on this index instead of all the member's sessions of every year.
CREATE INDEX sessions_member_logged ON sessions(member_id, created_at);

-- A flagged session the member undoes (or replaces with /undo's fix) leaves the figures on its
-- own: its open flag is closed as rejected, with no reviewer and no reason, so no list of open
-- flags (/review, /approve) counts a session that no longer counts.
CREATE TRIGGER session_flag_withdrawn AFTER UPDATE OF deleted_at ON sessions
WHEN NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL
BEGIN
    UPDATE session_flags SET status = 'rejected', decided_at = NEW.deleted_at
    WHERE session_id = NEW.id AND status = 'open';
END;
