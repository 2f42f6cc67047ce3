-- Zalo has no buttons and no reply keyboard: per chat, the bot remembers what the numbers of its
-- newest numbered list stand for, and the last quick-reply labels it listed (to list them again
-- only when they change). Kept in the database so a restart does not break a half-done choice.
CREATE TABLE zalo_chat_options (
    chat_id TEXT PRIMARY KEY,                 -- Zalo chat id (hex string)
    options TEXT,                             -- JSON {"numbered": bool, "choices": [[label, data]]}
    menu TEXT,                                -- JSON list of quick-reply labels last listed
    updated_at TEXT NOT NULL
);
