-- Evidence (minh chứng): a photo a member attaches to a session, kept as a re-encoded JPEG in the
-- evidence/ folder next to the database (the bytes are not in SQLite, nor in its backup).
-- A category says whether its sessions may carry one ('optional', as always) or must ('required').
ALTER TABLE categories ADD COLUMN photo TEXT NOT NULL DEFAULT 'optional'
    CHECK (photo IN ('optional', 'required'));

-- session_id is NULL while the log flow that received the photo is still open; an evidence row
-- never attached is deleted by the daily retention job after a day, an attached one after
-- EVIDENCE_RETENTION_DAYS, and a member's with /forget.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    session_id INTEGER UNIQUE REFERENCES sessions(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    path TEXT NOT NULL UNIQUE,                -- file name inside the evidence folder
    size INTEGER NOT NULL,                    -- bytes of the stored JPEG
    kept_metadata INTEGER NOT NULL DEFAULT 0, -- EXIF kept (EVIDENCE_KEEP_METADATA)
    created_at TEXT NOT NULL
);
CREATE INDEX evidence_member ON evidence(member_id);
CREATE INDEX evidence_created ON evidence(created_at);
