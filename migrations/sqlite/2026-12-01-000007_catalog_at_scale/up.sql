-- The catalog at hundreds of thousands of scenarios.
-- Categories and tags as indexed rows (kept in step with the JSON columns by triggers, so
-- every writer — the app, the seed, a bulk import — keeps them right), instead of matching
-- the JSON text.
CREATE TABLE scenario_labels (
    kind TEXT NOT NULL CHECK (kind IN ('category', 'tag')),
    label TEXT NOT NULL,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, label, scenario_id)
);
CREATE INDEX scenario_labels_scenario_idx ON scenario_labels (scenario_id);

CREATE TRIGGER scenario_labels_insert AFTER INSERT ON scenarios BEGIN
    INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
        SELECT 'category', value, NEW.id FROM json_each(
            CASE WHEN json_valid(NEW.categories) THEN NEW.categories ELSE '[]' END);
    INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
        SELECT 'tag', lower(value), NEW.id FROM json_each(
            CASE WHEN json_valid(NEW.tags) THEN NEW.tags ELSE '[]' END);
END;

CREATE TRIGGER scenario_labels_update AFTER UPDATE OF categories, tags ON scenarios BEGIN
    DELETE FROM scenario_labels WHERE scenario_id = OLD.id;
    INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
        SELECT 'category', value, NEW.id FROM json_each(
            CASE WHEN json_valid(NEW.categories) THEN NEW.categories ELSE '[]' END);
    INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
        SELECT 'tag', lower(value), NEW.id FROM json_each(
            CASE WHEN json_valid(NEW.tags) THEN NEW.tags ELSE '[]' END);
END;

INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
    SELECT 'category', j.value, s.id FROM scenarios s, json_each(
        CASE WHEN json_valid(s.categories) THEN s.categories ELSE '[]' END) j;
INSERT OR IGNORE INTO scenario_labels (kind, label, scenario_id)
    SELECT 'tag', lower(j.value), s.id FROM scenarios s, json_each(
        CASE WHEN json_valid(s.tags) THEN s.tags ELSE '[]' END) j;

-- The home page's featured list (gentlest beginner scenarios first) and the sitemaps
-- (creation order), each read from an index and stopped after its rows.
CREATE INDEX scenarios_featured_idx
    ON scenarios (is_active, visibility, difficulty, difficulty_rating, created_at, id);
CREATE INDEX scenarios_sitemap_idx ON scenarios (is_active, visibility, created_at, id);
