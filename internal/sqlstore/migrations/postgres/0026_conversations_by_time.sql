-- conversations_by_time (app_id, owner, msg_time) served no query once
-- conversations_list (0013) ordered an account's conversations by type and
-- time; every message moved its entry in both for each of its two
-- conversations.
DROP INDEX conversations_by_time;
