//! Performance management: KPIs with targets, actuals and status (the closed loop from a number to
//! an action), scorecards, goals/OKRs with check-ins, and 360° performance reviews with
//! anonymity thresholds. Built on the `analytics` engine.
pub mod goals;
pub mod kpi;
pub mod reviews;
pub mod scorecards;
