-- meta.id was INTEGER, PostgreSQL's 32-bit integer, where every other
-- integer column is BIGINT, as SQLite's INTEGER is 64 bits: the schemas of
-- the two databases now say the same (TestSchema_SameOnBothDatabases). The
-- column holds only 1, so nothing read or written changes.
ALTER TABLE meta ALTER COLUMN id TYPE BIGINT;
