-- A schedule's creator is the user with this id (ADR 0005, "Scanner service"), no longer whoever
-- holds the name in created_by (kept: the name the API shows): a user deleted and made again
-- under the same name is another user, with another id (ids are never reused), and must not
-- inherit the old user's schedules. Existing rows take the id of the user holding the name now
-- only when that user already existed when the schedule was made; otherwise the name belongs to
-- a user made since (the creator was deleted and the name reused) or to nobody (the creator was
-- deleted), and the column stays NULL, which the scheduler treats as a deleted creator: no due
-- run starts. Wrongly giving a deleted user's schedules to a stranger is the worse mistake, and
-- an admin can still run such a schedule now or make it again as its new owner.
ALTER TABLE scan_schedules ADD COLUMN created_by_id BIGINT;
UPDATE scan_schedules SET created_by_id = (
  SELECT users.id FROM users
  WHERE users.username = scan_schedules.created_by AND users.created_at <= scan_schedules.created_at)
