-- im_push's OfflinePushInfo, kept with its task as one-to-one messages keep
-- theirs (c2c_msgs.push_info): compact JSON, '' if none.
ALTER TABLE push_tasks ADD COLUMN push_info TEXT NOT NULL DEFAULT '';
