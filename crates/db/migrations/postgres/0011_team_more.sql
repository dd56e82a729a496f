-- The skill a course teaches: "enrol from skill gaps" enrols the people whose level in it is
-- below what their position requires. A deleted skill leaves the course without one.
ALTER TABLE courses ADD COLUMN skill_id BIGINT REFERENCES skills (id) ON DELETE SET NULL;
CREATE INDEX courses_skill_idx ON courses (skill_id);
