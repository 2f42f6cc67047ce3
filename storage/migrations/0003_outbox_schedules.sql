-- The outbox (every scheduled or broadcast message, written before it is sent) and the
-- schedules admins change with /schedule. Timestamps are ISO-8601 UTC text.

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,          -- 'digest:commune:31441:2026-W47:m12:telegram'
    channel TEXT NOT NULL,                   -- a key of Services.channels
    chat_id TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,                      -- 'digest' | 'reminder' | 'broadcast' | ...
    batch_id TEXT,                           -- groups a run or a broadcast, for progress
    payload TEXT NOT NULL,                   -- JSON: text, buttons, photo name and type
    attachment BLOB,                         -- photo bytes; dropped once the item is settled
    not_before TEXT NOT NULL,                -- quiet hours push this to their end
    expires_at TEXT,                         -- not sent by then: cancelled (a stale "this week")
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    message_ref TEXT,                        -- the channel's message id once sent
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before);
CREATE INDEX outbox_batch ON outbox(batch_id, status);

-- One row per schedule an admin changed; a missing row means the built-in default
-- (digest Monday 07:30, reminder Friday 16:00, quiet hours from QUIET_HOURS).
CREATE TABLE schedules (
    name TEXT PRIMARY KEY CHECK (name IN ('digest', 'reminder', 'quiet')),
    weekday INTEGER CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 = Monday; NULL for quiet
    at_time TEXT NOT NULL,                   -- 'HH:MM' local time (quiet: start)
    end_time TEXT,                           -- quiet: end
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES members(id)
);
