CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    assignee_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    status TEXT NOT NULL CHECK (status IN ('todo','doing','blocked','done','cancelled')),
    priority TEXT NOT NULL CHECK (priority IN ('low','medium','high','urgent')),
    due_date TEXT,
    estimate_hours REAL,
    completed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    updated_by INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_department_status_idx ON tasks (department_id, status, id);
CREATE INDEX tasks_assignee_status_idx ON tasks (assignee_id, status);
CREATE INDEX tasks_status_idx ON tasks (status, id);
CREATE INDEX tasks_due_idx ON tasks (due_date);
CREATE INDEX tasks_created_by_idx ON tasks (created_by);
