DROP INDEX learning_paths_creator_idx;
DROP TABLE course_invitations;
