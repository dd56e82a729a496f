CREATE TABLE kpis (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    description TEXT,
    unit TEXT NOT NULL CHECK (unit IN ('count','percent','currency','hours','days','ratio','score')),
    direction TEXT NOT NULL CHECK (direction IN ('higher','lower','band')),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum','mean','last','min','max','ratio')),
    frequency TEXT NOT NULL CHECK (frequency IN ('daily','weekly','monthly','quarterly')),
    scope TEXT NOT NULL CHECK (scope IN ('company','department','person')),
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    person_id INTEGER REFERENCES people (id) ON DELETE RESTRICT,
    owner_person_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    formula TEXT,
    computed TEXT,
    threshold_mode TEXT NOT NULL CHECK (threshold_mode IN ('percent','absolute')),
    amber_from REAL NOT NULL,
    red_from REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX kpis_code_uq ON kpis (code);
CREATE INDEX kpis_department_idx ON kpis (department_id);
CREATE INDEX kpis_person_idx ON kpis (person_id);
CREATE INDEX kpis_owner_idx ON kpis (owner_person_id);

CREATE TABLE kpi_targets (
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    target REAL NOT NULL,
    target_high REAL,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kpi_id, period)
);

CREATE TABLE kpi_points (
    id INTEGER PRIMARY KEY,
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    value REAL NOT NULL,
    denominator REAL,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX kpi_points_key_uq ON kpi_points (kpi_id, day, source);

CREATE TABLE kpi_actions (
    id INTEGER PRIMARY KEY,
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    task_id INTEGER REFERENCES tasks (id) ON DELETE SET NULL,
    period TEXT NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX kpi_actions_kpi_idx ON kpi_actions (kpi_id, id);
CREATE INDEX kpi_actions_task_idx ON kpi_actions (task_id);

CREATE TABLE kpi_alerts (
    kpi_id INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('red','anomaly')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kpi_id, period, kind)
);
