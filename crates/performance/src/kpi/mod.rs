//! KPIs: library, targets and thresholds, actuals, status, the KPI page and the red → action loop.
