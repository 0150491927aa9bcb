//! The states the model must reach, lest it be vacuous: each shows that a race the `always`
//! properties are about can happen at all. None has a violation, so none has a sentence to
//! end a trace with.

use crate::imap::types::Flag;
use crate::server::ExpungeCause;
use crate::system::System;

use super::{Kind, Needs, Property, clients, is_synchronized};

pub(super) const CLOSE_EXPUNGED_UNSEEN_DELETED: Property = Property {
    name: "close-expunged-unseen-deleted",
    kind: Kind::Sometimes,
    needs: Needs::SecondClient,
    section: "RFC 5162 section 3.4, erratum 1808",
    summary: "a CLOSE expunged a message that the closing client's cache does not show as \
              \\Deleted",
    condition: close_expunged_unseen_deleted,
    explain: |_, _| None,
    tells_detectability: false,
};

pub fn close_expunged_unseen_deleted(system: &System) -> bool {
    system.server.mailbox.expunged.iter().any(|(uid, e)| {
        e.cause == ExpungeCause::Close
            && e.by.is_some_and(|by| {
                system.clients[by.index()]
                    .cache
                    .get(uid)
                    .is_some_and(|flags| !flags.contains(Flag::Deleted))
            })
    })
}

pub(super) const RESYNCED_AFTER_FOREIGN_EXPUNGE: Property = Property {
    name: "resynced-after-foreign-expunge",
    kind: Kind::Sometimes,
    needs: Needs::OtherAgent,
    section: "RFC 7162 section 3.2.5.1",
    summary: "a client is synchronized after a resync (a QRESYNC SELECT, or a UID FETCH \
              ... CHANGEDSINCE) from a mod-sequence below another client's expunge",
    condition: resynced_after_foreign_expunge,
    explain: |_, _| None,
    tells_detectability: false,
};

pub fn resynced_after_foreign_expunge(system: &System) -> bool {
    clients(system).any(|c| {
        let Some(since) = system.server.session(c).and_then(|s| s.resynced_from) else {
            return false;
        };
        is_synchronized(system, c)
            && system
                .server
                .mailbox
                .expunged
                .values()
                .any(|e| e.by != Some(c) && e.modseq > since)
    })
}

pub(super) const MODSEQ_READ_ABOVE_HELD_BACK_EXPUNGE: Property = Property {
    name: "modseq-read-above-held-back-expunge",
    kind: Kind::Sometimes,
    needs: Needs::OtherAgent,
    section: "RFC 7162 section 3.2, erratum 1810",
    summary: "a client read a MODSEQ higher than an expunge the server still holds back \
              from it",
    condition: modseq_read_above_held_back_expunge,
    explain: |_, _| None,
    tells_detectability: false,
};

pub fn modseq_read_above_held_back_expunge(system: &System) -> bool {
    clients(system).any(|c| {
        let read = system.clients[c.index()]
            .connection
            .as_ref()
            .and_then(|conn| conn.modseq_max);
        let Some(read) = read else { return false };
        system.server.session(c).is_some_and(|s| {
            s.pending_expunges
                .iter()
                .any(|uid| system.server.mailbox.expunged[&uid].modseq < read)
        })
    })
}
