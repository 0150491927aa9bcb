//! What `client interimap` reports: each run's line (its verdict; the client's resync point
//! read from the wire, `clients/resync_point.rs`; a diverged run's transcript and blame,
//! `clients/blame.rs`), then the totals. As text, printed as it goes; as JSON, one object at
//! the end with the same fields.

use serde_json::{Value, json};

use crate::clients::blame::Blame;
use crate::clients::interimap::Outcome;
use crate::clients::mailbox::show;
use crate::clients::resync_point::{Classification, names, values};
use crate::output;

pub struct Report {
    json: bool,
    pub runs: u64,
    pub diverged: u64,
    pub unjudged: u64,
    rows: Vec<Value>,
    /// Reconnects read, and at how many of them each value matched, in catalogue order.
    reconnects: u64,
    matched: Vec<(&'static str, u64)>,
    /// Reconnects where the client sent less than RFC 7162 section 6's rule would have
    /// stored (it asks for more than it needs: the safe side), and more (it may skip a change).
    below: u64,
    above: u64,
}

impl Report {
    pub fn new(json: bool) -> Report {
        Report {
            json,
            runs: 0,
            diverged: 0,
            unjudged: 0,
            rows: Vec::new(),
            reconnects: 0,
            matched: values().into_iter().map(|(name, _)| (name, 0)).collect(),
            below: 0,
            above: 0,
        }
    }

    /// A line of text (not in JSON).
    pub fn say(&self, line: &str) {
        if !self.json {
            output::println(line);
        }
    }

    /// Counts one judged run and reports it.
    pub fn add(
        &mut self,
        label: &str,
        outcome: &Outcome,
        class: &Classification,
        blame: Option<&Blame>,
    ) {
        self.runs += 1;
        let exits: Vec<String> = outcome
            .exits
            .iter()
            .map(|e| e.map_or("killed".into(), |c| c.to_string()))
            .collect();
        let (verdict, shown) = if !outcome.judged() {
            self.unjudged += 1;
            (
                "not judged",
                "not judged: the quiet sync did not complete".to_string(),
            )
        } else if outcome.diverged() {
            self.diverged += 1;
            (
                "diverged",
                format!(
                    "DIVERGED: the model's mailbox {}, interimap's local copy {}",
                    show(&outcome.model),
                    show(&outcome.local)
                ),
            )
        } else {
            ("same", format!("same: {}", show(&outcome.model)))
        };
        for reconnect in &class.reconnects {
            self.reconnects += 1;
            for (name, count) in &mut self.matched {
                *count += u64::from(reconnect.like.contains(name));
            }
            let rule = reconnect.stored.iter().find(|s| s.value == "rfc7162");
            match rule.map(|s| reconnect.sent.cmp(&s.modseq)) {
                Some(std::cmp::Ordering::Less) => self.below += 1,
                Some(std::cmp::Ordering::Greater) => self.above += 1,
                _ => {}
            }
        }
        if self.json {
            self.rows.push(json!({
                "label": label,
                "choices": outcome.choices.len(),
                "exits": outcome.exits,
                "verdict": verdict,
                "model": outcome.model,
                "local": outcome.local,
                "resync_point": class,
                "blame": blame,
                "transcript": outcome.diverged().then_some(&outcome.transcript),
            }));
            return;
        }
        output::println(&format!(
            "{label}: syncs exited {}: {shown}",
            exits.join(" ")
        ));
        output::println(&format!("  {}", class.text()));
        if outcome.diverged() {
            output::println("-- the serve transcript:");
            output::print(&outcome.transcript);
        }
        for line in blame.map(Blame::text).unwrap_or_default() {
            output::println(&format!("  {line}"));
        }
    }

    /// The values that matched at every reconnect of every run.
    fn like(&self) -> Vec<&'static str> {
        self.matched
            .iter()
            .filter(|(_, n)| self.reconnects > 0 && *n == self.reconnects)
            .map(|(name, _)| *name)
            .collect()
    }

    /// The totals: `summary` is the text's last line.
    pub fn finish(&self, header: Value, summary: &str, complete: bool, seconds: f64) {
        let like = self.like();
        if self.json {
            let doc = json!({
                "client": "interimap",
                "run": header,
                "runs": self.rows,
                "totals": {
                    "runs": self.runs,
                    "diverged": self.diverged,
                    "not_judged": self.unjudged,
                    "same": self.runs - self.diverged - self.unjudged,
                    "complete": complete,
                    "seconds": seconds,
                },
                "resync_point": {
                    "reconnects": self.reconnects,
                    "matched": self.matched.iter().map(|(n, k)| json!({"value": n, "reconnects": k})).collect::<Vec<_>>(),
                    "like": like,
                    "below_rfc7162": self.below,
                    "above_rfc7162": self.above,
                },
            });
            output::print(&crate::json::to_pretty(&doc));
            return;
        }
        if self.reconnects == 0 {
            output::println(
                "interimap's resync point: not exercised (no run reconnected with a QRESYNC \
                 SELECT)",
            );
        } else {
            let counts: Vec<String> = self
                .matched
                .iter()
                .map(|(n, k)| format!("{n} {k}/{}", self.reconnects))
                .collect();
            let off = match (self.below, self.above) {
                (0, 0) => String::new(),
                (below, above) => format!(
                    "; off RFC 7162 section 6's rule: {below} below it (the safe side: it asks \
                     for more), {above} above it (it may skip a change)"
                ),
            };
            output::println(&format!(
                "interimap's resync point at {} reconnect(s): {}; behaves like: {}{off}",
                self.reconnects,
                counts.join(", "),
                names(&like)
            ));
        }
        output::println(summary);
    }

    pub fn exit_code(&self) -> u8 {
        match (self.diverged, self.unjudged) {
            (0, 0) => 0,
            (0, _) => 3,
            _ => 1,
        }
    }
}
