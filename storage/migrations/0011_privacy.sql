-- Personal data and abuse limits.
-- A member erased on request (/forget) keeps a nameless row so that their sessions stay counted
-- for their team; erased_at marks it, and nothing may address or reactivate it again.
ALTER TABLE members ADD COLUMN erased_at TEXT;

-- Wrong invitation codes typed, per chat account: a guesser is stopped after a few an hour.
-- Kept a day at most (the daily retention job).
CREATE TABLE join_failures (
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX join_failures_who ON join_failures(channel, external_id, at);
CREATE INDEX join_failures_at ON join_failures(at);

-- The retention job deletes by age: these make it an index range, not a table scan.
CREATE INDEX chat_flows_updated ON chat_flows(updated_at);
CREATE INDEX outbox_updated ON outbox(status, updated_at);
