/* The model-independent half of the native breadth-first search (tcpcheck.native).
 *
 * codegen.py writes, before this file, the model's constants (NS slots per state, NW
 * packed words, SEGW slots per segment, channel layout, budgets, property count) and,
 * after it, the model's functions: pack/unpack, transition bodies, local moves,
 * receivers, property evaluation.  The search mirrors tcpcheck.explicit.checker step by
 * step (same successor order, same checks in the same places), so that it finds the same
 * states, the same counts and the same first counterexample; the Python side rebuilds
 * every trace from the action indices recorded here and checks it against these states.
 *
 * A state is unpacked as an int64 array of NS slots:
 *   endpoint e at EB_e: control, incarnation, variables..., timers... (-1 when stopped)
 *   channel d at CB_d:  count, then CAP segments of SEGW slots (flags, seq, ack, ghosts..., age)
 *   LOSTI, DUPI:        faults used against the budgets
 * Absent segments are all zero, so that equal states have equal slots.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { K_FIRE = 0, K_DISCARD = 1, K_LOSE = 2, K_DUP = 3, K_TICK = 4 };
/* an evaluation that Python would reject with an exception (a domain violation, x % 0)
 * is E_REAL; E_UNSUPPORTED is a value int64 cannot follow Python on (overflow): the run
 * is abandoned and the Python engine runs instead */
enum { E_REAL = 1, E_UNSUPPORTED = 2 };
/* what expand() returns besides 0 */
enum { X_ERROR = -1, X_STOP = -2, X_NOMEM = -3 };
/* stop codes reported to Python */
enum { S_NONE = 0, S_DECIDED = 1, S_MAX_STATES = 2, S_EXTERNAL = 3, S_MEMORY = 4,
       S_UNSUPPORTED = 5 };
enum { P_NONE = 0, P_VIOLATED = 1, P_REACHED = 2 };
enum { PK_INVARIANT = 0, PK_GOAL = 1, PK_STEP = 2, PK_DEADLOCK = 3, PK_OTHER = 4 };

#define POLL_EVERY 1024

static __thread int err_flag;
static volatile int32_t *stop_flag;
static __thread int until_poll = POLL_EVERY;

static inline void fail(int kind) { if (!err_flag) err_flag = kind; }

/* Python's floor modulo (the sign of the divisor) */
static inline int64_t pmod(int64_t a, int64_t m) {
    if (m == 0) { fail(E_REAL); return 0; }
    if (m == -1) return 0;
    int64_t r = a % m;
    if (r != 0 && ((r < 0) != (m < 0))) r += m;
    return r;
}
static inline int64_t padd(int64_t a, int64_t b) {
    int64_t r; if (__builtin_add_overflow(a, b, &r)) fail(E_UNSUPPORTED); return r;
}
static inline int64_t psub(int64_t a, int64_t b) {
    int64_t r; if (__builtin_sub_overflow(a, b, &r)) fail(E_UNSUPPORTED); return r;
}
static inline int64_t pmul(int64_t a, int64_t b) {
    int64_t r; if (__builtin_mul_overflow(a, b, &r)) fail(E_UNSUPPORTED); return r;
}
static inline int64_t pneg(int64_t a) {
    if (a == INT64_MIN) { fail(E_UNSUPPORTED); return 0; }
    return -a;
}
/* RFC 9293 3.4 SEQ.LT, as tcpcheck.explicit.compile.seq_lt */
static inline int64_t seq_lt(int64_t a, int64_t b, int64_t m) {
    return pmod(psub(a, b), m) >= (m + 1) / 2;
}
/* 1 << a for a set element (Python: ValueError when negative; a big int beyond 62) */
static inline int64_t bit(int64_t a) {
    if (a < 0) { fail(E_REAL); return 0; }
    if (a > 62) { fail(E_UNSUPPORTED); return 0; }
    return (int64_t)1 << a;
}
/* ((set >> a) & 1 == 1) */
static inline int64_t has(int64_t set, int64_t a) {
    if (a < 0) { fail(E_REAL); return 0; }
    if (a > 62) return set < 0;
    return (set >> a) & 1;
}
/* a segment field of `seg` where Python would have no segment (None[1]: TypeError) */
static inline const int64_t *segp(const int64_t *g) {
    static const int64_t zero[64];
    if (!g) { fail(E_UNSUPPORTED); return zero; }
    return g;
}

static const int EB[2] = {EB_0, EB_1};
static const int EPW[2] = {EPW_0, EPW_1};
static const int TB[2] = {EB_0 + TB_0, EB_1 + TB_1};
static const int NT[2] = {NT_0, NT_1};
static const int CB[2] = {CB_0, CB_1};

/* ---- the successor buffer ------------------------------------------------------------ */
/* A successor is kept packed (one state's expansion may list millions of them: a choice
 * inside a choice), with the action that leads to it and where its received segment
 * lies in the state being expanded (segoff, -1 for none). */
typedef struct {
    int32_t kind, e, t, segoff;
    uint64_t h;  /* hash_words(w), for the visited set */
    uint64_t w[NW];
} succ_t;

static __thread succ_t *succ;
static __thread size_t nsucc, succ_cap;
static __thread int blocked;
static __thread const int64_t *expanding;  /* the state being expanded: received segments lie in it */
static __thread int pack_overflow;  /* a timer beyond its packed width: the run is abandoned */

static void pack(const int64_t *S, uint64_t *w);

/* check --hash-seed: the salt of the hash below (search.c's tc_hash_seed), 0 for seed 0 so
 * that an unseeded run hashes as before; a new seed gives the approximate modes another
 * hash function, so other collisions (SPIN's -RS for bitstate), as a swarm's tasks want */
static uint64_t hash_salt;

static inline uint64_t hash_words(const uint64_t *w) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ hash_salt;
    for (int i = 0; i < NW; i++) {
        h ^= w[i];
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

static succ_t *push(const int64_t *S, int kind, int e, int t, const int64_t *seg) {
    if (nsucc == succ_cap) {
        size_t cap = succ_cap ? succ_cap * 2 : 256;
        succ_t *grown = realloc(succ, cap * sizeof *succ);
        if (!grown) return NULL;
        succ = grown;
        succ_cap = cap;
    }
    succ_t *s = &succ[nsucc++];
    s->kind = kind; s->e = e; s->t = t;
    s->segoff = seg ? (int32_t)(seg - expanding) : -1;
    pack(S, s->w);
    s->h = hash_words(s->w);
    return s;
}

/* ---- channels ------------------------------------------------------------------------ */
static inline int segcmp(const int64_t *a, const int64_t *b) {
    for (int i = 0; i < SEGW; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* a channel is count + CAP segments; remove position pos (the tail stays zero) */
static void chan_remove(int64_t *ch, int64_t pos) {
    int64_t n = ch[0];
    memmove(ch + 1 + pos * SEGW, ch + 1 + (pos + 1) * SEGW, (size_t)(n - pos - 1) * SEGW * 8);
    memset(ch + 1 + (n - 1) * SEGW, 0, SEGW * 8);
    ch[0] = n - 1;
}

static void chan_insert_after(int64_t *ch, int64_t pos) {
    int64_t n = ch[0];
    memmove(ch + 1 + (pos + 2) * SEGW, ch + 1 + (pos + 1) * SEGW, (size_t)(n - pos - 1) * SEGW * 8);
    memcpy(ch + 1 + (pos + 1) * SEGW, ch + 1 + pos * SEGW, SEGW * 8);
    ch[0] = n + 1;
}

/* Python's sorted() of the segment tuples: insertion sort, lexicographic */
static void chan_sort(int64_t *ch) {
    int64_t n = ch[0], tmp[SEGW];
    for (int64_t i = 1; i < n; i++) {
        memcpy(tmp, ch + 1 + i * SEGW, sizeof tmp);
        int64_t j = i - 1;
        while (j >= 0 && segcmp(ch + 1 + j * SEGW, tmp) > 0) {
            memcpy(ch + 1 + (j + 1) * SEGW, ch + 1 + j * SEGW, sizeof tmp);
            j--;
        }
        memcpy(ch + 1 + (j + 1) * SEGW, tmp, sizeof tmp);
    }
}

#define CHANW (1 + CAP * SEGW)

/* generated: 1 when the firing of transition t of e that leads to N (having received g)
 * satisfies every assumption that selects it, 0 when not, -1 (err_flag set) when one
 * cannot be evaluated (Semantics._assumed) */
static int assumed(int e, int t, const int64_t *S, const int64_t *g);

/* one outcome of a transition (Semantics._fire's loop body) */
static int emit_fire(const int64_t *S, int e, int t, int target, int64_t *v,
                     const int64_t *sends, int ns, const int64_t *g, const int64_t *inc,
                     int *waits) {
    int64_t N[NS];
    int peer = 1 - e;
    if (target >= 0) v[0] = target;
    memcpy(N, S, sizeof N);
    memcpy(N + EB[e], v, (size_t)EPW[e] * 8);
    memcpy(N + CB[e], inc, CHANW * 8);
    int64_t *pc = N + CB[peer];
    /* a shared bag (channel option `shared`): the segments still in flight towards e,
     * after the received one left, take room too */
    int64_t room = CAP - pc[0] - (SHARED ? N[CB[e]] : 0);
    if (room < 0) room = 0;
    int64_t accepted = ns < room ? ns : room, overflow = ns - accepted;
    memcpy(pc + 1 + pc[0] * SEGW, sends, (size_t)accepted * SEGW * 8);
    pc[0] += accepted;
    if (REORDER && accepted) chan_sort(pc);
    if (overflow && LOSS_BUDGET >= 0) {
        N[LOSTI] += overflow;
        if (N[LOSTI] > LOSS_BUDGET) { *waits = 1; return 0; }
    }
    if (NASSUME) {  /* `assume`: a firing whose next state breaks one does not happen */
        int ok = assumed(e, t, N, g);
        if (ok < 0) return X_ERROR;
        if (!ok) return 0;
    }
    return push(N, K_FIRE, e, t, g) ? 0 : X_NOMEM;
}

/* ---- generated declarations used below ----------------------------------------------- */
static int local_moves(const int64_t *S, int e);
static int receive(const int64_t *S, int e, const int64_t *seg, const int64_t *rem, int *waits);

static int deliveries(const int64_t *S, int e) {
    const int64_t *in = S + CB[e];
    int64_t n = in[0];
    if (!n) return 0;
    int64_t npos = REORDER ? n : 1;
    const int64_t *prev = NULL;
    for (int64_t pos = 0; pos < npos; pos++) {
        const int64_t *seg = in + 1 + pos * SEGW;
        if (prev && segcmp(seg, prev) == 0) continue;  /* identical copies: one delivery */
        prev = seg;
        int64_t rem[CHANW];
        memcpy(rem, in, sizeof rem);
        chan_remove(rem, pos);
        size_t before = nsucc;
        int waits = 0;
        int rc = receive(S, e, seg, rem, &waits);
        if (rc) return rc;
        blocked |= waits;
        if (nsucc == before && !waits) {  /* nothing takes it: the endpoint drops it */
            int64_t N[NS];
            memcpy(N, S, sizeof N);
            memcpy(N + CB[e], rem, sizeof rem);
            if (!push(N, K_DISCARD, e, -1, seg)) return X_NOMEM;
        }
    }
    return 0;
}

static int faults(const int64_t *S, int d) {
    const int64_t *ch = S + CB[d];
    int64_t n = ch[0];
    if (!n) return 0;
    int may_lose = LOSS_BUDGET < 0 || S[LOSTI] < LOSS_BUDGET;
    int64_t in_flight = SHARED ? S[CB_0] + S[CB_1] : n;  /* a shared bag: both ways */
    int may_dup = (DUP_BUDGET < 0 || S[DUPI] < DUP_BUDGET) && in_flight < CAP;
    if (!(may_lose || may_dup)) return 0;
    const int64_t *prev = NULL;
    for (int64_t pos = 0; pos < n; pos++) {
        const int64_t *seg = ch + 1 + pos * SEGW;
        if (prev && segcmp(seg, prev) == 0) continue;
        prev = seg;
        int64_t N[NS];
        if (may_lose) {
            memcpy(N, S, sizeof N);
            chan_remove(N + CB[d], pos);
            N[LOSTI] = S[LOSTI] + (LOSS_BUDGET >= 0);
            if (!push(N, K_LOSE, d, -1, seg)) return X_NOMEM;
        }
        if (may_dup) {
            memcpy(N, S, sizeof N);
            chan_insert_after(N + CB[d], pos);
            N[DUPI] = S[DUPI] + (DUP_BUDGET >= 0);
            if (!push(N, K_DUP, d, -1, seg)) return X_NOMEM;
        }
    }
    return 0;
}

/* one unit of time (Semantics._tick) */
static int tick(const int64_t *S) {
    int running = 0;
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < NT[e]; k++) {
            int64_t value = S[TB[e] + k];
            if (value == 0) return 0;  /* an expired timer is urgent */
            if (value > 0) running = 1;
        }
    int ageing = MSL >= 0 && (S[CB_0] || S[CB_1]);
    if (!(running || ageing)) return 0;
    int64_t N[NS];
    memcpy(N, S, sizeof N);
    for (int e = 0; e < 2; e++)
        for (int k = 0; k < NT[e]; k++)
            if (N[TB[e] + k] > 0) N[TB[e] + k]--;
    int64_t expired = 0;
    if (MSL >= 0) {
        for (int d = 0; d < 2; d++) {
            int64_t *ch = N + CB[d];
            int64_t n = ch[0], kept = 0;
            for (int64_t i = 0; i < n; i++) {
                int64_t *seg = ch + 1 + i * SEGW;
                if (seg[SEGW - 1] + 1 >= MSL) { expired++; continue; }
                if (kept != i) memcpy(ch + 1 + kept * SEGW, seg, SEGW * 8);
                ch[1 + kept * SEGW + SEGW - 1] += 1;
                kept++;
            }
            memset(ch + 1 + kept * SEGW, 0, (size_t)(n - kept) * SEGW * 8);
            ch[0] = kept;
        }
    }
    if (expired && LOSS_BUDGET >= 0) {
        N[LOSTI] += expired;
        if (N[LOSTI] > LOSS_BUDGET) return 0;
    }
    return push(N, K_TICK, -1, -1, NULL) ? 0 : X_NOMEM;
}

/* Semantics.successors: endpoint 0 then 1 (local moves, deliveries), faults, the clock */
static int expand(const int64_t *S) {
    expanding = S;
    nsucc = 0;
    blocked = 0;
    err_flag = 0;
    int rc;
    for (int e = 0; e < 2; e++) {
        if ((rc = local_moves(S, e))) return rc;
        if ((rc = deliveries(S, e))) return rc;
    }
    for (int d = 0; d < 2; d++)
        if ((rc = faults(S, d))) return rc;
    return tick(S);
}

/* inside a long `choose`: the Python side may ask the run to stop */
static inline int poll_stop(void) {
    if (--until_poll > 0) return 0;
    until_poll = POLL_EVERY;
    return *stop_flag != 0;
}
