-- Files the bot produced (a digest chart, an export workbook) handed out by link, for channels
-- that cannot carry the bytes (Zalo sends photos by public URL and no documents at all).
-- Only the SHA-256 of a link's token is kept: a copy of the database does not give working
-- links. Each token serves exactly one file until it expires; the file lives under the data
-- folder (files/) and is deleted with its row once expired.
CREATE TABLE file_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,          -- hex SHA-256 of the token in the URL
    purpose TEXT NOT NULL,                    -- 'photo' | 'document'
    path TEXT NOT NULL,                       -- file name inside the files folder
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,                   -- the name the downloader sees
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX file_links_expiry ON file_links(expires_at);
