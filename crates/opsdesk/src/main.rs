//! The opsdesk binary: the server, its administration commands and the engines' command lines.
use clap::{Args, Parser, Subcommand};
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Load the demo company into the configured database.
    Demo {
        /// small: ~40 people and ~150 tasks; large: the benchmark set (2,000 people, 100,000 tasks).
        #[arg(long, default_value = "small", value_parser = ["small", "large"])]
        size: String,
    },
    /// Process mining on event logs (CSV, XES, OCEL 2.0).
    Mine(Box<mining::cli::MineArgs>),
    /// Solve an assignment problem given as a dense cost matrix (CSV).
    Assign(optimize::cli::AssignArgs),
    /// KPI time-series tools.
    Kpi(analytics::cli::KpiArgs),
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
        Command::Kpi(a) => return analytics::cli::run(a),
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

fn now() -> i64 {
    kernel::Clock::now_ms(&kernel::SystemClock)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let err = |e: kernel::AppError| anyhow::anyhow!("{}", e.public_detail());
    match &cli.command {
        Command::Serve(s) => {
            let c = resolve(&cli, Some(s))?;
            init_logs(&c);
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
        Command::Demo { size } => {
            let db = connect(&resolve(&cli, None)?).await?;
            let size = work::demo::DemoSize::parse(size).expect("clap checked the size");
            let started = std::time::Instant::now();
            let s = work::demo::load_demo(&db, now(), size).await.map_err(err)?;
            let kpis = performance::kpi::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            let goals = performance::goals::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            let cards = performance::scorecards::demo::load_demo(&db, now())
                .await
                .map_err(err)?;
            println!(
                "demo data loaded in {:.1}s: {s:?}, {kpis} KPIs with two years of data, {goals} goals, {cards} scorecards",
                started.elapsed().as_secs_f64()
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
