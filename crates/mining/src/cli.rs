//! `opsdesk mine …`
#[derive(Debug, clap::Args)]
pub struct MineArgs {}

pub fn run(_args: MineArgs) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
