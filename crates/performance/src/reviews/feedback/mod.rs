//! Continuous feedback between review cycles: anyone gives feedback on a colleague at any time
//! (private to the manager chain, or shared with the colleague), and feedback is requested
//! about oneself or a report from someone, who answers or declines. Feedback given during a
//! cycle's period is part of that cycle's evidence panel, as far as the reviewer may read it.
pub mod api;
pub mod pages;
pub mod service;
pub mod store;
