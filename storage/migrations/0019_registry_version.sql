-- A counter that moves whenever the registry does: communes, teams, their spans, memberships.
-- Completeness reads a place's teams with their members of the period (5,000 teams and 35,000
-- members in the largest province, ~26 ms a read); that list changes only with the registry,
-- so storage/repos/activity.py keeps it per connection and reads it again only when this
-- number differs. Sessions never touch it.
CREATE TABLE registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO registry_version VALUES (1, 0);

CREATE TRIGGER registry_version_communes_insert AFTER INSERT ON communes
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_communes_update AFTER UPDATE ON communes
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_communes_delete AFTER DELETE ON communes
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_teams_insert AFTER INSERT ON teams
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_teams_update AFTER UPDATE ON teams
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_teams_delete AFTER DELETE ON teams
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_team_spans_insert AFTER INSERT ON team_spans
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_team_spans_update AFTER UPDATE ON team_spans
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_team_spans_delete AFTER DELETE ON team_spans
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_memberships_insert AFTER INSERT ON memberships
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_memberships_update AFTER UPDATE ON memberships
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER registry_version_memberships_delete AFTER DELETE ON memberships
BEGIN
    UPDATE registry_version SET n = n + 1 WHERE id = 1;
END;
