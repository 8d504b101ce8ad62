-- A one-to-one message its recipient sent a read receipt for
-- (c2c_msg_read_receipt): admin_getroammsg answers IsPeerRead 1 for it,
-- whatever the recipient's read time.
ALTER TABLE c2c_msgs ADD COLUMN receipt BIGINT NOT NULL DEFAULT 0;
