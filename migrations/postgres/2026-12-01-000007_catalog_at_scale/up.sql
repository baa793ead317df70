-- The catalog at hundreds of thousands of scenarios.
-- Categories and tags as indexed rows (kept in step with the JSON columns by a trigger, so
-- every writer — the app, the seed, a bulk import — keeps them right), instead of matching
-- the JSON text.
CREATE TABLE scenario_labels (
    kind TEXT NOT NULL CHECK (kind IN ('category', 'tag')),
    label TEXT NOT NULL,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, label, scenario_id)
);
CREATE INDEX scenario_labels_scenario_idx ON scenario_labels (scenario_id);

CREATE FUNCTION scenario_labels_sync() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM scenario_labels WHERE scenario_id = OLD.id;
    END IF;
    INSERT INTO scenario_labels (kind, label, scenario_id)
        SELECT DISTINCT 'category', c, NEW.id FROM jsonb_array_elements_text(NEW.categories::jsonb) c
        ON CONFLICT DO NOTHING;
    INSERT INTO scenario_labels (kind, label, scenario_id)
        SELECT DISTINCT 'tag', lower(t), NEW.id FROM jsonb_array_elements_text(NEW.tags::jsonb) t
        ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER scenario_labels_insert AFTER INSERT ON scenarios
    FOR EACH ROW EXECUTE FUNCTION scenario_labels_sync();
CREATE TRIGGER scenario_labels_update AFTER UPDATE OF categories, tags ON scenarios
    FOR EACH ROW EXECUTE FUNCTION scenario_labels_sync();

INSERT INTO scenario_labels (kind, label, scenario_id)
    SELECT DISTINCT 'category', c, s.id FROM scenarios s, jsonb_array_elements_text(s.categories::jsonb) c
    ON CONFLICT DO NOTHING;
INSERT INTO scenario_labels (kind, label, scenario_id)
    SELECT DISTINCT 'tag', lower(t), s.id FROM scenarios s, jsonb_array_elements_text(s.tags::jsonb) t
    ON CONFLICT DO NOTHING;

-- The home page's featured list (gentlest beginner scenarios first) and the sitemaps
-- (creation order), each read from an index and stopped after its rows.
CREATE INDEX scenarios_featured_idx
    ON scenarios (is_active, visibility, difficulty, difficulty_rating, created_at, id);
CREATE INDEX scenarios_sitemap_idx ON scenarios (is_active, visibility, created_at, id);
