-- Statistics for SQLite's query planner, so that it uses the index a query
-- was written for.
--
-- Every key starts with app_id, and most deployments serve one app: an
-- equality on app_id alone selects every row. Without statistics the planner
-- assumes the opposite (about ten rows per value of a key's first column),
-- and on WITHOUT ROWID tables it then prefers walking the primary key on
-- app_id alone over a secondary index that matches the whole WHERE clause:
-- destroy_group's cleanup of conversations (contact_items by peer), the
-- joined-group list (group_members by user) and account deletion (friends by
-- friend) each read every row of the app instead of a few, so their cost
-- grew with the data.
--
-- These are the figures SQLite's ANALYZE would record for a database of a few
-- large apps: each row gives an index's row count, then the rows that share a
-- value of its first column, of its first two, and so on. Only their
-- proportions matter: an app holds about half the rows (so the planner still
-- prefers an index that starts with app_id to walking every app's rows), and
-- each further column narrows as real data does. A later ANALYZE replaces
-- them with measured figures, which say the same about app_id. A table added
-- later needs its own rows here.
ANALYZE sqlite_schema; -- creates sqlite_stat1
DELETE FROM sqlite_stat1;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('accounts', 'accounts', '1000000 500000 1'),
	('im_groups', 'im_groups_id', '1000000 500000 1'),
	('im_groups', 'im_groups_by_seq', '1000000 500000 1'),
	('im_groups', 'im_groups_by_owner', '1000000 500000 10'),
	('group_members', 'group_members', '5000000 2500000 20 1'),
	('group_members', 'group_members_by_user', '5000000 2500000 20 1'),
	('group_members', 'group_members_by_join', '5000000 2500000 20 1'),
	('events', 'events_by_app', '1000000 500000 1'),
	('events', 'events_pending_by_key', '1000 500 5 1'),
	('events', 'events_pending_app_due', '1000 500 2 1'),
	('events', 'events_delivered', '1000000 2'),
	('sns_users', 'sns_users', '1000000 500000 1'),
	('friends', 'friends', '10000000 5000000 100 1'),
	('friends', 'friends_by_friend', '10000000 5000000 100'),
	('friend_lists', 'friend_lists', '100000 50000 5 1'),
	('friend_list_members', 'friend_list_members', '1000000 500000 50 10 1'),
	('friend_list_members', 'friend_list_members_by_friend', '1000000 500000 50 1'),
	('friend_list_members', 'friend_list_members_by_peer', '1000000 500000 50'),
	('contact_users', 'contact_users', '1000000 500000 1'),
	('contact_groups', 'contact_groups', '100000 50000 5 1'),
	('contact_groups', 'contact_groups_name', '100000 50000 5 1'),
	('contact_items', 'contact_items', '1000000 500000 20 10 1'),
	('contact_items', 'contact_items_by_peer', '1000000 500000 500000 5'),
	('contact_group_items', 'contact_group_items', '1000000 500000 20 10 1 1'),
	('contact_group_items', 'contact_group_items_by_group', '1000000 500000 20 4'),
	('contact_group_items', 'contact_group_items_by_peer', '1000000 500000 500000 5');
ANALYZE sqlite_schema; -- this connection's planner reads them now
