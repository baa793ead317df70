DELETE FROM learning_path_previews WHERE user_id IS NULL;
DROP INDEX learning_path_previews_guest_id_idx;
ALTER TABLE learning_path_previews DROP CONSTRAINT learning_path_previews_owner_check;
ALTER TABLE learning_path_previews DROP COLUMN guest_id;
ALTER TABLE learning_path_previews ALTER COLUMN user_id SET NOT NULL;
