DROP INDEX learning_paths_courses_sitemap_idx;
DROP INDEX learning_paths_courses_category_idx;
DROP INDEX learning_paths_courses_level_idx;
DROP INDEX learning_paths_courses_language_idx;
DROP INDEX learning_paths_courses_idx;
ALTER TABLE learning_paths DROP COLUMN minutes_per_day;
ALTER TABLE learning_paths DROP COLUMN category;
ALTER TABLE learning_paths DROP COLUMN cefr_level;
