-- A one-to-one message its recipient deleted from its own history
-- (delete_c2c_msg_ramble): hide_to = 1 keeps it out of the recipient's
-- admin_getroammsg, as hide_from = 1 keeps a message out of its sender's
-- (SyncOtherMachine 2, or the sender's own deletion). The other side still
-- reads it.
ALTER TABLE c2c_msgs ADD COLUMN hide_to BIGINT NOT NULL DEFAULT 0;
