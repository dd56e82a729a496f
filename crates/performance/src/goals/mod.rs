//! Goals and OKRs in a tree (company → department → person), key results, check-ins, scoring.
