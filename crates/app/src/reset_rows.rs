//! The resets table's rows, apart from how they are drawn: filtered, sorted,
//! grouped by connection or by incident (one row per group, its resets under
//! it when expanded) and cut into pages, so any number of resets stays usable.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use rstscope_core::report::{Cause, Origin, Reset};

/// A sortable column of the resets table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Frame,
    Source,
    Destination,
    Origin,
    Cause,
    Confidence,
}

impl Column {
    pub fn compare(self, a: &Reset, b: &Reset) -> Ordering {
        match self {
            Self::Frame => a.frame.cmp(&b.frame),
            // Addresses in numeric order (10.0.0.9 before 10.0.0.10), then ports.
            Self::Source => a.src.cmp(&b.src),
            Self::Destination => a.dst.cmp(&b.dst),
            Self::Origin => a.origin.cmp(&b.origin),
            Self::Cause => a.cause.cmp(&b.cause),
            Self::Confidence => a.confidence.total_cmp(&b.confidence),
        }
    }
}

/// Sorts by `column`, frame order breaking ties (in the same direction).
pub fn sort(rows: &mut [&Reset], column: Column, ascending: bool) {
    rows.sort_by(|a, b| compare(a, b, column, ascending));
}

/// `a` against `b` in [`sort`]'s order.
pub fn compare(a: &Reset, b: &Reset, column: Column, ascending: bool) -> Ordering {
    let order = column.compare(a, b).then(a.frame.cmp(&b.frame));
    if ascending {
        order
    } else {
        order.reverse()
    }
}

/// How the table groups its resets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    /// One row per reset.
    #[default]
    None,
    /// One row per connection, with its resets under it.
    Connection,
    /// One row per incident (core's `incidents`), with its resets under it.
    Incident,
}

impl Grouping {
    /// The key of the group `reset` falls in.
    fn key(self, reset: &Reset) -> GroupKey {
        match self {
            Self::None | Self::Connection => reset.connection,
            Self::Incident => reset.incident,
        }
    }
}

/// What a group row stands for: a connection id, or an incident id when
/// grouping by incident (None for resets that belong to none).
pub type GroupKey = Option<u32>;

/// One line of the table as shown.
#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    Group(Group<'a>),
    /// A reset, under a group when `nested`.
    Reset {
        reset: &'a Reset,
        nested: bool,
    },
}

#[derive(Debug, PartialEq)]
pub struct Group<'a> {
    pub key: GroupKey,
    /// Its resets, in the table's order.
    pub resets: Vec<&'a Reset>,
    pub expanded: bool,
}

impl Group<'_> {
    /// Resets per verdict (origin and cause), the most frequent first.
    pub fn verdicts(&self) -> Vec<(Origin, Cause, usize)> {
        let mut counts: BTreeMap<(Origin, Cause), usize> = BTreeMap::new();
        for reset in &self.resets {
            *counts.entry((reset.origin, reset.cause)).or_default() += 1;
        }
        let mut verdicts: Vec<_> = counts.into_iter().map(|((o, c), n)| (o, c, n)).collect();
        rstscope_core::sort::sort_by_key(&mut verdicts, |v| std::cmp::Reverse(v.2));
        verdicts
    }
}

/// The lines of `rows` (already filtered and sorted) under `grouping`;
/// groups come in the order of their first reset and list their resets
/// only when `expanded` holds their key.
pub fn lines<'a>(
    rows: &[&'a Reset],
    grouping: Grouping,
    expanded: &HashSet<GroupKey>,
) -> Vec<Line<'a>> {
    match grouping {
        Grouping::None => rows
            .iter()
            .map(|&reset| Line::Reset {
                reset,
                nested: false,
            })
            .collect(),
        Grouping::Connection | Grouping::Incident => {
            let mut order: Vec<GroupKey> = Vec::new();
            let mut members: BTreeMap<GroupKey, Vec<&Reset>> = BTreeMap::new();
            for &reset in rows {
                let key = grouping.key(reset);
                let list = members.entry(key).or_default();
                if list.is_empty() {
                    order.push(key);
                }
                list.push(reset);
            }
            let mut lines = Vec::new();
            for key in order {
                let resets = members.remove(&key).unwrap_or_default();
                let open = expanded.contains(&key);
                let nested: Vec<Line<'a>> = if open {
                    let each = |&reset| Line::Reset {
                        reset,
                        nested: true,
                    };
                    resets.iter().map(each).collect()
                } else {
                    Vec::new()
                };
                lines.push(Line::Group(Group {
                    key,
                    resets,
                    expanded: open,
                }));
                lines.extend(nested);
            }
            lines
        }
    }
}

/// Rows per page the table offers.
pub const PAGE_SIZES: [usize; 3] = [50, 100, 500];

/// Page `page` (from 0, clamped to the last) of `count` lines, `size` a
/// page: the range of lines it holds and the number of pages.
pub fn page(count: usize, page: usize, size: usize) -> (std::ops::Range<usize>, usize) {
    let size = size.max(1);
    let pages = count.div_ceil(size).max(1);
    let page = page.min(pages - 1);
    let start = page * size;
    (start..(start + size).min(count), pages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_reports::sample_report;

    #[test]
    fn grouping_by_connection_keeps_the_tables_order() {
        let report = sample_report();
        let mut rows: Vec<&Reset> = report.resets.iter().collect();
        sort(&mut rows, Column::Frame, false);
        let none = HashSet::new();
        let grouped = lines(&rows, Grouping::Connection, &none);
        let keys: Vec<GroupKey> = grouped
            .iter()
            .map(|line| match line {
                Line::Group(g) => g.key,
                Line::Reset { .. } => panic!("a closed group shows no resets"),
            })
            .collect();
        // The newest reset's connection comes first when sorted newest first.
        assert_eq!(keys[0], rows[0].connection);
        let total: usize = grouped
            .iter()
            .map(|l| match l {
                Line::Group(g) => g.resets.len(),
                Line::Reset { .. } => 0,
            })
            .sum();
        assert_eq!(total, report.resets.len());
        // The sample has a connection with two resets: fewer groups than resets.
        assert!(keys.len() < report.resets.len());

        let open: HashSet<GroupKey> = [keys[0]].into();
        let expanded = lines(&rows, Grouping::Connection, &open);
        let Line::Group(first) = &expanded[0] else {
            panic!("a group first")
        };
        assert!(first.expanded);
        let nested: Vec<u64> = expanded[1..=first.resets.len()]
            .iter()
            .map(|l| match l {
                Line::Reset {
                    reset,
                    nested: true,
                } => reset.frame,
                _ => panic!("the group's resets follow it"),
            })
            .collect();
        assert_eq!(
            nested,
            first.resets.iter().map(|r| r.frame).collect::<Vec<_>>()
        );
        assert_eq!(expanded.len(), keys.len() + first.resets.len());
    }

    #[test]
    fn grouping_by_incident_gives_each_incident_its_resets() {
        let report = sample_report();
        assert!(
            report.incidents.len() > 1,
            "the sample has several incidents"
        );
        let rows: Vec<&Reset> = report.resets.iter().collect();
        let every: HashSet<GroupKey> = report.incidents.iter().map(|i| Some(i.id)).collect();
        let grouped = lines(&rows, Grouping::Incident, &every);
        for incident in &report.incidents {
            let group = grouped.iter().find_map(|line| match line {
                Line::Group(g) if g.key == Some(incident.id) => Some(g),
                _ => None,
            });
            let frames: Vec<u64> =
                group.map_or_else(Vec::new, |g| g.resets.iter().map(|r| r.frame).collect());
            assert_eq!(frames, incident.frames, "incident {}", incident.id);
        }
        let nested = grouped
            .iter()
            .filter(|l| matches!(l, Line::Reset { nested: true, .. }))
            .count();
        assert_eq!(nested, report.resets.len());
    }

    #[test]
    fn verdicts_count_each_origin_and_cause() {
        let report = sample_report();
        let rows: Vec<&Reset> = report.resets.iter().collect();
        let grouped = lines(&rows, Grouping::Connection, &HashSet::new());
        for line in &grouped {
            let Line::Group(group) = line else { continue };
            let verdicts = group.verdicts();
            assert_eq!(
                verdicts.iter().map(|v| v.2).sum::<usize>(),
                group.resets.len()
            );
            assert!(verdicts.windows(2).all(|w| w[0].2 >= w[1].2));
        }
    }

    #[test]
    fn pages_cover_every_line_once() {
        assert_eq!(page(0, 0, 100), (0..0, 1));
        assert_eq!(page(250, 0, 100), (0..100, 3));
        assert_eq!(page(250, 2, 100), (200..250, 3));
        assert_eq!(page(250, 9, 100), (200..250, 3));
        assert_eq!(page(100, 1, 100), (0..100, 1));
    }

    #[test]
    fn sorting_breaks_ties_by_frame() {
        let report = sample_report();
        let mut rows: Vec<&Reset> = report.resets.iter().collect();
        sort(&mut rows, Column::Origin, true);
        for pair in rows.windows(2) {
            let order = pair[0].origin.cmp(&pair[1].origin);
            assert!(order.is_lt() || (order.is_eq() && pair[0].frame < pair[1].frame));
        }
        sort(&mut rows, Column::Confidence, false);
        assert!(rows.windows(2).all(|p| p[0].confidence >= p[1].confidence));
    }
}
