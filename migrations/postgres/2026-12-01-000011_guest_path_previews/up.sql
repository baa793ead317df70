-- A guest may preview a path before signing up: a preview belongs to a user or to a guest
-- (the guest cookie's id), and moves to the account at sign-up or sign-in.
ALTER TABLE learning_path_previews ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE learning_path_previews ADD COLUMN guest_id TEXT;
ALTER TABLE learning_path_previews ADD CONSTRAINT learning_path_previews_owner_check
    CHECK (user_id IS NOT NULL OR guest_id IS NOT NULL);
CREATE INDEX learning_path_previews_guest_id_idx ON learning_path_previews (guest_id);
