//! Performance management: KPIs with targets, actuals and status (the closed loop from a number to
//! an action), scorecards, and goals/OKRs with check-ins. Built on the `analytics` engine.
pub mod goals;
pub mod kpi;
pub mod scorecards;
