-- People: organisational details, weekly capacity and pinyin keys (sort and search).
ALTER TABLE people ADD COLUMN employment_type TEXT;
ALTER TABLE people ADD COLUMN location TEXT;
ALTER TABLE people ADD COLUMN languages TEXT;
ALTER TABLE people ADD COLUMN weekly_hours REAL NOT NULL DEFAULT 40;
ALTER TABLE people ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
UPDATE people SET sort_key = LOWER(name), search_key = LOWER(name || ' ' || COALESCE(name_zh, '') || ' ' || employee_no);
CREATE INDEX people_sort_key_idx ON people (sort_key);
CREATE INDEX people_search_key_idx ON people (search_key);

CREATE TABLE skills (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX skills_name_uq ON skills (name);
CREATE INDEX skills_category_idx ON skills (category, name);

CREATE TABLE person_skills (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    evidence TEXT,
    cert_expires TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (person_id, skill_id)
);
CREATE INDEX person_skills_skill_idx ON person_skills (skill_id);

CREATE TABLE position_skills (
    position TEXT NOT NULL,
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (position, skill_id)
);

CREATE TABLE task_skills (
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (task_id, skill_id)
);
CREATE INDEX task_skills_skill_idx ON task_skills (skill_id);

-- The working calendar: only exceptions to "Monday–Friday work" are stored (holidays and
-- 调休 make-up workdays), one row per date.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    name TEXT NOT NULL,
    is_off_day BOOLEAN NOT NULL
);
CREATE INDEX calendar_days_year_idx ON calendar_days (year);

CREATE TABLE leaves (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('annual','sick','personal','training','other')),
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX leaves_person_idx ON leaves (person_id, start_date);
