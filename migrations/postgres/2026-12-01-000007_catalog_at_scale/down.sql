DROP INDEX scenarios_sitemap_idx;
DROP INDEX scenarios_featured_idx;
DROP TRIGGER scenario_labels_update ON scenarios;
DROP TRIGGER scenario_labels_insert ON scenarios;
DROP FUNCTION scenario_labels_sync();
DROP TABLE scenario_labels;
