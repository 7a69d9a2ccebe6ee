-- Which request may write an upload session, when replicas share this database: a request takes the
-- lease with one conditional update (free, or its holder's lease ended), renews it while it writes,
-- checks it before the session's state is committed, and gives it back at the end. A replica that
-- died leaves a lease that expires. writer_until is epoch milliseconds. One registry process on
-- SQLite keeps this lock in memory and leaves both columns empty.
ALTER TABLE upload_sessions ADD COLUMN writer TEXT;
ALTER TABLE upload_sessions ADD COLUMN writer_until BIGINT;
