-- One database serves one province: each province runs its own deployment (PROVINCE_CODE),
-- and a second province in the same file would mix registries, digests and coordinators'
-- scopes. The application checks this at start-up with a clear message; the trigger keeps it
-- true for any other writer too (communes and teams follow, through their foreign keys).
CREATE TRIGGER provinces_one_per_database
BEFORE INSERT ON provinces
WHEN EXISTS (SELECT 1 FROM provinces WHERE code <> NEW.code)
BEGIN
    SELECT RAISE(ABORT, 'this database already belongs to another province');
END;
