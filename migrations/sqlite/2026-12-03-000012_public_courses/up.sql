-- Public courses (`/courses`): public path templates listed by language, level and category.
-- The level, category and minutes a day are read from `metadata` by the database itself, as
-- generated columns, so every writer (the app, the seed, a creator publishing) keeps them
-- right and a listing reads them from an index instead of parsing each template's JSON.
ALTER TABLE learning_paths ADD COLUMN cefr_level TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.cefrLevel') END) VIRTUAL;
ALTER TABLE learning_paths ADD COLUMN category TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.category') END) VIRTUAL;
ALTER TABLE learning_paths ADD COLUMN minutes_per_day INTEGER GENERATED ALWAYS AS (
    CASE WHEN json_valid(metadata)
    THEN CAST(json_extract(metadata, '$.estimatedMinutesPerDay') AS INTEGER) END) VIRTUAL;

-- Only templates with a share slug (learners' own paths have none): each listing walks one
-- index in its order (title) and stops after a page; the sitemap's is creation order.
CREATE INDEX learning_paths_courses_idx
    ON learning_paths (is_public, is_template, status, title, id) WHERE share_slug IS NOT NULL;
CREATE INDEX learning_paths_courses_language_idx
    ON learning_paths (is_public, is_template, status, target_language, title, id)
    WHERE share_slug IS NOT NULL;
CREATE INDEX learning_paths_courses_level_idx
    ON learning_paths (is_public, is_template, status, cefr_level, title, id)
    WHERE share_slug IS NOT NULL;
CREATE INDEX learning_paths_courses_category_idx
    ON learning_paths (is_public, is_template, status, category, title, id)
    WHERE share_slug IS NOT NULL;
CREATE INDEX learning_paths_courses_sitemap_idx
    ON learning_paths (is_public, is_template, status, created_at, id)
    WHERE share_slug IS NOT NULL;
