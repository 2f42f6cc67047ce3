-- A registry file an admin has checked (dry run) and may still confirm: the channel's file
-- reference, not the bytes (the file is downloaded again on Confirm), so it survives a restart.
CREATE TABLE pending_imports (
    token TEXT PRIMARY KEY,                   -- short, random: goes into the Confirm button
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    file_ref TEXT NOT NULL,
    filename TEXT NOT NULL,
    digest TEXT NOT NULL,                     -- sha256 of the checked bytes: what is confirmed
    created_at TEXT NOT NULL
);
