//! Reset attribution: who really sent each RST, why, and how sure we are.
