-- The coordinators' web dashboard and the feed for the level above.
-- Every secret handed out (a one-time login link, a browser session's cookie, a collector's API
-- token) is kept only as the SHA-256 of its value: a copy of the database opens nothing.

-- A link /web answers with: one use, ten minutes.
CREATE TABLE web_login_links (
    token_hash TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT                                -- set by the one login it allows
);
CREATE INDEX web_login_links_expiry ON web_login_links(expires_at);

-- A browser session opened by a link. Ended by logout, revocation, /forget, losing the role,
-- or eight idle hours (last_seen_at); ended rows are deleted, not kept.
CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,            -- of the cookie's value
    csrf TEXT NOT NULL,                         -- the form token of this session's POSTs
    member_id INTEGER NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT ''             -- "Chrome on Android": to tell sessions apart
);
CREATE INDEX web_sessions_member ON web_sessions(member_id);
CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at);

-- Read-only tokens of the feed API (python -m bot api-token create|list|revoke).
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,                        -- who holds it: "national collector"
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
