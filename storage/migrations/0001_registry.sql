-- The registry: administrative hierarchy, teams, members, their chat identities and roles,
-- invitations, the audit log, and the bookkeeping that makes input idempotent and flows durable.
-- Timestamps are ISO-8601 UTC text.

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE communes (
    code TEXT PRIMARY KEY,                    -- official ward/commune code, e.g. '31441'
    province_code TEXT NOT NULL REFERENCES provinces(code),
    name TEXT NOT NULL,                       -- 'Xã Vị Thủy'
    name_key TEXT NOT NULL,                   -- folded for diacritics-insensitive search
    division_type TEXT NOT NULL,              -- 'xã' | 'phường' | 'đặc khu'
    former_district TEXT                      -- before the 2025 reform, for history only
);
CREATE INDEX communes_province ON communes(province_code);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES communes(code),
    name TEXT NOT NULL,                       -- 'Ấp Thạnh Lợi', 'Khu vực 3'
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('hamlet', 'area', 'commune')),
    former_district TEXT,
    former_commune TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (commune_code, name_key)           -- the natural key re-imports upsert on
);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    team_id INTEGER REFERENCES teams(id),     -- NULL for province coordinators and admins
    full_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    phone TEXT UNIQUE,                        -- normalised '0912345678'; optional
    language TEXT CHECK (language IN ('vi', 'en')),  -- NULL: the default language
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX members_team ON members(team_id);
CREATE INDEX members_name_key ON members(name_key);

-- One row per chat account; a member may have a Telegram and a Zalo identity.
CREATE TABLE identities (
    channel TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    external_id TEXT NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    chat_id TEXT NOT NULL,                    -- where to send this member messages
    linked_at TEXT NOT NULL,
    PRIMARY KEY (channel, external_id),
    UNIQUE (member_id, channel)
);

-- Roles above plain membership (membership itself is members.team_id).
CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('team_leader', 'commune_coordinator',
                                       'province_coordinator', 'admin')),
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('team', 'commune', 'province', 'all')),
    scope_id TEXT NOT NULL,                   -- team id, commune code, province code or '*'
    granted_at TEXT NOT NULL,
    granted_by INTEGER REFERENCES members(id),
    UNIQUE (member_id, role, scope_kind, scope_id)
);

CREATE TABLE invitations (
    code TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    commune_code TEXT REFERENCES communes(code),
    province_code TEXT REFERENCES provinces(code),
    member_id INTEGER REFERENCES members(id),  -- set when the invitation is for one person
    max_uses INTEGER,                          -- NULL: unlimited until it expires
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT,
    created_by INTEGER REFERENCES members(id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_member_id INTEGER REFERENCES members(id),
    action TEXT NOT NULL,
    target TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log(at);

-- A conversation in progress, per chat; kept in SQLite so it survives a restart.
CREATE TABLE chat_flows (
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- Language chosen by someone who has not joined yet.
CREATE TABLE visitor_prefs (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    PRIMARY KEY (channel, external_id)
);

-- Updates already handled: a re-delivered update is recognised and skipped.
CREATE TABLE processed_updates (
    channel TEXT NOT NULL,
    update_key TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_key)
);
CREATE INDEX processed_updates_at ON processed_updates(processed_at);
