-- Steering and paying: targets per place, category and period; the allowance rule and its
-- history; members' pauses of their reminders. Timestamps are ISO-8601 UTC text.

-- How many citizens a place should help in a month or a quarter.
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('province', 'commune', 'team')),
    scope_id TEXT NOT NULL,                   -- province code, commune code or team id
    category_id INTEGER REFERENCES categories(id),   -- NULL: all categories together
    period_kind TEXT NOT NULL CHECK (period_kind IN ('month', 'quarter')),
    period_start TEXT NOT NULL,               -- the first day, YYYY-MM-DD
    citizens INTEGER NOT NULL CHECK (citizens > 0),
    set_by INTEGER REFERENCES members(id),
    set_at TEXT NOT NULL
);
-- One target per place, category and period (NULL category counted as one value).
CREATE UNIQUE INDEX targets_one ON targets(scope_kind, scope_id, IFNULL(category_id, 0),
                                           period_kind, period_start);
CREATE INDEX targets_period ON targets(period_start);

-- The allowance rule, kept as a history: the rule of a month is the latest one from that
-- month or before, so a sheet exported later still uses the rule the month was paid on.
CREATE TABLE allowance_rules (
    id INTEGER PRIMARY KEY,
    from_month TEXT NOT NULL,                 -- YYYY-MM-01
    per_team INTEGER NOT NULL DEFAULT 0 CHECK (per_team >= 0),
    per_member INTEGER NOT NULL DEFAULT 0 CHECK (per_member >= 0),
    per_day INTEGER NOT NULL DEFAULT 0 CHECK (per_day >= 0),
    cap INTEGER CHECK (cap IS NULL OR cap > 0),
    set_by INTEGER REFERENCES members(id),
    set_at TEXT NOT NULL
);
CREATE INDEX allowance_rules_month ON allowance_rules(from_month);

-- A member on leave: no reminders up to and including ``until`` (a local date).
CREATE TABLE reminder_pauses (
    member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    until TEXT NOT NULL,                      -- YYYY-MM-DD
    set_at TEXT NOT NULL
);
