CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT,
    parent_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    head_person_id INTEGER,
    description TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX departments_parent_idx ON departments (parent_id);
CREATE UNIQUE INDEX departments_code_uq ON departments (code);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    employee_no TEXT NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    position TEXT,
    manager_id INTEGER REFERENCES people (id) ON DELETE SET NULL,
    email TEXT,
    phone TEXT,
    hire_date TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX people_employee_no_uq ON people (employee_no);
CREATE UNIQUE INDEX people_user_uq ON people (user_id);
CREATE INDEX people_department_idx ON people (department_id);
CREATE INDEX people_manager_idx ON people (manager_id);
CREATE INDEX people_name_idx ON people (name);
