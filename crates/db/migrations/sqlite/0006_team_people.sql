-- Team module part B: hiring, training, recognition and 1:1s.

CREATE TABLE headcount_requests (
    id INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE RESTRICT,
    position TEXT NOT NULL,
    headcount INTEGER NOT NULL CHECK (headcount > 0),
    budget_minor INTEGER,
    currency TEXT NOT NULL,
    justification TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
    decided_by INTEGER,
    decided_at INTEGER,
    decision_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX headcount_requests_department_idx ON headcount_requests (department_id, status);

CREATE TABLE job_openings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE RESTRICT,
    headcount_request_id INTEGER REFERENCES headcount_requests (id) ON DELETE SET NULL,
    hiring_manager_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    description TEXT,
    salary_min_minor INTEGER,
    salary_max_minor INTEGER,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open','closed')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX job_openings_department_idx ON job_openings (department_id, status);

-- The hiring team of an opening (besides its hiring manager): who may read its scorecards.
CREATE TABLE job_opening_team (
    opening_id INTEGER NOT NULL REFERENCES job_openings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (opening_id, person_id)
);
CREATE INDEX job_opening_team_person_idx ON job_opening_team (person_id);

CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    opening_id INTEGER NOT NULL REFERENCES job_openings (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    source TEXT NOT NULL CHECK (source IN ('referral','job_board','website','agency','campus','other')),
    stage TEXT NOT NULL CHECK (stage IN ('applied','screening','interview','offer','hired','rejected')),
    furthest_rank INTEGER NOT NULL DEFAULT 0,
    applied_at INTEGER NOT NULL,
    stage_changed_at INTEGER NOT NULL,
    hired_at INTEGER,
    person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX candidates_opening_stage_idx ON candidates (opening_id, stage, id);
CREATE INDEX candidates_source_idx ON candidates (source);

-- CVs live in the database so backups carry them and every node serves them.
CREATE TABLE candidate_cvs (
    candidate_id INTEGER PRIMARY KEY REFERENCES candidates (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by INTEGER,
    uploaded_at INTEGER NOT NULL
);

CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    interviewer_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    scheduled_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    ratings TEXT,
    recommendation TEXT CHECK (recommendation IN ('strong_yes','yes','no','strong_no')),
    notes TEXT,
    submitted_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX interviews_candidate_idx ON interviews (candidate_id);
CREATE INDEX interviews_interviewer_idx ON interviews (interviewer_id);

CREATE TABLE offers (
    id INTEGER PRIMARY KEY,
    candidate_id INTEGER NOT NULL REFERENCES candidates (id) ON DELETE CASCADE,
    salary_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    start_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent','accepted','declined','withdrawn')),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX offers_candidate_idx ON offers (candidate_id);

CREATE TABLE courses (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    provider TEXT,
    hours REAL,
    certificate_months INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE training_programs (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE training_program_courses (
    program_id INTEGER NOT NULL REFERENCES training_programs (id) ON DELETE CASCADE,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (program_id, course_id)
);

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    trainer_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    location TEXT,
    capacity INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX training_sessions_course_idx ON training_sessions (course_id, starts_on);

CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('person','department','skill_gap')),
    status TEXT NOT NULL CHECK (status IN ('enrolled','attended','completed','no_show','cancelled')),
    score REAL,
    completed_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX enrolments_session_person_uq ON enrolments (session_id, person_id);
CREATE INDEX enrolments_person_idx ON enrolments (person_id);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    course_id INTEGER REFERENCES courses (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT,
    reminder_sent_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX certificates_person_idx ON certificates (person_id);
CREATE INDEX certificates_expiry_idx ON certificates (expires_on, reminder_sent_at);

CREATE TABLE company_values (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX company_values_name_uq ON company_values (name);

CREATE TABLE kudos (
    id INTEGER PRIMARY KEY,
    from_person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    to_person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES company_values (id) ON DELETE RESTRICT,
    message TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX kudos_to_idx ON kudos (to_person_id, id);
CREATE INDEX kudos_created_idx ON kudos (id);

-- Private between the two participants: no role, not even admin, reads these rows.
CREATE TABLE one_on_ones (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    report_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    meeting_on TEXT NOT NULL,
    talking_points TEXT,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX one_on_ones_manager_idx ON one_on_ones (manager_id, meeting_on);
CREATE INDEX one_on_ones_report_idx ON one_on_ones (report_id, meeting_on);

CREATE TABLE one_on_one_followups (
    id INTEGER PRIMARY KEY,
    one_on_one_id INTEGER NOT NULL REFERENCES one_on_ones (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    owner_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    due_on TEXT,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL
);
CREATE INDEX one_on_one_followups_meeting_idx ON one_on_one_followups (one_on_one_id);
