//! The opsdesk binary: the server, its administration commands and the engines' command lines.
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

mod push;

/// opsdesk — the operations manager's workbench.
#[derive(Parser)]
#[command(name = "opsdesk", version, about, propagate_version = true)]
struct Cli {
    /// Where the embedded SQLite database and other data live.
    #[arg(long, global = true, env = "OPSDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of the embedded database: postgres://user@host/db (or sqlite:PATH).
    #[arg(
        long,
        global = true,
        env = "OPSDESK_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// An optional TOML configuration file (flags and OPSDESK_* environment variables override it).
    #[arg(long, global = true, env = "OPSDESK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages, JSON API, background jobs).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Write a consistent copy of the embedded database while it is in use.
    Backup {
        /// The new file to write.
        file: PathBuf,
    },
    /// Replace the embedded database with a backup (stop the server first).
    Restore {
        /// A file written by `opsdesk backup`.
        file: PathBuf,
    },
    /// Move all data from the embedded SQLite database into PostgreSQL, ids intact, verified.
    MigrateData {
        /// The source: sqlite:PATH (the file, e.g. sqlite:data/opsdesk.db).
        #[arg(long)]
        from: String,
        /// The target: postgres://user@host/db (migrated first; must be empty unless --force).
        #[arg(long)]
        to: String,
        /// Replace whatever data the target already holds.
        #[arg(long)]
        force: bool,
    },
    /// Load the demo company into the configured database.
    Demo {
        /// small: ~40 people and ~150 tasks; large: the benchmark set (2,000 people, 100,000 tasks).
        #[arg(long, default_value = "small", value_parser = ["small", "large"])]
        size: String,
    },
    /// Import a spreadsheet (.xlsx or .csv in UTF-8/GBK) as a user, all or nothing: their
    /// permissions apply and the audit log names them. Prints every problem (row, column,
    /// reason) and exits with status 1 when there is any; nothing is written then.
    Import {
        /// What to import: people.
        kind: String,
        file: PathBuf,
        /// The account the import runs as.
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: String,
        /// Check everything an import does and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The working calendar (holidays and 调休 make-up workdays).
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Process mining on event logs (CSV, XES, OCEL 2.0).
    Mine(Box<mining::cli::MineArgs>),
    /// Solve an assignment problem given as a dense cost matrix (CSV).
    Assign(optimize::cli::AssignArgs),
    /// KPI time-series tools, and pushing data points to a server.
    Kpi(KpiArgs),
}

#[derive(Args)]
struct KpiArgs {
    #[command(subcommand)]
    command: KpiCmd,
}

#[derive(Subcommand)]
enum KpiCmd {
    /// Send a CSV/XLSX file of data points to a server's points API (idempotent: a re-run
    /// changes nothing).
    Push(push::PushArgs),
    /// The analytics engine's commands (files in, tables out; no server).
    #[command(flatten)]
    Engine(analytics::cli::KpiCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "OPSDESK_BIND")]
    bind: Option<SocketAddr>,
    /// Load a demo company with demo accounts (their password is printed at start).
    #[arg(long)]
    demo: bool,
    /// Log format: text or json.
    #[arg(long, env = "OPSDESK_LOG_FORMAT")]
    log_format: Option<String>,
    /// Log level filter, e.g. info or opsdesk=debug.
    #[arg(long, env = "OPSDESK_LOG")]
    log_level: Option<String>,
    /// Mark cookies Secure (serve behind HTTPS).
    #[arg(long, env = "OPSDESK_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    /// SQLite durability: full (default; survives power loss) or normal (survives crashes only).
    #[arg(long, env = "OPSDESK_SQLITE_SYNCHRONOUS")]
    sqlite_synchronous: Option<String>,
    /// Seconds to let in-flight requests finish after SIGTERM/SIGINT.
    #[arg(long, env = "OPSDESK_SHUTDOWN_GRACE")]
    shutdown_grace: Option<u64>,
    /// Test harness only: a manual clock starting at this epoch-ms, moved by POST /test/clock.
    #[arg(long, hide = true)]
    test_clock: Option<i64>,
    /// Test harness only: look for due background jobs this often (default 30 s).
    #[arg(long, hide = true)]
    test_job_tick_ms: Option<u64>,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create a user account.
    Create {
        username: String,
        /// admin, manager, member or viewer.
        #[arg(long, value_parser = ["admin", "manager", "member", "viewer"])]
        role: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for a user (ends their sessions).
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Import (replace) one year from holiday JSON:
    /// {"year":2026,"days":[{"name":"春节","date":"2026-02-15","isOffDay":true},…]}.
    Import {
        /// The JSON file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create a personal API token for a user and print it (it is shown only once).
    Create {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Mine(a) => return mining::cli::run(*a),
        Command::Assign(a) => return optimize::cli::run(a),
        Command::Kpi(KpiArgs {
            command: KpiCmd::Push(a),
        }) => return push::run(a),
        Command::Kpi(KpiArgs {
            command: KpiCmd::Engine(command),
        }) => return analytics::cli::run(analytics::cli::KpiArgs { command }),
        _ => {}
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(cli))
}

fn resolve(cli: &Cli, serve: Option<&ServeArgs>) -> anyhow::Result<server::ServeConfig> {
    let mut c = server::ServeConfig::default();
    if let Some(path) = &cli.config {
        server::config::FileConfig::load(path)?.apply(&mut c)?;
    }
    if let Some(d) = &cli.data_dir {
        c.db.data_dir = d.clone();
    }
    if let Some(u) = &cli.database_url {
        c.db.url = Some(u.clone());
    }
    if let Some(s) = serve {
        if let Some(b) = s.bind {
            c.bind = b;
        }
        if let Some(f) = &s.log_format {
            c.log_json = server::config::parse_log_format(f)?;
        }
        if let Some(l) = &s.log_level {
            c.log_level = l.clone();
        }
        if let Some(v) = s.secure_cookies {
            c.web.secure_cookies = v;
        }
        if let Some(v) = &s.sqlite_synchronous {
            c.db.sqlite_synchronous_full = server::config::parse_synchronous(v)?;
        }
        if let Some(v) = s.shutdown_grace {
            c.shutdown_grace = std::time::Duration::from_secs(v);
        }
        c.demo = s.demo;
        c.test_clock_start_ms = s.test_clock;
        if let Some(ms) = s.test_job_tick_ms {
            c.job_tick = std::time::Duration::from_millis(ms.max(10));
        }
    }
    Ok(c)
}

fn init_logs(c: &server::ServeConfig) {
    let filter = tracing_subscriber::EnvFilter::try_new(&c.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if c.log_json {
        b.json().init()
    } else {
        b.init()
    }
}

async fn connect(c: &server::ServeConfig) -> anyhow::Result<db::Db> {
    let db = db::Db::connect(&c.db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    db::migrate::run(&db)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(db)
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        let p = s.trim_end_matches(['\n', '\r']).to_string();
        anyhow::ensure!(!p.is_empty(), "no password on standard input");
        Ok((p, false))
    } else {
        Ok((db::random_hex(12), true))
    }
}

/// `opsdesk import`: the same service calls as the import pages, as the named user.
async fn import_file(
    db: &db::Db,
    c: &server::ServeConfig,
    kind: &str,
    file: &std::path::Path,
    username: &str,
    dry_run: bool,
) -> anyhow::Result<bool> {
    let err = |e: kernel::AppError| anyhow::anyhow!("{}", e.public_detail());
    let imp = server::openapi::import_registry()
        .get(kind)
        .ok_or_else(|| anyhow::anyhow!("nothing called {kind:?} can be imported"))?;
    let user = identity::service::user_cli(db, username)
        .await
        .map_err(err)?;
    let mut tx = db.read().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = team::service::resolve_actor(&mut tx, user.id, &user.username, user.role)
        .await
        .map_err(err)?;
    drop(tx);
    let ctx = kernel::Ctx {
        actor,
        now_ms: now(),
        request_id: format!("cli-import-{}", db::random_hex(4)),
        source_ip: None,
        locale: kernel::Locale::En,
    };
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload");
    let limits = imports::service::limits(c.web.max_upload_bytes);
    let v = imports::service::upload(db, &ctx, &*imp, name, &bytes, &limits, None)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.into_app().public_detail()))?;
    println!(
        "{name}: {} rows ({}, {}); columns: {}",
        v.rows,
        v.format,
        v.encoding,
        v.header
            .iter()
            .zip(&v.mapping)
            .map(|(h, k)| format!("{h} → {}", k.as_deref().unwrap_or("(ignored)")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let r = imports::service::run(db, &ctx, &*imp, v.id, dry_run, &limits)
        .await
        .map_err(err)?;
    for k in &r.missing_columns {
        println!("no column for the required field {k}");
    }
    for k in &r.duplicate_columns {
        println!("more than one column for {k}");
    }
    for i in &r.issues {
        let col = i.column.as_deref().unwrap_or(&i.field);
        println!("row {}, column {col}: {}", i.row, i.detail);
    }
    if r.committed {
        println!("imported {} records", r.written);
    } else if r.ok() {
        println!(
            "dry run passed: {} records would be imported; nothing written",
            r.written
        );
    } else {
        println!("nothing was imported");
    }
    Ok(r.ok())
}

fn now() -> i64 {
    kernel::Clock::now_ms(&kernel::SystemClock)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let err = |e: kernel::AppError| anyhow::anyhow!("{}", e.public_detail());
    match &cli.command {
        Command::Serve(s) => {
            let c = resolve(&cli, Some(s))?;
            init_logs(&c);
            #[cfg(feature = "fault-injection")]
            if let Ok(ms) = std::env::var("OPSDESK_FAULT_ACK_BEFORE_COMMIT_MS") {
                tracing::warn!(%ms, "FAULT INJECTION: writes are acknowledged before they commit");
                db::fault::set_ack_before_commit(ms.parse()?);
            }
            let grace = c.shutdown_grace;
            let srv = server::start(c).await?;
            println!("opsdesk is ready on http://{}", srv.addr);
            shutdown_signal().await;
            tracing::info!(
                grace_s = grace.as_secs(),
                "shutting down: finishing in-flight requests"
            );
            srv.stop().await;
        }
        Command::Migrate => {
            let c = resolve(&cli, None)?;
            let db = db::Db::connect(&c.db)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
            let n = db::migrate::run(&db)
                .await
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
            println!("applied {n} migration(s)");
        }
        Command::User(UserCmd::Create {
            username,
            role,
            password_stdin,
        }) => {
            let db = connect(&resolve(&cli, None)?).await?;
            let role = kernel::Role::parse(role).expect("clap checked the role");
            let (pw, generated) = password(*password_stdin)?;
            identity::service::create_user_cli(&db, now(), username, role, &pw)
                .await
                .map_err(err)?;
            println!("created {username} ({})", role.as_str());
            if generated {
                println!("password: {pw}");
            }
        }
        Command::User(UserCmd::ResetPassword {
            username,
            password_stdin,
        }) => {
            let db = connect(&resolve(&cli, None)?).await?;
            let (pw, generated) = password(*password_stdin)?;
            identity::service::reset_password_cli(&db, now(), username, &pw)
                .await
                .map_err(err)?;
            println!("password of {username} reset; their sessions were ended");
            if generated {
                println!("password: {pw}");
            }
        }
        Command::Token(TokenCmd::Create { username, name }) => {
            let db = connect(&resolve(&cli, None)?).await?;
            let token = identity::service::create_token_cli(&db, now(), username, name)
                .await
                .map_err(err)?;
            println!("{token}");
        }
        Command::Backup { file } => {
            let db = connect(&resolve(&cli, None)?).await?;
            let bytes = db::backup::backup(&db, file)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("backup written to {} ({bytes} bytes)", file.display());
        }
        Command::Restore { file } => {
            let c = resolve(&cli, None)?;
            anyhow::ensure!(
                c.db.url.is_none(),
                "restore replaces the embedded SQLite database; for PostgreSQL use pg_restore"
            );
            db::backup::restore(file, &c.db.data_dir)
                .await
                .map_err(|e| anyhow::anyhow!("restore refused: {e}"))?;
            println!(
                "restored {} into {}",
                file.display(),
                c.db.data_dir.display()
            );
        }
        Command::MigrateData { from, to, force } => {
            anyhow::ensure!(
                from.starts_with("sqlite:"),
                "--from must be sqlite:PATH (the embedded database file)"
            );
            anyhow::ensure!(
                to.starts_with("postgres://") || to.starts_with("postgresql://"),
                "--to must be a postgres:// URL"
            );
            let source_file = std::path::Path::new(
                from.trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:"),
            );
            // Opening a missing file would create an empty database and "move" nothing.
            anyhow::ensure!(
                source_file.is_file(),
                "{} does not exist",
                source_file.display()
            );
            let open = |url: &str| {
                let cfg = db::DbConfig {
                    url: Some(url.to_string()),
                    pg_pool_size: 4,
                    ..Default::default()
                };
                async move {
                    db::Db::connect(&cfg).await.map_err(|e| {
                        anyhow::anyhow!("cannot open {}: {e}", db::redact_url(&cfg.url.unwrap()))
                    })
                }
            };
            let (src, dst) = (open(from).await?, open(to).await?);
            let started = std::time::Instant::now();
            let reports = db::transfer::copy_all(&src, &dst, *force)
                .await
                .map_err(|e| anyhow::anyhow!("migrate-data failed, no data was written: {e}"))?;
            println!("{:<28} {:>10}  checksum (source = target)", "table", "rows");
            for r in &reports {
                println!("{:<28} {:>10}  {}", r.table, r.rows, r.checksum);
            }
            println!(
                "copied and verified {} tables, {} rows in {:.1}s",
                reports.len(),
                reports.iter().map(|r| r.rows).sum::<i64>(),
                started.elapsed().as_secs_f64()
            );
            src.close().await;
            dst.close().await;
        }
        Command::Demo { size } => {
            let db = connect(&resolve(&cli, None)?).await?;
            let size = work::demo::DemoSize::parse(size).expect("clap checked the size");
            let started = std::time::Instant::now();
            let s = work::demo::load_demo(&db, now(), size).await.map_err(err)?;
            team::people_demo::load(&db, now()).await.map_err(err)?;
            let kpis = performance::kpi::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            let goals = performance::goals::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            let cards = performance::scorecards::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            let cycles = performance::reviews::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            println!(
                "demo data loaded in {:.1}s: {s:?}, {kpis} KPIs with two years of data, {goals} goals, {cards} scorecards, {cycles} review cycles",
                started.elapsed().as_secs_f64()
            );
        }
        Command::Import {
            kind,
            file,
            as_user,
            dry_run,
        } => {
            let c = resolve(&cli, None)?;
            let db = connect(&c).await?;
            let ok = import_file(&db, &c, kind, file, as_user, *dry_run).await?;
            if !ok {
                std::process::exit(1);
            }
        }
        Command::Calendar(CalendarCmd::Import { file }) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let db = connect(&resolve(&cli, None)?).await?;
            let s =
                team::capacity::service::import_calendar(&db, &kernel::Ctx::system(now()), &text)
                    .await
                    .map_err(|e| match e {
                        kernel::AppError::Validation(fs) => anyhow::anyhow!(
                            "{} was not imported:\n{}",
                            file.display(),
                            fs.iter()
                                .map(|f| format!("  {}: {}", f.field, f.detail))
                                .collect::<Vec<_>>()
                                .join("\n")
                        ),
                        other => err(other),
                    })?;
            println!(
                "{}: {} days off and {} make-up workdays imported",
                s.year, s.off_days, s.make_up_workdays
            );
        }
        Command::Mine(_) | Command::Assign(_) | Command::Kpi(_) => {
            unreachable!("handled before the runtime")
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
