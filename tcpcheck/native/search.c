/* The breadth-first search itself (after the generated model functions), mirroring
 * tcpcheck.explicit.checker._Explorer.run for safety properties with one counterexample
 * each.  States are numbered in the order found, which is breadth-first order, so the
 * queue is the range [current, nstates) and depths grow with the index. */

static uint64_t *packed;       /* NW words per state */
static uint32_t *parent_of;    /* the state it was found from (state 0: itself) */
static uint32_t *action_of;    /* its index in the parent's successor list */
static size_t nstates, states_cap;
static uint32_t *table;        /* open addressing: state index + 1, 0 = empty */
static size_t table_mask;

static int64_t prop_status[NPROPS + 1], prop_wkind[NPROPS + 1], prop_index[NPROPS + 1],
               prop_action[NPROPS + 1];
static const int32_t *active;

static inline uint64_t hash_words(const uint64_t *w) {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < NW; i++) {
        h ^= w[i];
        h *= 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 29);
}

static int table_grow(void) {
    size_t size = table_mask ? (table_mask + 1) * 2 : 1 << 16;
    uint32_t *grown = calloc(size, sizeof *grown);
    if (!grown) return 0;
    for (size_t i = 0; i < nstates; i++) {
        size_t at = hash_words(packed + i * NW) & (size - 1);
        while (grown[at]) at = (at + 1) & (size - 1);
        grown[at] = (uint32_t)(i + 1);
    }
    free(table);
    table = grown;
    table_mask = size - 1;
    return 1;
}

/* the index of the state packed as w, or -1 with *slot where it would go */
static int64_t find(const uint64_t *w, size_t *slot) {
    size_t at = hash_words(w) & table_mask;
    while (table[at]) {
        uint32_t i = table[at] - 1;
        if (memcmp(packed + (size_t)i * NW, w, NW * 8) == 0) return i;
        at = (at + 1) & table_mask;
    }
    *slot = at;
    return -1;
}

static int add_state(const uint64_t *w, size_t slot, uint32_t parent, uint32_t action) {
    if (nstates >= UINT32_MAX - 1) return 0;  /* indices are 32 bits: report it as memory */
    if (nstates == states_cap) {
        size_t cap = states_cap ? states_cap * 2 : 1 << 16;
        uint64_t *p = realloc(packed, cap * NW * 8);
        if (!p) return 0;
        packed = p;
        uint32_t *q = realloc(parent_of, cap * 4);
        if (!q) return 0;
        parent_of = q;
        q = realloc(action_of, cap * 4);
        if (!q) return 0;
        action_of = q;
        states_cap = cap;
    }
    memcpy(packed + nstates * NW, w, NW * 8);
    parent_of[nstates] = parent;
    action_of[nstates] = action;
    table[slot] = (uint32_t)(nstates + 1);
    nstates++;
    if (nstates * 2 > table_mask + 1) {  /* keep the load under one half */
        if (!table_grow()) return 0;
    }
    return 1;
}

static inline int wants(int p) { return active[p] && prop_status[p] == P_NONE; }

static void violated(int p, int64_t wkind, int64_t index, int64_t action) {
    if (prop_status[p] != P_NONE) return;
    prop_status[p] = P_VIOLATED;
    prop_wkind[p] = wkind;
    prop_index[p] = index;
    prop_action[p] = action;
}

static int unsupported;  /* a value int64 cannot follow Python on: abandon the run */

/* _check_state: invariants, then goals (an evaluation error breaks either) */
static void check_state(int64_t index, const int64_t *S) {
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_INVARIANT || !wants(p)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag || !ok) violated(p, 0, index, -1);
    }
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_GOAL || !active[p] || prop_status[p] != P_NONE) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag) violated(p, 0, index, -1);
        else if (ok) { prop_status[p] = P_REACHED; prop_wkind[p] = 0; prop_index[p] = index; }
    }
}

/* whether some step property still looks at firings of transition (e, t) */
static int step_wanted(int e, int t) {
    for (int p = 0; p < NPROPS; p++)
        if (PROP_KIND[p] == PK_STEP && wants(p) && step_selects(p, e, t)) return 1;
    return 0;
}

/* _on_fire: the step properties that select this transition, on the state N it leads to
 * and the segment it received (in the expanded state S) */
static void on_fire(int64_t parent, int64_t k, const succ_t *s, const int64_t *N,
                    const int64_t *S) {
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_STEP || !wants(p) || !step_selects(p, s->e, s->t)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, N, s->segoff >= 0 ? S + s->segoff : NULL, s->e);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag || !ok) violated(p, 1, parent, k);
    }
}

static int all_decided(int stop_when_decided, int64_t domains_status) {
    int any = 0, failing = 0;
    if (!stop_when_decided) return 0;
    for (int p = 0; p < NPROPS; p++) {
        if (!active[p]) continue;
        any = 1;
        if (prop_status[p] == P_NONE) return 0;
        if (prop_status[p] == P_VIOLATED) failing = 1;
    }
    return any && (domains_status || failing);
}

static void release(void) {
    free(packed); free(parent_of); free(action_of); free(table); free(succ);
    packed = NULL; parent_of = action_of = NULL; table = NULL; succ = NULL;
    nstates = states_cap = table_mask = 0;
    nsucc = succ_cap = 0;
}

/* Results, in `out` (int64 each):
 *  0 states, 1 transitions, 2 diameter, 3 stop code, 4 depth cut, 5 queue left,
 *  6 cut short (a domain error), 7 capacity-blocked states, 8 domains violated,
 *  9 its state, then 4 per property (status, witness kind 0 state / 1 firing, index,
 *  action index), then how often each transition fired (endpoint 0's, then 1's).
 * `live`: states, transitions, depth, queue, updated as it goes (for progress). */
int64_t tc_run(const int32_t *active_props, int64_t max_states, int64_t max_depth,
               int32_t stop_when_decided, volatile int32_t *stop, volatile int64_t *live,
               int64_t *out) {
    int64_t S[NS], N[NS];
    uint64_t w[NW];
    int64_t transitions = 0, diameter = 0, depth = 0, level_end = 1, capacity_blocked = 0;
    int64_t domains_status = 0, domains_state = -1, coverage[NCOV];
    int stop_code = S_NONE, depth_cut = 0, cut_short = 0;
    size_t current = 0, slot;

    release();
    active = active_props;
    stop_flag = stop;
    unsupported = 0;
    pack_overflow = 0;
    memset(coverage, 0, sizeof coverage);
    for (int p = 0; p <= NPROPS; p++) prop_status[p] = prop_wkind[p] = prop_index[p] = prop_action[p] = 0;
    if (!table_grow()) { stop_code = S_MEMORY; goto done; }
    initial(S);
    pack(S, w);
    find(w, &slot);
    if (!add_state(w, slot, 0, 0)) { stop_code = S_MEMORY; goto done; }
    check_state(0, S);
    if (*stop) stop_code = S_EXTERNAL;
    while (current < nstates && stop_code == S_NONE && !unsupported) {
        if (all_decided(stop_when_decided, domains_status)) { stop_code = S_DECIDED; break; }
        if (current >= (size_t)level_end) { depth++; level_end = (int64_t)nstates; }
        if (max_depth >= 0 && depth >= max_depth) { depth_cut = 1; current++; continue; }
        unpack(packed + current * NW, S);
        int rc = expand(S);
        if (pack_overflow || (rc == 0 && err_flag == E_UNSUPPORTED)) { unsupported = 1; break; }
        if (rc == X_STOP) { stop_code = S_EXTERNAL; break; }
        if (rc == X_NOMEM) { stop_code = S_MEMORY; break; }
        if (rc == X_ERROR) {
            if (err_flag == E_UNSUPPORTED) { unsupported = 1; break; }
            if (!domains_status) { domains_status = 1; domains_state = (int64_t)current; }
            cut_short = 1;  /* its successors are unknown: nothing may be claimed to hold */
            nsucc = 0;
        } else if (nsucc == 0 && blocked) {
            capacity_blocked++;  /* a bound, not a deadlock */
        } else if (nsucc == 0 && !is_terminal(S)) {
            for (int p = 0; p < NPROPS; p++)
                if (PROP_KIND[p] == PK_DEADLOCK && wants(p)) violated(p, 0, (int64_t)current, -1);
        }
        for (size_t k = 0; k < nsucc && !unsupported; k++) {
            succ_t *s = &succ[k];
            transitions++;
            if (s->kind == K_FIRE) {
                coverage[TRANS_BASE(s->e) + s->t]++;
                if (step_wanted(s->e, s->t)) {
                    unpack(s->w, N);
                    on_fire((int64_t)current, (int64_t)k, s, N, S);
                }
            }
            if (find(s->w, &slot) >= 0) continue;
            if (max_states >= 0 && (int64_t)nstates >= max_states) { stop_code = S_MAX_STATES; break; }
            if (!add_state(s->w, slot, (uint32_t)current, (uint32_t)k)) { stop_code = S_MEMORY; break; }
            if (depth + 1 > diameter) diameter = depth + 1;
            unpack(s->w, N);
            check_state((int64_t)nstates - 1, N);
        }
        if (stop_code != S_NONE || unsupported) { current++; break; }
        current++;
        live[0] = (int64_t)nstates; live[1] = transitions; live[2] = depth;
        live[3] = (int64_t)(nstates - current);
        if (*stop) stop_code = S_EXTERNAL;
    }
done:
    if (unsupported) stop_code = S_UNSUPPORTED;
    out[0] = (int64_t)nstates; out[1] = transitions; out[2] = diameter; out[3] = stop_code;
    out[4] = depth_cut; out[5] = current < nstates; out[6] = cut_short;
    out[7] = capacity_blocked; out[8] = domains_status; out[9] = domains_state;
    for (int p = 0; p < NPROPS; p++) {
        out[10 + 4 * p] = prop_status[p]; out[11 + 4 * p] = prop_wkind[p];
        out[12 + 4 * p] = prop_index[p]; out[13 + 4 * p] = prop_action[p];
    }
    for (int i = 0; i < NCOV; i++) out[10 + 4 * NPROPS + i] = coverage[i];
    return stop_code;
}

/* the run to state `index`: its ancestors' indices and the action index of each step,
 * from the initial state; returns the number of steps, written only when they fit in
 * `room` (so a first call with room 0 asks for the length) */
int64_t tc_path(int64_t index, int64_t *states_out, int64_t *actions_out, int64_t room) {
    int64_t n = 0, i = index;
    while (i > 0) { n++; i = parent_of[i]; }
    if (n > room) return n;
    i = index;
    for (int64_t k = n - 1; k >= 0; k--) {
        states_out[k] = i;
        actions_out[k] = action_of[i];
        i = parent_of[i];
    }
    return n;
}

/* the slots of state `index` (to check a replayed trace against) */
void tc_state(int64_t index, int64_t *slots) { unpack(packed + (size_t)index * NW, slots); }

void tc_free(void) { release(); }

int64_t tc_layout(int64_t which) {
    switch (which) {
    case 0: return NS;
    case 1: return NW;
    case 2: return NPROPS;
    case 3: return NCOV;
    default: return -1;
    }
}
