-- The durable inbox: every update is written here before the channel is told it arrived
-- (Telegram's getUpdates offset, a webhook's 200), handled from here, and marked handled once
-- handled and answered. After a crash, what was received and not handled is handled at
-- start-up. A handled row keeps only its key (the payload, which
-- may hold a member's words, is dropped), so a re-delivery is still recognised and skipped.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,  -- arrival order, kept when replaying
    channel TEXT NOT NULL,
    update_key TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    payload TEXT,
    received_at TEXT NOT NULL,
    handled_at TEXT,
    UNIQUE (channel, update_key)
);
CREATE INDEX inbox_pending ON inbox(channel, id) WHERE handled_at IS NULL;
CREATE INDEX inbox_handled ON inbox(handled_at) WHERE handled_at IS NOT NULL;
-- /healthz and /status show when each channel last brought an update: one index lookup.
CREATE INDEX inbox_channel_received ON inbox(channel, received_at);

-- The keys of updates handled before the inbox existed, so a late re-delivery is still skipped.
INSERT INTO inbox (channel, update_key, chat_id, payload, received_at, handled_at)
    SELECT channel, update_key, '', NULL, processed_at, processed_at FROM processed_updates;
DROP TABLE processed_updates;
