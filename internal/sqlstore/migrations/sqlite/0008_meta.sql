-- Facts about the database itself, one row. nonce is drawn at random when
-- the store first opens the database (Open inserts it, as SQL alone has no
-- portable source of randomness) and never changes: webhook ids carry it,
-- so that two databases, whose event ids both start at 1, never send the
-- same id, while one event keeps its id across retries and restarts.
CREATE TABLE meta (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	nonce TEXT NOT NULL
);
-- A rowid table without indexes: the planner needs no statistics (0006).
