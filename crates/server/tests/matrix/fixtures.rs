//! The people and objects the permission matrix runs against.
//!
//! Two top-level departments, A and B. The callers: a viewer, a member and manager A in A,
//! manager B (head of B) in B, an admin in A; and one colleague (a member) in each department,
//! whose objects are the "same"/"other" department cases. A new module adds a fixture kind to
//! `make_object` (see README.md in this folder).
use super::Row;
use crate::common::*;
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scope {
    Own,
    Same,
    Other,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Own, Scope::Same, Scope::Other];
    pub fn name(self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Same => "same department",
            Scope::Other => "other department",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Who {
    pub token: String,
    pub user_id: i64,
    pub person_id: i64,
    pub dept: i64,
    pub other_dept: i64,
}

pub struct World<'a> {
    pub app: &'a App,
    pub generation: u32,
    pub admin: Api,
    pub callers: HashMap<&'static str, Who>,
    /// A colleague (member) per department id.
    pub peers: HashMap<i64, Who>,
}

pub struct Outcome {
    pub status: u16,
    pub problem: bool,
    pub body: String,
    /// The cell wrote to an object the world itself is made of (the caller's own person).
    pub changed_shared: bool,
    /// For a 403 (and a signed-in caller's 404): the refusal is in the audit log with the
    /// caller, address, target and outcome.
    pub audited: bool,
}

static UNIQ: AtomicU64 = AtomicU64::new(1);
/// The skill a `skilled_person` fixture holds: fills `{skill_id}` of the same cell.
static HELD_SKILL: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn uniq() -> String {
    format!(
        "{}x{}",
        std::process::id(),
        UNIQ.fetch_add(1, Ordering::Relaxed)
    )
}

async fn json_ok(r: reqwest::Response, what: &str) -> Value {
    let s = r.status();
    let body = r.text().await.unwrap();
    assert!(s.is_success(), "fixture {what}: {s} {body}");
    serde_json::from_str(&body).unwrap()
}

impl<'a> World<'a> {
    pub async fn build(app: &'a App, generation: u32) -> World<'a> {
        let g = format!("g{generation}");
        let admin_token = app
            .user_with_token(&format!("mx_admin_{g}"), Role::Admin)
            .await;
        let admin = app.api(&admin_token);
        let mut depts = Vec::new();
        for code in ["A", "B"] {
            let d = json_ok(
                admin
                    .post(
                        "/api/v1/departments",
                        &json!({"name": format!("Dept {code} {g}"), "code": format!("{code}{g}")}),
                    )
                    .await,
                "department",
            )
            .await;
            depts.push(d["id"].as_i64().unwrap());
        }
        let (a, b) = (depts[0], depts[1]);
        let mut world = World {
            app,
            generation,
            admin,
            callers: HashMap::new(),
            peers: HashMap::new(),
        };
        world
            .callers
            .insert("admin", world.person_for(&admin_token, a, b, "admin").await);
        for (role, r, dept, other) in [
            ("viewer", Role::Viewer, a, b),
            ("member", Role::Member, a, b),
            ("manager_a", Role::Manager, a, b),
            ("manager_b", Role::Manager, b, a),
        ] {
            let token = app.user_with_token(&format!("mx_{role}_{g}"), r).await;
            let who = world.person_for(&token, dept, other, role).await;
            world.callers.insert(role, who);
        }
        for (dept, other, name) in [(a, b, "peer_a"), (b, a, "peer_b")] {
            let token = app
                .user_with_token(&format!("mx_{name}_{g}"), Role::Member)
                .await;
            let who = world.person_for(&token, dept, other, name).await;
            world.peers.insert(dept, who);
        }
        // Heads of their departments, as in a real organisation.
        for (role, dept) in [("manager_a", a), ("manager_b", b)] {
            let head = world.callers[role].person_id;
            world
                .admin_write(
                    Method::PATCH,
                    &format!("/api/v1/departments/{dept}"),
                    json!({ "head_person_id": head }),
                )
                .await;
        }
        world
    }

    /// Links a person record in `dept` to the account behind `token`.
    async fn person_for(&self, token: &str, dept: i64, other: i64, label: &str) -> Who {
        let me = json_ok(self.app.api(token).get("/api/v1/me").await, "me").await;
        let user_id = me["user"]["id"].as_i64().unwrap();
        let p = json_ok(
            self.admin
                .post(
                    "/api/v1/people",
                    &json!({"employee_no": format!("MX{}", uniq()), "name": format!("{label} {}", self.generation),
                            "department_id": dept, "user_id": user_id}),
                )
                .await,
            "person",
        )
        .await;
        Who {
            token: token.to_string(),
            user_id,
            person_id: p["id"].as_i64().unwrap(),
            dept,
            other_dept: other,
        }
    }

    /// A write as the admin that needs `If-Match`: reads the ETag first.
    async fn admin_write(&self, m: Method, path: &str, body: Value) -> Value {
        let etag = self.etag(path).await;
        let r = self
            .admin
            .req(m, path)
            .header("If-Match", etag)
            .json(&body)
            .send()
            .await
            .unwrap();
        json_ok(r, path).await
    }

    async fn etag(&self, path: &str) -> String {
        etag_with(&self.admin, path).await
    }

    /// The account a role acts as; anonymous borrows the admin's places (its token is not sent).
    pub fn caller(&self, role: &str) -> &Who {
        &self.callers[if role == "anonymous" { "admin" } else { role }]
    }

    fn peer_in(&self, dept: i64) -> &Who {
        &self.peers[&dept]
    }

    /// The colleague whose objects stand for `scope` relative to the caller (own: the caller).
    fn holder(&self, c: &Who, scope: Scope) -> Who {
        match scope {
            Scope::Own => c.clone(),
            Scope::Same => self.peer_in(c.dept).clone(),
            Scope::Other => self.peer_in(c.other_dept).clone(),
        }
    }

    /// A fresh object of `kind` at `scope` for the caller; returns its id and whether it is
    /// part of the world itself (so a successful write to it means the world must be rebuilt).
    pub async fn make_object(&self, kind: &str, c: &Who, scope: Scope) -> (i64, bool) {
        let h = self.holder(c, scope);
        match kind {
            "scorecard" => (scorecard_fixture(self.app, c, scope).await, false),
            "goal" | "key_result" => {
                let (goal, kr) = goal_fixture(self.app, h.person_id).await;
                (if kind == "goal" { goal } else { kr }, false)
            }
            "task" => {
                // Own: assigned to the caller but in the other department, so only ownership
                // can grant access; same/other: a colleague's task in that department.
                let dept = if scope == Scope::Same {
                    c.dept
                } else {
                    c.other_dept
                };
                let t = json_ok(
                    self.admin
                        .post(
                            "/api/v1/tasks",
                            &json!({"title": format!("mx task {}", uniq()), "department_id": dept,
                                    "assignee_id": h.person_id}),
                        )
                        .await,
                    "task",
                )
                .await;
                (t["id"].as_i64().unwrap(), false)
            }
            "kpi" => {
                // Own: a department KPI of the OTHER department owned by the caller (only
                // ownership can grant access); same/other: a colleague's in that department.
                let (dept, owner) = match scope {
                    Scope::Own => (c.other_dept, c.person_id),
                    Scope::Same => (c.dept, h.person_id),
                    Scope::Other => (c.other_dept, h.person_id),
                };
                let k = json_ok(
                    self.admin
                        .post(
                            "/api/v1/kpis",
                            &json!({"code": format!("mx{}", uniq()), "name": "mx kpi", "unit": "count",
                                    "direction": "higher", "aggregation": "sum", "frequency": "monthly",
                                    "scope": "department", "department_id": dept, "owner_person_id": owner}),
                        )
                        .await,
                    "kpi",
                )
                .await;
                (k["id"].as_i64().unwrap(), false)
            }
            "department" => {
                let parent = if scope == Scope::Other {
                    c.other_dept
                } else {
                    c.dept
                };
                let head = (scope == Scope::Own).then_some(c.person_id);
                let d = json_ok(
                    self.admin
                        .post(
                            "/api/v1/departments",
                            &json!({"name": format!("mx dept {}", uniq()), "parent_id": parent,
                                    "head_person_id": head}),
                        )
                        .await,
                    "department",
                )
                .await;
                (d["id"].as_i64().unwrap(), false)
            }
            "person" => {
                if scope == Scope::Own {
                    return (c.person_id, true);
                }
                let p = json_ok(
                    self.admin
                        .post(
                            "/api/v1/people",
                            &json!({"employee_no": format!("MX{}", uniq()), "name": "mx person",
                                    "department_id": h.dept}),
                        )
                        .await,
                    "person",
                )
                .await;
                (p["id"].as_i64().unwrap(), false)
            }
            "user" => {
                if scope == Scope::Own {
                    return (c.user_id, true);
                }
                let u = json_ok(
                    self.admin
                        .post(
                            "/api/v1/users",
                            &json!({"username": format!("mx{}", uniq()), "role": "member", "password": PASSWORD}),
                        )
                        .await,
                    "user",
                )
                .await;
                let id = u["id"].as_i64().unwrap();
                json_ok(
                    self.admin
                        .post(
                            "/api/v1/people",
                            &json!({"employee_no": format!("MX{}", uniq()), "name": "mx account",
                                    "department_id": h.dept, "user_id": id}),
                        )
                        .await,
                    "person of user",
                )
                .await;
                (id, false)
            }
            "token" => {
                let t = json_ok(
                    self.app
                        .api(&h.token)
                        .post("/api/v1/tokens", &json!({"name": format!("mx {}", uniq())}))
                        .await,
                    "token",
                )
                .await;
                (t["token"]["id"].as_i64().unwrap(), false)
            }
            "notification" => {
                let mut tx = self.app.db().write().await.unwrap();
                let id = notify::service::notify(
                    &mut tx,
                    h.user_id,
                    "matrix",
                    "mx notification",
                    "body",
                    None,
                    None,
                    None,
                    1_780_000_000_000,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                (id, false)
            }
            "skill" => (self.fresh_skill().await, false),
            "skilled_person" => {
                // A fresh skill the holder has a level in; the path's {skill_id} is that skill.
                // Writing a person's skill levels does not change the person record.
                let skill = self.fresh_skill().await;
                json_ok(
                    self.admin
                        .req(
                            Method::PUT,
                            &format!("/api/v1/people/{}/skills/{skill}", h.person_id),
                        )
                        .json(&json!({"level": 3}))
                        .send()
                        .await
                        .unwrap(),
                    "person skill",
                )
                .await;
                HELD_SKILL.store(skill, Ordering::Relaxed);
                (h.person_id, false)
            }
            "leave" => {
                let l = json_ok(
                    self.admin
                        .post(
                            "/api/v1/leaves",
                            &json!({"person_id": h.person_id, "start_date": "2026-06-01",
                                    "end_date": "2026-06-02", "kind": "annual"}),
                        )
                        .await,
                    "leave",
                )
                .await;
                (l["id"].as_i64().unwrap(), false)
            }
            "import" => {
                // A `kpi-actuals` upload (the kind `{kind}` stands for) owned by the holder,
                // stored directly: a viewer may not upload, but "own" must exist for them too.
                let csv = b"kpi,period,value,denominator,source\nMX1,2026-01,1,,mx\n";
                let now = 1_780_000_000_000_i64;
                let mut tx = self.app.db().write().await.unwrap();
                let id = tx
                    .insert_id(
                        "INSERT INTO imports (owner_user_id, kind, filename, content, size_bytes, mapping, \
                         status, created_at, updated_at, expires_at) \
                         VALUES ($1,$2,$3,$4,$5,$6,'uploaded',$7,$7,$8) RETURNING id",
                        &[
                            h.user_id.into(),
                            "kpi-actuals".into(),
                            "mx.csv".into(),
                            (&csv[..]).into(),
                            (csv.len() as i64).into(),
                            db::Val::Text(None),
                            now.into(),
                            (now + 30 * 86_400_000).into(),
                        ],
                    )
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                (id, false)
            }
            "company_value"
            | "course"
            | "training_session"
            | "training_program"
            | "headcount_request"
            | "opening"
            | "candidate"
            | "candidate_interview"
            | "candidate_hireable"
            | "candidate_with_cv"
            | "interview"
            | "offer"
            | "enrolment"
            | "one_on_one"
            | "one_on_one_followup" => (team_people_fixture(self, kind, c, scope).await, false),
            "feedback" | "feedback_request" => (feedback_fixture(self, kind, &h).await, false),
            // A person whose review history is read (the directory is public).
            "reviewee" => (h.person_id, false),
            "review_cycle"
            | "review"
            | "review_request"
            | "nomination"
            | "review_in_calibration"
            | "review_in_signoff" => (review_fixture(self, kind, &h).await, false),
            other => panic!(
                "no fixture kind `{other}`: add it to tests/matrix/fixtures.rs (see README.md)"
            ),
        }
    }

    async fn import_etag(&self, id: i64) -> String {
        let mut tx = self.app.db().read().await.unwrap();
        let row = tx
            .fetch_opt("SELECT version FROM imports WHERE id = $1", &[id.into()])
            .await
            .unwrap()
            .expect("the import fixture");
        ui::etag_for(id, row.i64("version").unwrap())
    }

    /// A fresh catalogue skill that position "mx position" requires at level 2.
    async fn fresh_skill(&self) -> i64 {
        let s = json_ok(
            self.admin
                .post(
                    "/api/v1/skills",
                    &json!({"name": format!("mx skill {}", uniq()), "category": "mx"}),
                )
                .await,
            "skill",
        )
        .await;
        let id = s["id"].as_i64().unwrap();
        json_ok(
            self.admin
                .req(Method::PUT, "/api/v1/position-skills")
                .json(&json!({"position": "mx position", "skill_id": id, "level": 2}))
                .send()
                .await
                .unwrap(),
            "position skill",
        )
        .await;
        id
    }

    /// `$dept`, `$person`, `$user`, `$uniq`, `$password` for a cell.
    fn places(&self, c: &Who, scope: Option<Scope>) -> HashMap<&'static str, Value> {
        let scope = scope.unwrap_or(Scope::Own);
        let h = self.holder(c, scope);
        let dept = if scope == Scope::Other {
            c.other_dept
        } else {
            c.dept
        };
        HashMap::from([
            ("$dept", json!(dept)),
            ("$person", json!(h.person_id)),
            ("$user", json!(h.user_id)),
            ("$uniq", json!(uniq())),
            ("$password", json!(PASSWORD)),
        ])
    }

    pub async fn run_cell(
        &self,
        row: &Row,
        op: &Value,
        role: &str,
        scope: Option<Scope>,
    ) -> Outcome {
        let c = self.caller(role).clone();
        let (method, path) = row.op.split_once(' ').unwrap();
        let mut path = path.to_string();
        let mut shared = false;
        let mut object_path = None;
        let mut object_id = None;
        if let Some(kind) = &row.object {
            let (id, s) = self.make_object(kind, &c, scope.unwrap()).await;
            shared = s;
            object_id = Some(id);
            let cut = path.find("{id}").unwrap() + 4;
            object_path = Some(path[..cut].replace("{id}", &id.to_string()));
            path = path.replace("{id}", &id.to_string());
        }
        // Path parameters other than {id}: a registered import kind, a calendar year, and the
        // skill the `skilled_person` fixture holds.
        path = path
            .replace("{kind}", "kpi-actuals")
            .replace("{year}", "2026")
            .replace(
                "{skill_id}",
                &HELD_SKILL.load(Ordering::Relaxed).to_string(),
            );
        let mut places = self.places(&c, scope);
        // `$skill`: a fresh skill that position "mx position" requires (made only when used).
        let mentions = |t: &str| t.contains("$skill");
        if row.query.as_deref().is_some_and(mentions)
            || row.body.as_ref().is_some_and(|b| mentions(&b.to_string()))
        {
            places.insert("$skill", json!(self.fresh_skill().await));
        }
        // `$task`: a fresh unassigned task of `$dept` (version 1), made by the admin.
        let body_mentions = |t: &str| row.body.as_ref().is_some_and(|b| b.to_string().contains(t));
        if body_mentions("$task") {
            let t = json_ok(
                self.admin
                    .post(
                        "/api/v1/tasks",
                        &json!({"title": format!("mx task {}", uniq()), "department_id": places["$dept"]}),
                    )
                    .await,
                "task",
            )
            .await;
            places.insert("$task", t["id"].clone());
        }
        // `$peer`: a fresh active person in `$dept` (no account), made by the admin.
        if body_mentions("$peer") {
            let p = json_ok(
                self.admin
                    .post(
                        "/api/v1/people",
                        &json!({"employee_no": format!("MXP{}", uniq()), "name": "mx peer",
                                "department_id": places["$dept"]}),
                    )
                    .await,
                "peer",
            )
            .await;
            places.insert("$peer", p["id"].clone());
        }
        // `$opening`: a fresh open opening of `$dept` with no hiring team, made by the admin.
        if body_mentions("$opening") {
            let o = json_ok(
                self.admin
                    .post(
                        "/api/v1/openings",
                        &json!({"title": format!("mx opening {}", uniq()), "department_id": places["$dept"]}),
                    )
                    .await,
                "opening",
            )
            .await;
            places.insert("$opening", o["id"].clone());
        }
        if let Some(q) = &row.query {
            path = format!("{path}?{}", substitute_str(q, &places));
        }
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let client = reqwest::Client::new();
        let mut req = client.request(m.clone(), self.app.url(&path));
        if role != "anonymous" {
            req = req.bearer_auth(&c.token);
        }
        if needs_if_match(op) {
            let p = object_path.as_deref().expect("If-Match only on objects");
            let etag = match row.object.as_deref() {
                // An upload is visible only to its uploader (not to admins): read its version.
                Some("import") => self.import_etag(object_id.unwrap()).await,
                // Objects an admin may not read (1:1s): the holder reads the ETag.
                _ if row.etag_as.as_deref() == Some("holder") => {
                    let h = self.holder(&c, scope.unwrap());
                    etag_with(&self.app.api(&h.token), p).await
                }
                _ => self.etag(p).await,
            };
            req = req.header("If-Match", etag);
        }
        if let Some(body) = &row.body {
            let v = substitute(serde_json::to_value(body).unwrap(), &places);
            req = req.json(&v);
        }
        if let Some(raw) = &row.raw_body {
            let ct = row.content_type.as_deref().expect("checked by load()");
            req = req
                .header("content-type", ct)
                .body(raw.clone().into_bytes());
        }
        let before = self.last_denial().await;
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let outcome = match status {
            403 => Some("denied"),
            404 if role != "anonymous" => Some("not_found"),
            _ => None,
        };
        let audited = match outcome {
            None => true,
            Some(o) => self.last_denial().await.is_some_and(|d| {
                Some(d.0) != before.as_ref().map(|b| b.0)
                    && d.1 == (role != "anonymous").then_some(c.user_id)
                    && d.2.is_some()
                    && d.3.contains(path.split('?').next().unwrap())
                    && d.4 == o
            }),
        };
        let problem = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v == "application/problem+json");
        Outcome {
            status,
            problem,
            body: r.text().await.unwrap_or_default(),
            changed_shared: shared && m != Method::GET,
            audited,
        }
    }

    /// The newest `access.denied` audit row: id, actor, source address, target, outcome.
    async fn last_denial(&self) -> Option<(i64, Option<i64>, Option<String>, String, String)> {
        let mut tx = self.app.db().read().await.unwrap();
        let row = tx
            .fetch_opt(
                "SELECT id, actor_user_id, source_ip, after_json, outcome FROM audit_events \
                 WHERE action = 'access.denied' ORDER BY id DESC LIMIT 1",
                &[],
            )
            .await
            .unwrap()?;
        Some((
            row.i64("id").unwrap(),
            row.opt_i64("actor_user_id").unwrap(),
            row.opt_string("source_ip").unwrap(),
            row.opt_string("after_json").unwrap().unwrap_or_default(),
            row.string("outcome").unwrap(),
        ))
    }
}

/// The ETag of `path` as read by `api`.
async fn etag_with(api: &Api, path: &str) -> String {
    let r = api.get(path).await;
    assert!(r.status().is_success(), "ETag of {path}: {}", r.status());
    r.headers()["etag"].to_str().unwrap().to_string()
}

fn needs_if_match(op: &Value) -> bool {
    op["parameters"].as_array().is_some_and(|ps| {
        ps.iter()
            .any(|p| p["name"] == "If-Match" && p["in"] == "header" && p["required"] == true)
    })
}

fn substitute_str(s: &str, places: &HashMap<&'static str, Value>) -> String {
    let mut out = s.to_string();
    for (k, v) in places {
        let text = match v {
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        out = out.replace(k, &text);
    }
    out
}

/// A string that is exactly a placeholder takes the placeholder's JSON value (ids stay numbers);
/// placeholders inside longer strings are replaced as text.
fn substitute(v: Value, places: &HashMap<&'static str, Value>) -> Value {
    match v {
        Value::String(s) => match places.get(s.as_str()) {
            Some(val) => val.clone(),
            None => Value::String(substitute_str(&s, places)),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(|x| substitute(x, places)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, x)| (k, substitute(x, places)))
                .collect(),
        ),
        other => other,
    }
}

/// A personal objective of `owner` in 2026-Q1 — set on 2026-02-01, so it is already due and can
/// be scored now — under a company goal, with one key result `owner` owns. In-process, because
/// the API refuses deadlines in the past.
async fn goal_fixture(app: &App, owner: i64) -> (i64, i64) {
    use performance::goals::model::{GoalInput, GoalKind, Level, MeasureInput};
    use performance::goals::service::create;
    let ctx = kernel::Ctx::system(1_769_904_000_000);
    let goal = |level, title: String, parent| GoalInput {
        level,
        kind: GoalKind::Objective,
        title,
        owner_id: Some(owner),
        parent_id: parent,
        cycle: "2026-Q1".into(),
        ..Default::default()
    };
    let top = create(
        app.db(),
        &ctx,
        &goal(Level::Company, format!("mx company {}", uniq()), None),
        None,
    )
    .await
    .expect("company goal");
    let mut mine = goal(Level::Person, format!("mx goal {}", uniq()), Some(top.id));
    mine.measure = Some(MeasureInput {
        metric: "mx metric".into(),
        unit: "%".into(),
        start_value: 0.0,
        target_value: 10.0,
        ..Default::default()
    });
    let g = create(app.db(), &ctx, &mine, None)
        .await
        .expect("personal goal");
    (g.id, g.key_results[0].id)
}

/// A scorecard weighing one fresh company KPI: the caller's personal one (own), or their own or
/// the other department's. In-process, like the KPI it needs.
async fn scorecard_fixture(app: &App, c: &Who, scope: Scope) -> i64 {
    use performance::goals::model::Level;
    use performance::kpi::model::{
        Aggregation, Direction, Frequency, KpiInput, ThresholdMode, Unit,
    };
    use performance::scorecards::model::{ItemInput, ScorecardInput};
    let ctx = kernel::Ctx::system(1_780_000_000_000);
    let kpi = KpiInput {
        code: format!("mx{}", uniq()),
        name: "mx kpi".into(),
        name_zh: None,
        description: None,
        unit: Unit::Count,
        direction: Direction::Higher,
        aggregation: Aggregation::Sum,
        frequency: Frequency::Monthly,
        scope: "company".into(),
        department_id: None,
        person_id: None,
        owner_person_id: None,
        formula: None,
        computed: None,
        threshold_mode: ThresholdMode::Percent,
        amber_from: 0.0,
        red_from: 10.0,
    };
    let k = performance::kpi::service::create(app.db(), &ctx, &kpi, None)
        .await
        .expect("kpi");
    let (level, department_id, person_id) = match scope {
        Scope::Own => (Level::Person, None, Some(c.person_id)),
        Scope::Same => (Level::Department, Some(c.dept), None),
        Scope::Other => (Level::Department, Some(c.other_dept), None),
    };
    let input = ScorecardInput {
        name: format!("mx card {}", uniq()),
        scope: level,
        department_id,
        person_id,
        items: vec![ItemInput {
            kpi_id: k.id,
            weight: None,
        }],
    };
    performance::scorecards::service::create(app.db(), &ctx, &input, None)
        .await
        .expect("scorecard")
        .id
}

/// Objects of the team's people processes (team_people.toml says what each scope means).
async fn team_people_fixture(w: &World<'_>, kind: &str, c: &Who, scope: Scope) -> i64 {
    let h = w.holder(c, scope);
    let id = |v: Value| v["id"].as_i64().unwrap();
    let post = |path: &'static str, body: Value| async move {
        json_ok(w.admin.post(path, &body).await, path).await
    };
    match kind {
        "company_value" => id(post(
            "/api/v1/company-values",
            json!({"name": format!("mx value {}", uniq())}),
        )
        .await),
        "course" | "training_session" => {
            let course = id(post(
                "/api/v1/courses",
                json!({"title": format!("mx course {}", uniq())}),
            )
            .await);
            if kind == "course" {
                return course;
            }
            id(post(
                "/api/v1/training-sessions",
                json!({"course_id": course, "starts_on": "2027-02-01", "ends_on": "2027-02-02"}),
            )
            .await)
        }
        // A fresh program of one fresh course.
        "training_program" => {
            let course = id(post(
                "/api/v1/courses",
                json!({"title": format!("mx course {}", uniq())}),
            )
            .await);
            id(post(
                "/api/v1/training-programs",
                json!({"title": format!("mx program {}", uniq()), "course_ids": [course]}),
            )
            .await)
        }
        // The holder enrolled (by the admin) in a fresh session with no trainer.
        "enrolment" => {
            let course = id(post(
                "/api/v1/courses",
                json!({"title": format!("mx course {}", uniq())}),
            )
            .await);
            let session = id(post(
                "/api/v1/training-sessions",
                json!({"course_id": course, "starts_on": "2027-02-01", "ends_on": "2027-02-02"}),
            )
            .await);
            let list = json_ok(
                w.admin
                    .post(
                        &format!("/api/v1/training-sessions/{session}/enrolments"),
                        &json!({"person_id": h.person_id}),
                    )
                    .await,
                "enrolment",
            )
            .await;
            list[0]["id"].as_i64().unwrap()
        }
        "headcount_request" => {
            let dept = match scope {
                Scope::Own => id(post(
                    "/api/v1/departments",
                    json!({"name": format!("mx dept {}", uniq()), "parent_id": c.other_dept,
                           "head_person_id": c.person_id}),
                )
                .await),
                Scope::Same => c.dept,
                Scope::Other => c.other_dept,
            };
            id(post(
                "/api/v1/headcount-requests",
                json!({"department_id": dept, "position": format!("mx {}", uniq()), "headcount": 1,
                       "justification": "matrix"}),
            )
            .await)
        }
        "opening"
        | "candidate"
        | "candidate_interview"
        | "candidate_hireable"
        | "candidate_with_cv"
        | "interview"
        | "offer" => {
            let dept = if scope == Scope::Same {
                c.dept
            } else {
                c.other_dept
            };
            let manager = (scope == Scope::Own).then_some(c.person_id);
            let opening = id(post(
                "/api/v1/openings",
                json!({"title": format!("mx opening {}", uniq()), "department_id": dept,
                       "hiring_manager_id": manager}),
            )
            .await);
            if kind == "opening" {
                return opening;
            }
            let cand = id(post(
                "/api/v1/candidates",
                json!({"opening_id": opening, "name": format!("mx candidate {}", uniq()),
                       "source": "referral"}),
            )
            .await);
            if kind == "candidate" {
                return cand;
            }
            if kind == "candidate_with_cv" {
                let r = w
                    .admin
                    .req(
                        Method::PUT,
                        &format!("/api/v1/candidates/{cand}/cv?filename=cv.pdf"),
                    )
                    .header("content-type", "application/octet-stream")
                    .body(&b"%PDF-1.4\nmx cv\n"[..])
                    .send()
                    .await
                    .unwrap();
                json_ok(r, "cv").await;
                return cand;
            }
            if kind == "candidate_interview" || kind == "candidate_hireable" || kind == "offer" {
                // Moved to the interview stage, where offers may be made; "hireable" also has
                // an accepted offer (which moved it to the offer stage).
                let etag = w.etag(&format!("/api/v1/candidates/{cand}")).await;
                let r = w
                    .admin
                    .req(Method::POST, &format!("/api/v1/candidates/{cand}/move"))
                    .header("If-Match", etag)
                    .json(&json!({"stage": "interview"}))
                    .send()
                    .await
                    .unwrap();
                json_ok(r, "move to interview").await;
                if kind == "candidate_interview" {
                    return cand;
                }
                let offer = json_ok(
                    w.admin
                        .post(
                            &format!("/api/v1/candidates/{cand}/offers"),
                            &json!({"salary_minor": 1_000_000, "start_date": "2027-03-01"}),
                        )
                        .await,
                    "offer",
                )
                .await;
                let (oid, ver) = (id(offer.clone()), offer["version"].as_i64().unwrap());
                if kind == "offer" {
                    // A sent offer on such a candidate.
                    return oid;
                }
                let r = w
                    .admin
                    .req(Method::PATCH, &format!("/api/v1/offers/{oid}"))
                    .header("If-Match", format!("\"{oid}-{ver}\""))
                    .json(&json!({"status": "accepted"}))
                    .send()
                    .await
                    .unwrap();
                json_ok(r, "accept offer").await;
                return cand;
            }
            // The interviewer is the holder (own: the caller, already the hiring manager).
            let iv = json_ok(
                w.admin
                    .post(
                        &format!("/api/v1/candidates/{cand}/interviews"),
                        &json!({"interviewer_id": h.person_id, "scheduled_at": 1_798_761_600_000_i64,
                                "kind": "technical"}),
                    )
                    .await,
                "interview",
            )
            .await;
            id(iv)
        }
        "one_on_one" | "one_on_one_followup" => {
            let peer = w.peer_in(c.dept).person_id;
            let (manager, report) = match scope {
                Scope::Own => (peer, c.person_id),
                Scope::Same | Scope::Other => {
                    let dept = if scope == Scope::Same {
                        c.dept
                    } else {
                        c.other_dept
                    };
                    let p = id(post(
                        "/api/v1/people",
                        json!({"employee_no": format!("MX{}", uniq()), "name": "mx report",
                               "department_id": dept}),
                    )
                    .await);
                    (h.person_id, p)
                }
            };
            let mut tx = w.app.db().write().await.unwrap();
            let o = team::one_on_one::store::insert(
                &mut tx,
                manager,
                report,
                "2026-11-20",
                Some("mx points"),
                Some("mx notes"),
                1_780_000_000_000,
            )
            .await
            .unwrap();
            let f = team::one_on_one::store::insert_followup(
                &mut tx,
                o,
                "mx followup",
                None,
                None,
                1_780_000_000_000,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            if kind == "one_on_one" { o } else { f }
        }
        other => unreachable!("{other}"),
    }
}

/// Review objects (reviews.toml says what each scope means): a fresh cycle (in the feedback
/// phase, no required question) whose one participant is the holder (`review_cycle`,
/// `review`), or a fresh colleague of the holder whom the holder is asked to review as a peer
/// (`review_request`), or the holder's review with a fresh colleague nominated as a peer
/// (`nomination`), or the holder's review with its cycle moved on to calibration or sign-off
/// (`review_in_calibration`, `review_in_signoff`). In-process, like the goals' fixtures.
async fn review_fixture(w: &World<'_>, kind: &str, h: &Who) -> i64 {
    use performance::reviews::model::{
        CycleInput, CyclePatch, Direction, ParticipantSelector, Phase, PhaseDates, QuestionInput,
        QuestionKind, RequestStatus,
    };
    use performance::reviews::{service, store};
    let ctx = kernel::Ctx::system(1_780_000_000_000);
    let fresh = json_ok(
        w.admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": format!("MX{}", uniq()), "name": "mx colleague",
                        "department_id": h.dept}),
            )
            .await,
        "person",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let reviewee = if kind == "review_request" {
        fresh
    } else {
        h.person_id
    };
    let questions = Direction::ALL
        .iter()
        .map(|d| QuestionInput {
            direction: *d,
            section: String::new(),
            kind: QuestionKind::Text,
            prompt: "mx question".into(),
            competency: None,
            anchors: Vec::new(),
            required: false,
        })
        .collect();
    let input = CycleInput {
        name: format!("mx cycle {}", uniq()),
        period_start: "2026-01-01".into(),
        period_end: "2026-06-30".into(),
        phases: PhaseDates {
            self_due: "2026-07-05".into(),
            nomination_due: "2026-07-10".into(),
            feedback_due: "2026-07-20".into(),
            calibration_due: "2026-07-25".into(),
            signoff_due: "2026-07-28".into(),
            shared_on: "2026-07-31".into(),
        },
        min_responses: None,
        peers_min: None,
        peers_max: None,
        scale_max: None,
        weights: None,
        guideline: None,
        participants: ParticipantSelector {
            person_ids: vec![reviewee],
            ..Default::default()
        },
        questions,
    };
    let cycle = service::create_cycle(w.app.db(), &ctx, &input, None)
        .await
        .expect("review cycle");
    if kind == "review_cycle" {
        return cycle.id;
    }
    let later = match kind {
        "review_in_calibration" => Some(Phase::Calibration),
        "review_in_signoff" => Some(Phase::Signoff),
        _ => None,
    };
    if let Some(phase) = later {
        service::update_cycle(
            w.app.db(),
            &ctx,
            cycle.id,
            cycle.version,
            &CyclePatch {
                phase: Some(phase),
                override_peers_min: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("later phase");
    }
    if kind == "review_request" {
        service::update_cycle(
            w.app.db(),
            &ctx,
            cycle.id,
            cycle.version,
            &CyclePatch {
                phase: Some(Phase::Feedback),
                override_peers_min: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("feedback phase");
    }
    let mut tx = w.app.db().write().await.unwrap();
    let review = store::list_reviews(&mut tx, cycle.id, &store::ReviewScope::All)
        .await
        .unwrap()[0]
        .id;
    let id = match kind {
        "review" | "review_in_calibration" | "review_in_signoff" => review,
        "review_request" => store::insert_request(
            &mut tx,
            review,
            h.person_id,
            Direction::Peer,
            RequestStatus::Pending,
        )
        .await
        .unwrap()
        .unwrap(),
        _ => store::insert_request(
            &mut tx,
            review,
            fresh,
            Direction::Peer,
            RequestStatus::Nominated,
        )
        .await
        .unwrap()
        .unwrap(),
    };
    tx.commit().await.unwrap();
    id
}

/// Feedback objects (reviews_feedback.toml says what each scope means): SHARED feedback about
/// the holder written by a fresh colleague (`feedback`), or an open request, asked by a fresh
/// colleague about themselves, of the holder (`feedback_request`). In-process.
async fn feedback_fixture(w: &World<'_>, kind: &str, h: &Who) -> i64 {
    use performance::reviews::feedback::store;
    let fresh = json_ok(
        w.admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": format!("MXF{}", uniq()), "name": "mx author",
                        "department_id": h.dept}),
            )
            .await,
        "person",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut tx = w.app.db().write().await.unwrap();
    let id = if kind == "feedback" {
        store::insert_feedback(
            &mut tx,
            &store::NewFeedback {
                subject_id: h.person_id,
                author_id: fresh,
                visibility: "shared",
                body: "mx feedback",
                request_id: None,
                given_on: "2026-05-29",
                created_at: 1_780_000_000_000,
            },
        )
        .await
        .unwrap()
    } else {
        store::insert_request(&mut tx, fresh, fresh, h.person_id, None, 1_780_000_000_000)
            .await
            .unwrap()
    };
    tx.commit().await.unwrap();
    id
}
