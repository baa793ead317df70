DROP INDEX scenarios_sitemap_idx;
DROP INDEX scenarios_featured_idx;
DROP TRIGGER scenario_labels_update;
DROP TRIGGER scenario_labels_insert;
DROP TABLE scenario_labels;
