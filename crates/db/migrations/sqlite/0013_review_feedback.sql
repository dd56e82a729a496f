-- Continuous feedback between review cycles, requests for it, and the review-deadline
-- reminders' claims. Feedback is attributed by design (it is not a review answer); its
-- visibility is 'private' (author, the subject's manager chain, admins) or 'shared' (also the
-- subject). A reminder row's primary key is what makes "remind once per (request or review,
-- phase, offset)" hold across runs and nodes; it has no time column (an anonymous reviewer's
-- pending status at a deadline offset is all it records, as the progress board shows anyway).
CREATE TABLE review_feedback_requests (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    requester_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    requestee_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    message TEXT,
    status TEXT NOT NULL CHECK (status IN ('open','answered','declined')),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX review_feedback_requests_requestee_idx ON review_feedback_requests (requestee_id, status);
CREATE INDEX review_feedback_requests_requester_idx ON review_feedback_requests (requester_id);

CREATE TABLE review_feedback (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('private','shared')),
    body TEXT NOT NULL,
    request_id INTEGER REFERENCES review_feedback_requests (id) ON DELETE SET NULL,
    given_on TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX review_feedback_subject_idx ON review_feedback (subject_id, given_on);
CREATE INDEX review_feedback_author_idx ON review_feedback (author_id);

CREATE TABLE review_reminders (
    cycle_id INTEGER NOT NULL REFERENCES review_cycles (id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    phase TEXT NOT NULL,
    offset_days INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, target, phase, offset_days)
);
