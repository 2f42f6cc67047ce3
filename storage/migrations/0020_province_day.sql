-- Per province × day × category: what the whole province logged each day. A province's totals,
-- categories and weekly trend (/stats, the province digest, the dashboard) read it instead of
-- commune_day, which holds a row per commune as well: in the largest province (168 communes)
-- a month's categories were ~8 ms and eight weeks' trend ~21 ms of a digest's 100 ms budget;
-- here they are a few hundred rows. Kept like the roll-ups of 0009 and 0018: triggers named
-- rollup_* (the bulk loader sets them aside, storage/rollups.py rebuilds the table from
-- member_day, `reindex --check` compares it with the raw rows). A session logged outside a
-- commune has no province here, as it has none in a province's figures.
CREATE TABLE province_day (
    province_code TEXT NOT NULL,
    day TEXT NOT NULL,
    category_id INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    citizens INTEGER NOT NULL,
    PRIMARY KEY (province_code, day, category_id)
) WITHOUT ROWID;

INSERT INTO province_day
SELECT c.province_code, d.day, d.category_id, SUM(d.sessions), SUM(d.citizens)
FROM commune_day d JOIN communes c ON c.code = d.commune_code GROUP BY 1, 2, 3;

CREATE TRIGGER rollup_province_day_added AFTER INSERT ON sessions
WHEN NEW.deleted_at IS NULL AND NEW.commune_code IS NOT NULL
BEGIN
    INSERT INTO province_day
    SELECT province_code, NEW.session_date, NEW.category_id, 1, NEW.citizens
    FROM communes WHERE code = NEW.commune_code
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;

CREATE TRIGGER rollup_province_day_removed AFTER DELETE ON sessions
WHEN OLD.deleted_at IS NULL AND OLD.commune_code IS NOT NULL
BEGIN
    UPDATE province_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND day = OLD.session_date AND category_id = OLD.category_id;
    DELETE FROM province_day
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND day = OLD.session_date AND category_id = OLD.category_id AND sessions <= 0;
END;

CREATE TRIGGER rollup_province_day_changed_out
AFTER UPDATE OF commune_code, category_id, citizens, session_date, deleted_at ON sessions
WHEN OLD.deleted_at IS NULL AND OLD.commune_code IS NOT NULL
BEGIN
    UPDATE province_day SET sessions = sessions - 1, citizens = citizens - OLD.citizens
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND day = OLD.session_date AND category_id = OLD.category_id;
    DELETE FROM province_day
    WHERE province_code = (SELECT province_code FROM communes WHERE code = OLD.commune_code)
      AND day = OLD.session_date AND category_id = OLD.category_id AND sessions <= 0;
END;

CREATE TRIGGER rollup_province_day_changed_in
AFTER UPDATE OF commune_code, category_id, citizens, session_date, deleted_at ON sessions
WHEN NEW.deleted_at IS NULL AND NEW.commune_code IS NOT NULL
BEGIN
    INSERT INTO province_day
    SELECT province_code, NEW.session_date, NEW.category_id, 1, NEW.citizens
    FROM communes WHERE code = NEW.commune_code
    ON CONFLICT DO UPDATE SET sessions = sessions + 1, citizens = citizens + excluded.citizens;
END;
