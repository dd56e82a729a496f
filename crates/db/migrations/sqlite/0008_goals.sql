-- Goals and OKRs: objectives and SMART goals in a tree (company → department → person), their
-- key results (measured manually or bound to a KPI; deleting the KPI unbinds them), weekly
-- check-ins and reminders; and scorecards. Deleting a person (admins only; deactivating is the
-- normal way out) deletes the goals, key results and personal scorecards they own; goals that
-- contributed to a deleted goal lose their parent.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES goals (id) ON DELETE SET NULL,
    level TEXT NOT NULL CHECK (level IN ('company','department','person')),
    kind TEXT NOT NULL CHECK (kind IN ('objective','smart')),
    title TEXT NOT NULL,
    description TEXT,
    owner_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    cycle_kind TEXT NOT NULL CHECK (cycle_kind IN ('monthly','bimonthly','quarterly','yearly')),
    cycle TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active','scored')),
    score REAL,
    scored_at INTEGER,
    scored_by INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX goals_parent_idx ON goals (parent_id);
CREATE INDEX goals_cycle_idx ON goals (cycle, level, id);
CREATE INDEX goals_owner_idx ON goals (owner_id);
CREATE INDEX goals_department_idx ON goals (department_id);

CREATE TABLE key_results (
    id INTEGER PRIMARY KEY,
    goal_id INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    unit TEXT NOT NULL,
    start_value REAL NOT NULL,
    target_value REAL NOT NULL,
    current_value REAL NOT NULL,
    weight REAL NOT NULL,
    kpi_id INTEGER REFERENCES kpis (id) ON DELETE SET NULL,
    score REAL,
    red_since INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX key_results_goal_idx ON key_results (goal_id, id);
CREATE INDEX key_results_owner_idx ON key_results (owner_id);
CREATE INDEX key_results_kpi_idx ON key_results (kpi_id);

CREATE TABLE goal_checkins (
    id INTEGER PRIMARY KEY,
    key_result_id INTEGER NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    value REAL NOT NULL,
    progress REAL NOT NULL,
    confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),
    note TEXT,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX goal_checkins_kr_idx ON goal_checkins (key_result_id, created_at);
CREATE INDEX goal_checkins_week_idx ON goal_checkins (week, key_result_id);

-- One row per key result and ISO week a reminder went out for: the unique key makes the
-- reminder job send exactly once per missing week, whichever node runs it.
CREATE TABLE goal_checkin_reminders (
    key_result_id INTEGER NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (key_result_id, week)
);

-- Scorecards: a weighted set of KPIs for the company, a department or a person. A personal
-- scorecard also records its person's department, which the access policy reads.
CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('company','department','person')),
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    person_id INTEGER REFERENCES people (id) ON DELETE CASCADE,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX scorecards_department_idx ON scorecards (department_id);
CREATE INDEX scorecards_person_idx ON scorecards (person_id);

CREATE TABLE scorecard_items (
    id INTEGER PRIMARY KEY,
    scorecard_id INTEGER NOT NULL REFERENCES scorecards (id) ON DELETE CASCADE,
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    weight REAL NOT NULL,
    position INTEGER NOT NULL
);
CREATE UNIQUE INDEX scorecard_items_uq ON scorecard_items (scorecard_id, kpi_id);
CREATE INDEX scorecard_items_kpi_idx ON scorecard_items (kpi_id);
