//! `opsdesk kpi …`
#[derive(Debug, clap::Args)]
pub struct KpiArgs {}

pub fn run(_args: KpiArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
