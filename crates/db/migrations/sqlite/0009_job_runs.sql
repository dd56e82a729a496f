-- One row per run of a periodic job: which node ran it and when. The run is recorded in the
-- transaction that claims the job's lease, so the log shows exactly the runs that happened.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    holder TEXT NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE INDEX job_runs_name_idx ON job_runs (name, started_at);
