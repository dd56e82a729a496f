-- Performance reviews: cycles with a question template per direction, participants (reviewees),
-- reviewer requests and answers. ANONYMITY: peer and upward answers live in
-- review_anonymous_answers with NO reviewer reference, NO timestamp and a random id (the
-- service draws a random 63-bit id, so neither the key nor the row order reveals insertion
-- order); review_requests keep only the reviewer's status and a version number, never a time.
CREATE TABLE review_cycles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('self','nomination','feedback','calibration','signoff','shared')),
    self_due TEXT NOT NULL,
    nomination_due TEXT NOT NULL,
    feedback_due TEXT NOT NULL,
    calibration_due TEXT NOT NULL,
    signoff_due TEXT NOT NULL,
    shared_on TEXT NOT NULL,
    min_responses INTEGER NOT NULL,
    peers_min INTEGER NOT NULL,
    peers_max INTEGER NOT NULL,
    scale_max INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE review_questions (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('self','manager','peer','upward')),
    section TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rating','text','competency')),
    prompt TEXT NOT NULL,
    competency TEXT,
    anchors TEXT NOT NULL,
    required INTEGER NOT NULL
);
CREATE INDEX review_questions_cycle_idx ON review_questions (cycle_id, direction, position);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    department_id INTEGER REFERENCES departments (id) ON DELETE SET NULL,
    manager_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    manager_rating INTEGER,
    proposed_rating INTEGER,
    manager_comment TEXT,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    reviewee_comment TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX reviews_cycle_person_idx ON reviews (cycle_id, person_id);
CREATE INDEX reviews_person_idx ON reviews (person_id);

CREATE TABLE review_requests (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('self','manager','peer','upward')),
    status TEXT NOT NULL CHECK (status IN ('nominated','rejected','pending','submitted','declined')),
    draft TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX review_requests_unique_idx ON review_requests (review_id, reviewer_id, direction);
CREATE INDEX review_requests_reviewer_idx ON review_requests (reviewer_id, status);

-- Self and manager answers are attributed by design (the request names its author).
CREATE TABLE review_named_answers (
    request_id INTEGER NOT NULL REFERENCES review_requests (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES review_questions (id) ON DELETE CASCADE,
    rating INTEGER,
    body TEXT,
    PRIMARY KEY (request_id, question_id)
);

CREATE TABLE review_anonymous_answers (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('peer','upward')),
    question_id INTEGER NOT NULL REFERENCES review_questions (id) ON DELETE CASCADE,
    rating INTEGER,
    body TEXT
);
CREATE INDEX review_anonymous_answers_review_idx ON review_anonymous_answers (review_id, direction);
