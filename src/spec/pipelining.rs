//! The clauses of issue #12 item 8: a client that pipelines (RFC 3501 section 5.5, "Multiple
//! Commands in Progress", which RFC 9051 section 5.5 keeps and clarifies), and which MODSEQs
//! the bound of RFC 7162 section 3.2 (erratum 1810) covers when the server interleaves the
//! answers of two commands in flight. Each value names its source.
//!
//! At their defaults (`client-pipelining=off`, `pipelined-highestmodseq=since-tagged`) both
//! clauses change nothing, and traces and reports leave them out (`Spec::shown_values`), so
//! that every model written before them reads and renders as before.

use super::{Clause, ClauseValues};

/// Whether the client sends a second command before the first one's tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientPipelining {
    /// One command at a time: the client waits for each tagged response.
    Off,
    /// At most two commands in flight, the second only where RFC 3501 section 5.5 lets the
    /// client send it without waiting (`client/pipeline.rs` encodes the rule).
    On,
}

impl ClauseValues for ClientPipelining {
    const CLAUSE: Clause = Clause {
        name: "client-pipelining",
        summary: "whether the selected client sends a second command while one is in flight \
                  (at most two), as RFC 3501 section 5.5 permits",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "off",
                "RFC 3501 section 5.5 (\"The client MAY send another command without waiting\": \
                 a MAY, which this client does not use)",
            ),
            (
                "on",
                "RFC 3501 section 5.5 (\"The client MAY send another command without waiting \
                 for the completion result response of a command, subject to ambiguity rules\"; \
                 \"if the client sends any command other than FETCH, STORE, or SEARCH, it MUST \
                 wait for the completion result response before sending a command with message \
                 sequence numbers\"; UID STORE is such another command, RFC 9051 section 5.5's \
                 note), at most two commands in flight",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Off, Self::On];
}

/// Which MODSEQs the bound of RFC 7162 section 3.2 (erratum 1810) covers at a tagged
/// response when the server sent another command's untagged lines before it (RFC 3501
/// section 5.5: "a server MAY begin processing another command before processing the
/// current command to completion"). The client sums every FETCH since the last tagged
/// response, whichever command caused it (RFC 7162 section 6; untagged responses name no
/// command).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PipelinedHighestModseq {
    /// Every MODSEQ sent since the previous tagged response: if the second command's FETCH
    /// is above a held-back change and goes before the first command's tagged OK, that OK
    /// carries the lower HIGHESTMODSEQ code.
    SinceTagged,
    /// Only the command's own lines: each tagged OK's code covers the FETCHes of the command
    /// it completes, so the first command's OK carries none for the second's FETCH. Against
    /// RFC 7162 section 3.2: the client loses the held-back change.
    PerCommand,
}

impl ClauseValues for PipelinedHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "pipelined-highestmodseq",
        summary: "the MODSEQs erratum 1810's lower HIGHESTMODSEQ must cover at a tagged \
                  response when the server interleaves two commands' answers: every one sent \
                  since the previous tagged response, or the completed command's own only",
        arrivals_needed: 0,
        needs: &[("client-pipelining", "on")],
        values: &[
            (
                "since-tagged",
                "RFC 7162 section 3.2 (\"MUST send untagged events to a client in a way that \
                 the client doesn't lose any changes in case of connectivity loss\"), read for \
                 every MODSEQ the client will use at the next tagged response (section 6: \
                 \"received since the last tagged response\"), whichever command it answers",
            ),
            (
                "per-command",
                "against RFC 7162 section 3.2 (\"MUST send untagged events to a client in a \
                 way that the client doesn't lose any changes in case of connectivity loss\"): \
                 erratum 1810's code read per command, each tagged OK covering the FETCHes of \
                 the command it completes, as the section 6 example (A150, A151) happens to \
                 show it; but the client computes its value at the first tagged OK from every \
                 MODSEQ read since the previous one (section 6), the other command's too, and \
                 stores one above the held-back change (`computed-highestmodseq-covered`). \
                 What the RFC leaves open is only which line carries the lower code (an \
                 untagged OK or a tagged one) as long as it comes before that tagged OK",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::SinceTagged, Self::PerCommand];
}
