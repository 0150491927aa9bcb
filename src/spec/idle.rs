//! The clauses of issue #12 item 6: a client that idles (IDLE, RFC 2177, whose text RFC 9051
//! section 6.3.13 keeps), a server that pushes changes to it while it idles, and where the
//! bound of RFC 7162 section 3.2 (erratum 1810) applies to what it pushed. Each value names
//! its source.
//!
//! RFC 2177 itself is not among the texts the project cites from; RFC 9051 section 6.3.13 is
//! its IMAP4rev2 wording ("IDLE ... [RFC2177]"), and the clauses quote that.

use super::{Clause, ClauseValues};

/// Whether the client sends IDLE while it has INBOX selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientIdle {
    /// Never.
    Never,
    /// `IDLE` when selected with nothing in flight (a command, counted as one); `DONE` once
    /// it has read the `+` continuation, at any later moment (not counted: it ends the IDLE
    /// command). Its resync point follows RFC 7162 section 6 at IDLE's tagged OK, over every
    /// line read since the tagged response before it.
    Idle,
}

impl ClauseValues for ClientIdle {
    const CLAUSE: Clause = Clause {
        name: "client-idle",
        summary: "whether the selected client sends IDLE (ended by DONE) and reads what the \
                  server pushes meanwhile",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            ("never", "a client that never idles (RFC 3501 has no IDLE)"),
            (
                "idle",
                "RFC 2177, in RFC 9051 section 6.3.13's words: \"IDLE\", the server's \
                 continuation (\"+\"), the client's \"DONE\" after it, and \"the tagged \
                 response to the IDLE command\"; the client applies RFC 7162 section 6 \
                 (\"since the last tagged response\" rule: a HIGHESTMODSEQ code wins, else \
                 the highest MODSEQ) at that tagged OK",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Never, Self::Idle];
}

/// When a server sends an idling session the changes it holds back from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdlePush {
    /// At any moment while the IDLE is active (a server step, `push`), any part of what it
    /// holds back, or at DONE, or at a later command.
    Push,
    /// Only at DONE, before IDLE's tagged OK (or at a later command).
    AtDone,
}

impl ClauseValues for IdlePush {
    const CLAUSE: Clause = Clause {
        name: "idle-push",
        summary: "while the client idles: the server pushes held-back changes at any moment, \
                  or only at DONE",
        arrivals_needed: 0,
        needs: &[("client-idle", "idle")],
        values: &[
            (
                "push",
                "RFC 9051 section 6.3.13 (RFC 2177): \"as long as an IDLE command is active, \
                 the server is now free to send untagged EXISTS, EXPUNGE, FETCH, and other \
                 responses at any time\"; Dovecot 2.3.19.1 pushes FETCH (UID u MODSEQ (m) \
                 FLAGS ...), VANISHED and * OK [HIGHESTMODSEQ n] about 0.5 s after another \
                 session's change",
            ),
            (
                "at-done",
                "RFC 9051 section 6.3.13 (RFC 2177): at DONE \"the server MAY send any \
                 remaining queued untagged responses and then MUST immediately send the tagged \
                 response\"; Cyrus 3.6.1 run without its idled daemon sent nothing in 3 s \
                 of IDLE, then VANISHED and FETCH at DONE (it checks the mailbox as IDLE \
                 starts and then only every imapidlepoll seconds, 60 by default)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Push, Self::AtDone];
}

/// Which MODSEQs the bound of RFC 7162 section 3.2 (erratum 1810) covers while a client
/// idles: the client sums every FETCH since its last tagged response (section 6), pushes
/// included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdleHighestModseq {
    /// At each push and at IDLE's tagged OK, every MODSEQ sent since the session's last
    /// tagged response: if one is above a held-back change, a lower `* OK [HIGHESTMODSEQ n]`
    /// goes with the push (Dovecot's untagged OK in IDLE), and the tagged OK carries one.
    SinceTagged,
    /// Only the lines of the current response: a push carries no lowered code, and IDLE's
    /// tagged OK looks only at the lines sent with it, after DONE. Against RFC 7162 section
    /// 3.2: the client loses the held-back change.
    PerResponse,
}

impl ClauseValues for IdleHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "idle-highestmodseq",
        summary: "the MODSEQs erratum 1810's lower HIGHESTMODSEQ must cover in IDLE: every one \
                  sent since the last tagged response, or the current response's only",
        arrivals_needed: 0,
        needs: &[("client-idle", "idle")],
        values: &[
            (
                "since-tagged",
                "RFC 7162 section 3.2 (\"if the server sends MODSEQ FETCH data items while \
                 EXPUNGE (or VANISHED) replies with lower mod-sequences being delayed, the \
                 server MUST send the HIGHESTMODSEQ response code with a lower value\"), read \
                 for every MODSEQ the client will use at the next tagged response (section 6); \
                 Dovecot 2.3.19.1 sends it untagged in IDLE",
            ),
            (
                "per-response",
                "against RFC 7162 section 3.2, both sentences: the server \"MUST send the \
                 HIGHESTMODSEQ response code with a lower value\" when it \"sends MODSEQ FETCH \
                 data items while EXPUNGE (or VANISHED) replies with lower mod-sequences \
                 being delayed\", and a push that does so carries none; IDLE's tagged OK then \
                 covers only the lines sent after DONE, while the client computes its value \
                 there from every MODSEQ since its last tagged response, the pushes' too \
                 (section 6), and stores one above the held-back change \
                 (`computed-highestmodseq-covered`). What the RFC leaves open is only which \
                 line carries the lower code (the push's untagged OK, as Dovecot sends it, or \
                 IDLE's tagged OK) as long as it comes before that tagged OK",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::SinceTagged, Self::PerResponse];
}
