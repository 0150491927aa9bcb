//! A trace as an SVG message sequence chart: the server's lane in the middle, one lane per
//! client, an arrow per command line (client to server) and per response line read (server
//! to client), notes in grey, drops in red, and the divergent state marked in a red box at
//! the end. Plain SVG: no scripts, no external resources.

use std::fmt::Write;

use crate::imap::types::ClientId;

use super::Trace;
use super::replay::Replayed;
use super::text::{Event, transcript};

const LANE_GAP: usize = 460;
const MARGIN: usize = 40;
const ROW: usize = 26;
/// A generous width of one monospace character at 12px, for wrapping.
const CHAR_WIDTH: usize = 8;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Lane order: the first half of the clients, the server, the rest.
fn lane_x(lane: usize) -> usize {
    MARGIN + LANE_GAP / 2 + lane * LANE_GAP
}

struct Lanes {
    clients: usize,
}

impl Lanes {
    fn left(&self) -> usize {
        self.clients.div_ceil(2)
    }

    fn server(&self) -> usize {
        lane_x(self.left())
    }

    fn client(&self, client: ClientId) -> usize {
        let i = client.index();
        lane_x(if i < self.left() { i } else { i + 1 })
    }

    fn width(&self) -> usize {
        2 * MARGIN + (self.clients + 1) * LANE_GAP
    }
}

/// Splits `text` into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("never empty");
        if !last.is_empty() && last.len() + 1 + word.len() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

pub fn render(trace: &Trace, replayed: &Replayed) -> String {
    let config = &replayed.config;
    let shown = transcript(config, replayed.property, &replayed.actions);
    let width = Lanes {
        clients: config.clients as usize,
    }
    .width();
    // The divergent state, in a red box below the lanes.
    let mut boxed: Vec<String> = vec!["after the last step:".to_string()];
    boxed.extend(shown.state.iter().cloned());
    let text_width = (width - 2 * MARGIN - 20) / CHAR_WIDTH;
    let divergence = format!("{}: {}", replayed.property.name, shown.divergence);
    boxed.extend(wrap(&divergence, text_width));
    let title = format!(
        "{} violated: {} (edition {})",
        trace.property, trace.model.name, trace.model.edition
    );
    chart(
        config.clients,
        &title,
        &shown.events,
        &boxed,
        shown.diverged.map(Mark::Diverged).unwrap_or(Mark::Alarm),
    )
}

/// How the box below the lanes is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A red box, and this client's lane marked as the one that diverged.
    Diverged(ClientId),
    /// A red box, no lane marked.
    Alarm,
    /// A grey box: a state on the way, nothing violated (the Explorer's chart).
    Calm,
}

/// The chart of `events` for `clients` client lanes, with `boxed` lines in a box at the end.
pub fn chart(clients: u8, title: &str, events: &[Event], boxed: &[String], mark: Mark) -> String {
    let lanes = Lanes {
        clients: clients as usize,
    };
    let width = lanes.width();
    let mut body = String::new();
    let mut y = 110;
    for event in events {
        match event {
            Event::Send { client, line } => {
                arrow(
                    &mut body,
                    lanes.client(*client),
                    lanes.server(),
                    y,
                    line,
                    "#1f4e9c",
                );
            }
            Event::Read { client, line } => {
                arrow(
                    &mut body,
                    lanes.server(),
                    lanes.client(*client),
                    y,
                    line,
                    "#2d6a2d",
                );
            }
            Event::Note { client, text } => {
                let x = (lanes.client(*client) + lanes.server()) / 2;
                y = note(&mut body, x, y, text);
            }
            Event::Agent { text } => {
                y = note(&mut body, lanes.server(), y, text);
            }
            Event::Drop { client, text } => {
                let x = lanes.client(*client);
                writeln!(
                    body,
                    r##"<line x1="{}" y1="{}" x2="{}" y2="{}" class="drop"/><line x1="{}" y1="{}" x2="{}" y2="{}" class="drop"/>"##,
                    x - 8, y - 8, x + 8, y + 8, x - 8, y + 8, x + 8, y - 8
                )
                .unwrap();
                writeln!(
                    body,
                    r##"<text x="{}" y="{}" class="dropped">{}</text>"##,
                    x,
                    y + 22,
                    escape(text)
                )
                .unwrap();
                y += ROW;
            }
        }
        y += ROW;
    }
    let box_top = y + 30;
    let box_height = 16 * boxed.len() + 16;
    // The trace's box keeps its classes (and so its bytes); the calm one uses plain
    // attributes, which the classes would override.
    let (box_style, text_style) = match mark {
        Mark::Calm => (r##"fill="#f4f4f4" stroke="#888""##, r##"fill="#222""##),
        _ => (r##"class="diverged""##, r##"class="state""##),
    };
    let mut marks = String::new();
    writeln!(
        marks,
        r##"<rect x="{MARGIN}" y="{box_top}" width="{}" height="{box_height}" {box_style}/>"##,
        width - 2 * MARGIN
    )
    .unwrap();
    for (i, line) in boxed.iter().enumerate() {
        writeln!(
            marks,
            r##"<text x="{}" y="{}" {text_style}>{}</text>"##,
            MARGIN + 10,
            box_top + 20 + 16 * i,
            escape(line)
        )
        .unwrap();
    }
    if let Mark::Diverged(client) = mark {
        let x = lanes.client(client);
        writeln!(
            marks,
            r##"<circle cx="{x}" cy="{}" r="7" class="mark"/><text x="{}" y="{}" class="dropped">{client} diverged</text>"##,
            box_top - 14,
            x,
            box_top - 26
        )
        .unwrap();
    }
    let height = box_top + box_height + MARGIN;
    let mut svg = String::new();
    writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">"##
    )
    .unwrap();
    svg.push_str(
        "<style>\n\
         .lane { stroke: #888; stroke-dasharray: 4 4; }\n\
         .head { fill: #eef; stroke: #446; }\n\
         .note { fill: #666; font-style: italic; text-anchor: middle; }\n\
         .drop { stroke: #c00; stroke-width: 3; }\n\
         .dropped { fill: #c00; text-anchor: middle; }\n\
         .diverged { fill: #fff0f0; stroke: #c00; stroke-width: 2; }\n\
         .state { fill: #600; }\n\
         .mark { fill: #c00; }\n\
         .title { font-size: 14px; font-weight: bold; }\n\
         </style>\n",
    );
    writeln!(
        svg,
        r##"<rect width="{width}" height="{height}" fill="white"/>"##
    )
    .unwrap();
    writeln!(
        svg,
        r##"<text x="{MARGIN}" y="28" class="title">{}</text>"##,
        escape(title)
    )
    .unwrap();
    svg.push_str(r##"<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="context-stroke"/></marker></defs>"##);
    svg.push('\n');
    let mut heads: Vec<(usize, String)> = (0..lanes.clients)
        .map(|i| {
            let id = ClientId(i as u8);
            (lanes.client(id), id.to_string())
        })
        .collect();
    heads.push((lanes.server(), "server".to_string()));
    for (x, name) in heads {
        writeln!(
            svg,
            r##"<rect x="{}" y="50" width="80" height="26" rx="4" class="head"/><text x="{x}" y="68" text-anchor="middle">{name}</text><line x1="{x}" y1="76" x2="{x}" y2="{box_top}" class="lane"/>"##,
            x - 40
        )
        .unwrap();
    }
    svg.push_str(&body);
    svg.push_str(&marks);
    svg.push_str("</svg>\n");
    svg
}

/// A grey note centred at `x`, wrapped; returns the `y` of its last line.
fn note(out: &mut String, x: usize, y: usize, text: &str) -> usize {
    let lines = wrap(text, LANE_GAP / CHAR_WIDTH);
    for (i, part) in lines.iter().enumerate() {
        writeln!(
            out,
            r##"<text x="{x}" y="{}" class="note">{}</text>"##,
            y + i * 14,
            escape(part)
        )
        .unwrap();
    }
    y + 14 * (lines.len() - 1) + 6
}

fn arrow(out: &mut String, from: usize, to: usize, y: usize, label: &str, colour: &str) {
    writeln!(
        out,
        r##"<line x1="{from}" y1="{y}" x2="{to}" y2="{y}" stroke="{colour}" stroke-width="1.5" marker-end="url(#arrow)"/>"##
    )
    .unwrap();
    writeln!(
        out,
        r##"<text x="{}" y="{}" text-anchor="middle" fill="{colour}">{}</text>"##,
        (from + to) / 2,
        y - 5,
        escape(label)
    )
    .unwrap();
}
