-- Review scoring, calibration and outcomes.
-- Per-cycle score weights (percent, summing to 100) and the guideline distribution of ratings
-- (a JSON array of percents, one per point of the scale; '' = the default for the scale).
ALTER TABLE review_cycles ADD COLUMN weight_goals INTEGER NOT NULL DEFAULT 30;
ALTER TABLE review_cycles ADD COLUMN weight_kpi INTEGER NOT NULL DEFAULT 20;
ALTER TABLE review_cycles ADD COLUMN weight_manager INTEGER NOT NULL DEFAULT 30;
ALTER TABLE review_cycles ADD COLUMN weight_peer INTEGER NOT NULL DEFAULT 10;
ALTER TABLE review_cycles ADD COLUMN weight_upward INTEGER NOT NULL DEFAULT 10;
ALTER TABLE review_cycles ADD COLUMN guideline TEXT NOT NULL DEFAULT '';

-- What calibration and sign-off decide about one review. The reviewee never reads potential,
-- and reads the rest only once the cycle is shared. Concurrency is the review's own version.
CREATE TABLE review_outcomes (
    review_id INTEGER PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
    calibrated_rating INTEGER,
    potential INTEGER CHECK (potential BETWEEN 1 AND 3),
    recommendation TEXT NOT NULL DEFAULT 'none'
        CHECK (recommendation IN ('none','promotion','raise_band','reward','improvement_plan')),
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);

-- The calibration trail (who, when, from, to, why), shown on the calibration page; the audit
-- log holds the same facts.
CREATE TABLE review_calibration_history (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    actor_user_id INTEGER,
    actor_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    from_rating INTEGER,
    to_rating INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX review_calibration_history_review_idx ON review_calibration_history (review_id, id);

-- Owned by the team module (performance depends on team, not the reverse): a person's
-- development plan items, written by their source (a review's outcome) through
-- team::skills::service. Items with a skill and target level count as training needs.
CREATE TABLE development_items (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('review')),
    source_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    body TEXT NOT NULL,
    skill_id INTEGER REFERENCES skills (id) ON DELETE SET NULL,
    target_level INTEGER CHECK (target_level BETWEEN 1 AND 5),
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX development_items_source_idx ON development_items (source, source_id, position);
CREATE INDEX development_items_person_idx ON development_items (person_id);
