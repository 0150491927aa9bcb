/*
 * resync-check's core, in Promela, for Spin (docs/spin.md says what it keeps and leaves out).
 *
 * One server mailbox and C clients, each a replica of it. A client sends a command and the
 * server executes it in one step, queueing the whole response; the client reads it one line
 * a step; a connection may drop at any step. Spin checks `views-converge`: a client that is
 * selected, has nothing in flight, has read every line queued for it, and from which the
 * server holds nothing back, caches exactly the mailbox (UIDs and flags). RFC 7162 section
 * 6: "At this point, the client is synchronized".
 *
 *   spin -a [-DCLOSE_SENDS] [-DC=2 -DM=2 -DK=2] core.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan
 *
 * The default is RFC 7162: CLOSE answers a plain OK (section 3.2.8, "MUST NOT send the
 * updated per-mailbox modification sequence"). -DCLOSE_SENDS is RFC 5162 section 3.4 as
 * published ("MUST send ... in the tagged OK response" if CLOSE expunged something), the
 * text erratum 1808 struck: Spin then finds the loss. -DWHOLE makes a command and its whole
 * response one step, as issue 31's Promela model did.
 *
 * Numbers are those of the rfc7162 edition of resync-check: one MODSEQ counter per mailbox
 * bumped by each flag change and once by each expunging command (RFC 7162 sections 3.1,
 * 3.2); the expunge log keeps every UID's MODSEQ (section 3.2: "MUST remember"); a code the
 * server sends while it holds back a change from that session is capped below the change
 * (erratum 1810, section 3.2); the client moves its resync point at a tagged response to
 * the last HIGHESTMODSEQ code read since the one before, else to the largest MODSEQ read if
 * higher (section 6).
 */

#ifndef C
#define C 2 /* clients */
#endif
#ifndef M
#define M 2 /* messages, UIDs 1..M; at most 7 (UID sets are bits of a byte) */
#endif
#ifndef K
#define K 2 /* commands each client may issue, reconnects included */
#endif

#if C < 2 || C > 4
#error "C, the clients, must be 2 to 4"
#endif
#if M < 1 || M > 7
#error "M, the messages, must be 1 to 7 (UID sets are the bits of a byte)"
#endif
#if K < 1 || K > 20
#error "K, the commands a client may send, must be 1 to 20"
#endif

#define DELETED 1
#define SEEN 2
#define BIT(u) (1 << (u))
#define QLEN (M + 8)
#define SHOWS(c, u) (M >= u && (r[c].cache & BIT(u)) && (r[c].flags[u] & DELETED))
/* The cache shows a message \Deleted. */
#define SHOWS_DELETED(c) (SHOWS(c, 1) || SHOWS(c, 2) || SHOWS(c, 3) || SHOWS(c, 4) || SHOWS(c, 5) || SHOWS(c, 6) || SHOWS(c, 7))

/* A response line. FETCH: UID a, flags b, MODSEQ n (a flush or a SELECT's changes);
 * OWNFETCH: UID a, MODSEQ n (a .SILENT STORE's own, RFC 7162 section 3.1.3);
 * VANISHED, EARLIER: the UIDs of bit set a (RFC 7162 sections 3.2.10, 3.2.6);
 * EXISTS a; UIDVALIDITY; UIDNEXT a; HMS n: `* OK [HIGHESTMODSEQ n]`; ENABLED;
 * TAGGED: a tagged OK, with `[HIGHESTMODSEQ n]` if n > 0. */
mtype = { FETCH, OWNFETCH, VANISHED, EARLIER, EXISTS, UIDVALIDITY, UIDNEXT, HMS, ENABLED, TAGGED };

/* The mailbox. */
byte hms = 1;        /* HIGHESTMODSEQ */
byte present;        /* bit u: UID u is in the mailbox */
byte flags[M + 1];
byte modseq[M + 1];
byte expunged[M + 1]; /* the MODSEQ UID u was expunged at; 0: not expunged */

/* One session per connected client. */
bool selected[C];
byte heldF[C];       /* UIDs whose flag change by another session it has not been sent */
byte heldX[C];       /* UIDs whose expunge it has not been sent */

/* The clients. What survives a disconnect: the cache and the resync point. */
typedef Replica {
  byte cache;        /* bit u: UID u cached */
  byte flags[M + 1];
  byte rp;           /* resync point: the HIGHESTMODSEQ it would resync from */
  byte conn;         /* 0: no connection; 1: INBOX selected; 2: connected, nothing selected */
  byte issued;       /* commands sent, reconnects included */
  byte tagged;       /* tagged responses still to read */
  byte code;         /* the last HIGHESTMODSEQ code read since the last tagged response */
  byte top;          /* the largest MODSEQ read since then */
  byte sf;           /* the STORE in flight: its flag, and set (1) or clear (0) */
  byte sset
};
Replica r[C];

chan q[C] = [QLEN] of { mtype, byte, byte, byte };

init {
  atomic {
    byte i, u;
    hms = 1;
    for (u : 1 .. M) {
      present = present | BIT(u);
      modseq[u] = 1
    }
    for (i : 0 .. C - 1) {
      selected[i] = 1;
      r[i].cache = present;
      r[i].rp = 1;
      r[i].conn = 1
    }
    /* The clients start only now, in one step with the set-up. */
    run client(0);
    run client(1);
#if C > 2
    run client(2);
#endif
#if C > 3
    run client(3);
#endif
    i = 0;
    u = 0
  }
}

/* The transcript: Spin prints it when it replays a trail (`spin -T -t`); the verifier skips
 * every printf. Tags are left out; S<n> is the server's line to client n. */
hidden byte w, x; /* print_uids's; hidden: not part of the state */
inline print_uids(set) {
  w = 0;
  for (x : 1 .. M) {
    if
    :: set & BIT(x) ->
       if
       :: w -> printf(",")
       :: else
       fi;
       printf("%d", x);
       w = 1
    :: else
    fi
  }
  w = 0;
  x = 0
}

inline print_flags(set) {
  printf("(");
  if
  :: set & DELETED -> printf("\\Deleted")
  :: else
  fi;
  if
  :: set == (DELETED | SEEN) -> printf(" ")
  :: else
  fi;
  if
  :: set & SEEN -> printf("\\Seen")
  :: else
  fi;
  printf(")")
}

/* views-converge, for client c. Only a read can bring a client to rest (a command leaves a
 * tagged response to read, a drop leaves it unselected), and another client's step that
 * changes the mailbox leaves a change held back from c, or c unselected: so checking c after
 * each of its reads checks every state. */
inline check() {
  if
  :: r[c].conn == 1 && r[c].tagged == 0 && len(q[c]) == 0 && heldF[c] == 0 && heldX[c] == 0 ->
     for (v : 1 .. M) {
       assert(((r[c].cache & BIT(v)) != 0) == ((present & BIT(v)) != 0));
       assert((present & BIT(v)) == 0 || r[c].flags[v] == flags[v])
     }
     v = 0
  :: else
  fi
}

/* The server removes the messages flagged \Deleted (EXPUNGE, CLOSE): one MODSEQ for all, kept
 * in the log with each UID (RFC 7162 section 3.2), and held back from the other sessions. */
inline expunge_deleted() {
  for (u : 1 .. M) {
    if
    :: (present & BIT(u)) && (flags[u] & DELETED) -> gone = gone | BIT(u)
    :: else
    fi
  }
  if
  :: gone != 0 ->
     hms++;
     present = present & ~gone;
     for (u : 1 .. M) {
       if
       :: gone & BIT(u) -> expunged[u] = hms
       :: else
       fi
     }
     for (d : 0 .. C - 1) {
       if
       :: d != c && selected[d] -> heldX[d] = heldX[d] | gone; heldF[d] = heldF[d] & ~gone
       :: else
       fi
     }
     heldF[c] = heldF[c] & ~gone
  :: else
  fi
}

/* The server's choice at the end of STORE, EXPUNGE and NOOP, made before the command runs
 * so that the command itself is one deterministic step (d_step): send the held-back
 * expunges or keep them (`sx`), send the held-back flag changes or keep them (`sh`), each
 * part whole (RFC 3501 sections 5.2, 7.4.1). A part with nothing in it has one choice. */
inline choose_flush() {
  if
  :: heldX[c] != 0 -> sx = 1
  :: true
  fi;
  if
  :: heldF[c] != 0 -> sh = 1
  :: true
  fi
}

/* The end of STORE, EXPUNGE and NOOP: the server sends the held-back expunges (with the
 * command's own, `gone`) and the held-back flag changes as chosen, VANISHED first (RFC 7162
 * section 3.2.10.2); then the tagged OK, its code `code`
 * capped below the lowest change still held back, and a capped code added where a MODSEQ
 * sent is above the cap (erratum 1810, RFC 7162 section 3.2 and its section 6 example). */
inline finish() {
  if
  :: sx -> gone = gone | heldX[c]; heldX[c] = 0
  :: else
  fi;
  if
  :: gone != 0 -> q[c]!VANISHED(gone, 0, 0)
  :: else
  fi;
  if
  :: sh ->
     for (u : 1 .. M) {
       if
       :: heldF[c] & BIT(u) ->
          q[c]!FETCH(u, flags[u], modseq[u]);
          if
          :: modseq[u] > top -> top = modseq[u]
          :: else
          fi
       :: else
       fi
     }
     heldF[c] = 0
  :: else
  fi;
  low = 255;
  for (u : 1 .. M) {
    if
    :: (heldF[c] & BIT(u)) && modseq[u] < low -> low = modseq[u]
    :: else
    fi;
    if
    :: (heldX[c] & BIT(u)) && expunged[u] < low -> low = expunged[u]
    :: else
    fi
  }
  if
  :: low < 255 && (code > low - 1 || (code == 0 && top > low - 1)) -> code = low - 1
  :: else
  fi;
  q[c]!TAGGED(0, 0, code)
}

/* The QRESYNC SELECT's response (RFC 7162 section 3.2.5): EXISTS, UIDVALIDITY, UIDNEXT,
 * HIGHESTMODSEQ, VANISHED (EARLIER) for the cached UIDs expunged after the resync point
 * (section 3.2.6), FETCH for the cached UIDs changed after it, the tagged OK. */
inline qresync_select() {
  printf("C%d: SELECT INBOX (QRESYNC (1 %d ", c + 1, r[c].rp);
  print_uids(r[c].cache);
  printf("))\n");
  selected[c] = 1;
  heldF[c] = 0;
  heldX[c] = 0;
  for (u : 1 .. M) {
    if
    :: present & BIT(u) -> top++
    :: else
    fi
  }
  q[c]!EXISTS(top, 0, 0);
  top = 0;
  q[c]!UIDVALIDITY(0, 0, 0);
  q[c]!UIDNEXT(M + 1, 0, 0);
  q[c]!HMS(0, 0, hms);
  for (u : 1 .. M) {
    if
    :: (r[c].cache & BIT(u)) && (present & BIT(u)) == 0 && expunged[u] > r[c].rp ->
       gone = gone | BIT(u)
    :: else
    fi
  }
  if
  :: gone != 0 -> q[c]!EARLIER(gone, 0, 0)
  :: else
  fi;
  for (u : 1 .. M) {
    if
    :: (r[c].cache & BIT(u)) && (present & BIT(u)) && modseq[u] > r[c].rp ->
       q[c]!FETCH(u, flags[u], modseq[u])
    :: else
    fi
  }
  q[c]!TAGGED(0, 0, 0);
  r[c].tagged++
}

/* The client reads the next line of its queue, and applies it. */
inline read_line() {
  q[c]?kind, a, b, n;
  printf("S%d: ", c + 1);
  if
  :: kind == FETCH -> printf("* FETCH (UID %d MODSEQ (%d) FLAGS ", a, n); print_flags(b); printf(")\n")
  :: kind == OWNFETCH -> printf("* FETCH (UID %d MODSEQ (%d))\n", a, n)
  :: kind == VANISHED -> printf("* VANISHED "); print_uids(a); printf("\n")
  :: kind == EARLIER -> printf("* VANISHED (EARLIER) "); print_uids(a); printf("\n")
  :: kind == EXISTS -> printf("* %d EXISTS\n", a)
  :: kind == UIDVALIDITY -> printf("* OK [UIDVALIDITY 1]\n")
  :: kind == UIDNEXT -> printf("* OK [UIDNEXT %d]\n", a)
  :: kind == HMS -> printf("* OK [HIGHESTMODSEQ %d]\n", n)
  :: kind == ENABLED -> printf("* ENABLED QRESYNC\n")
  :: kind == TAGGED && n > 0 -> printf("OK [HIGHESTMODSEQ %d]\n", n)
  :: kind == TAGGED && n == 0 -> printf("OK\n")
  fi;
  if
  :: kind == FETCH ->
     if
     :: r[c].cache & BIT(a) -> r[c].flags[a] = b
     :: else
     fi;
     if
     :: n > r[c].top -> r[c].top = n
     :: else
     fi
  :: kind == OWNFETCH ->
     /* The .SILENT STORE's change, applied once the server confirms it. */
     if
     :: (r[c].cache & BIT(a)) && r[c].sset -> r[c].flags[a] = r[c].flags[a] | r[c].sf
     :: (r[c].cache & BIT(a)) && !r[c].sset -> r[c].flags[a] = r[c].flags[a] & ~r[c].sf
     :: else
     fi;
     if
     :: n > r[c].top -> r[c].top = n
     :: else
     fi
  :: kind == VANISHED || kind == EARLIER -> r[c].cache = r[c].cache & ~a
  :: kind == HMS -> r[c].code = n
  :: kind == TAGGED ->
     if
     :: n > 0 -> r[c].code = n
     :: else
     fi;
     if
     :: r[c].code > 0 -> r[c].rp = r[c].code
     :: r[c].code == 0 && r[c].top > r[c].rp -> r[c].rp = r[c].top
     :: else
     fi;
     r[c].code = 0;
     r[c].top = 0;
     r[c].tagged--;
     if
     :: r[c].tagged == 0 -> r[c].sf = 0; r[c].sset = 0
     :: else
     fi
  :: else
  fi;
  kind = 0; a = 0; b = 0; n = 0;
  check()
}

/* Under WHOLE, a client reads a command's whole response in the command's step, as issue
 * 31's Promela model did (and our `--reduce reads`, but for its drops after a prefix):
 * drops then come only between commands. */
inline respond() {
#ifdef WHOLE
  do
  :: nempty(q[c]) -> read_line()
  :: empty(q[c]) -> break
  od;
  skip /* so that the break stays inside the d_step */
#else
  skip
#endif
}

proctype client(byte c) {
  byte u, d, v, f, gone, top, code, low;
  bit sx, sh;
  mtype kind;
  byte a, b, n;
  /* A client whose budget is spent and whose lines are read has ended. */
end:
  do
#ifndef WHOLE
  /* Reads one line. */
  :: d_step { nempty(q[c]) -> read_line() }
#endif
  /* UID STORE u +FLAGS.SILENT (f) where the cache shows f unset, -FLAGS.SILENT where set. */
  :: atomic {
       r[c].conn == 1 && r[c].tagged == 0 && r[c].issued < K && r[c].cache != 0 ->
       if
       :: r[c].cache & BIT(1) -> u = 1
       :: M >= 2 && (r[c].cache & BIT(2)) -> u = 2
       :: M >= 3 && (r[c].cache & BIT(3)) -> u = 3
       :: M >= 4 && (r[c].cache & BIT(4)) -> u = 4
       :: M >= 5 && (r[c].cache & BIT(5)) -> u = 5
       :: M >= 6 && (r[c].cache & BIT(6)) -> u = 6
       :: M >= 7 && (r[c].cache & BIT(7)) -> u = 7
       fi;
       if
       :: f = DELETED
       :: f = SEEN
       fi;
       choose_flush();
       d_step {
       printf("C%d: UID STORE %d ", c + 1, u);
       if
       :: r[c].flags[u] & f -> printf("-")
       :: else -> printf("+")
       fi;
       printf("FLAGS.SILENT ");
       print_flags(f);
       printf("\n");
       r[c].issued++;
       r[c].tagged = 1;
       r[c].sf = f;
       r[c].sset = ((r[c].flags[u] & f) == 0);
       if
       :: (present & BIT(u)) && ((flags[u] & f) == 0) == r[c].sset ->
          hms++;
          if
          :: r[c].sset -> flags[u] = flags[u] | f
          :: else -> flags[u] = flags[u] & ~f
          fi;
          modseq[u] = hms;
          for (d : 0 .. C - 1) {
            if
            :: d != c && selected[d] -> heldF[d] = heldF[d] | BIT(u)
            :: else
            fi
          }
          q[c]!OWNFETCH(u, 0, hms);
          top = hms
       :: else
       fi;
       finish();
       u = 0; d = 0; f = 0; gone = 0; top = 0; code = 0; low = 0; sx = 0; sh = 0;
       respond()
       }
     }
  /* EXPUNGE, when the cache shows a message \Deleted (RFC 7162 section 3.2.7: OK
   * [HIGHESTMODSEQ n] when something was expunged). */
  :: atomic {
       r[c].conn == 1 && r[c].tagged == 0 && r[c].issued < K && SHOWS_DELETED(c) ->
       choose_flush();
       d_step {
       printf("C%d: EXPUNGE\n", c + 1);
       r[c].issued++;
       r[c].tagged = 1;
       expunge_deleted();
       if
       :: gone != 0 -> code = hms
       :: else
       fi;
       finish();
       u = 0; d = 0; gone = 0; top = 0; code = 0; low = 0; sx = 0; sh = 0;
       respond()
       }
     }
  /* NOOP. */
  :: atomic {
       r[c].conn == 1 && r[c].tagged == 0 && r[c].issued < K ->
       choose_flush();
       d_step {
       printf("C%d: NOOP\n", c + 1);
       r[c].issued++;
       r[c].tagged = 1;
       finish();
       u = 0; gone = 0; top = 0; code = 0; low = 0; sx = 0; sh = 0;
       respond()
       }
     }
  /* CLOSE: expunges without a word, and leaves nothing selected (RFC 3501 section 6.4.2). */
  :: d_step {
       r[c].conn == 1 && r[c].tagged == 0 && r[c].issued < K ->
       printf("C%d: CLOSE\n", c + 1);
       r[c].issued++;
       r[c].tagged = 1;
       r[c].conn = 2;
       expunge_deleted();
       selected[c] = 0;
       heldF[c] = 0;
       heldX[c] = 0;
#ifdef CLOSE_SENDS
       if
       :: gone != 0 -> q[c]!TAGGED(0, 0, hms)
       :: else -> q[c]!TAGGED(0, 0, 0)
       fi;
#else
       q[c]!TAGGED(0, 0, 0);
#endif
       u = 0; d = 0; gone = 0;
       respond()
     }
  /* SELECT INBOX (QRESYNC (1 rp known-uids)) on the same connection, after CLOSE. */
  :: d_step {
       r[c].conn == 2 && r[c].tagged == 0 && r[c].issued < K ->
       r[c].issued++;
       r[c].conn = 1;
       qresync_select();
       u = 0; gone = 0; top = 0;
       respond()
     }
  /* A new connection: ENABLE QRESYNC and the SELECT, pipelined (RFC 7162 section 3.2.3). */
  :: d_step {
       r[c].conn == 0 && r[c].issued < K ->
       r[c].issued++;
       printf("C%d: ENABLE QRESYNC\n", c + 1);
       r[c].conn = 1;
       r[c].tagged = 1;
       q[c]!ENABLED(0, 0, 0);
       q[c]!TAGGED(0, 0, 0);
       qresync_select();
       u = 0; gone = 0; top = 0;
       respond()
     }
  /* The connection drops: unread lines, the command in flight and its bookkeeping are
   * lost; the server ends the session. */
  :: d_step {
       r[c].conn != 0 ->
       printf("C%d: (the connection drops)\n", c + 1);
       r[c].conn = 0;
       do
       :: nempty(q[c]) -> q[c]?_, _, _, _
       :: empty(q[c]) -> break
       od;
       r[c].tagged = 0;
       r[c].code = 0;
       r[c].top = 0;
       r[c].sf = 0;
       r[c].sset = 0;
       selected[c] = 0;
       heldF[c] = 0;
       heldX[c] = 0
     }
  od
}
