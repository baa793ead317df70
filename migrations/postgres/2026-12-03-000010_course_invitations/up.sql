-- Creators invite testers to a course by email. The invitation is kept apart from the
-- assignment because the address may not have an account yet: the tester assignment
-- (role tester) is made when the invitation is accepted by the account with that address.
-- The emailed token is stored only as its SHA-256 digest.
CREATE TABLE course_invitations (
    id TEXT PRIMARY KEY NOT NULL,
    path_id TEXT NOT NULL REFERENCES learning_paths (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL DEFAULT '',
    invited_by_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    assignment_id TEXT REFERENCES learning_path_assignments (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'accepted', 'revoked')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (path_id, email)
);
CREATE INDEX learning_paths_creator_idx ON learning_paths (created_by_user_id, updated_at);
