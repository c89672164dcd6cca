/* The state graph for liveness (tcpcheck.native.graph), recorded during the search when
 * some liveness property is checked: what tcpcheck.explicit.liveness.Graph holds after a
 * Python run, in flat arrays, so that the Python side fills a Graph from them and judges
 * the properties with its own code.
 *
 * Per state: its first and end edge (-1, -1 while not expanded, as Graph.lo/hi), and one
 * byte per liveness predicate wanted (0 false, 1 true, 2 an evaluation error).  Per edge:
 * the target state and an action key id.  A key is the action without what does not
 * identify it for fairness (liveness.action_key): kind, endpoint or direction,
 * transition, and the received or moved segment without its age; ids are given in the
 * order keys are first met, as Graph.edge gives them.  States at the edge of the bounds
 * (every receipt waits for room) are listed as Graph.outside.
 *
 * Comes after the model's functions (eval_live, NLIVE) and before search.c, which calls
 * the live_* hooks when live_on. */

#define KW (4 + SEGW - 1)  /* kind, e, t, has segment, segment without age */

static int live_on;                    /* some predicate is wanted: record the graph */
static int32_t live_wanted[NLIVE + 1];
static int live_nomem;
static uint8_t *live_val[NLIVE + 1];   /* per predicate, per state */
static int64_t *live_lo, *live_hi;     /* per state */
static size_t live_states_cap;
static uint32_t *live_succ, *live_key; /* per edge */
static size_t live_nedges, live_edges_cap;
static int64_t *live_keys;             /* KW per key id */
static size_t live_nkeys, live_keys_cap;
static uint32_t *live_key_table;       /* open addressing: key id + 1, 0 = empty */
static size_t live_key_mask;
static uint32_t *live_outside;
static size_t live_noutside, live_outside_cap;

static void *live_grow(void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return p;
    size_t grown = *cap ? *cap : 1024;
    while (grown < need) grown *= 2;
    void *q = realloc(p, grown * size);
    if (!q) { live_nomem = 1; return NULL; }
    *cap = grown;
    return q;
}

static void live_release(void) {
    for (int j = 0; j <= NLIVE; j++) { free(live_val[j]); live_val[j] = NULL; }
    free(live_lo); free(live_hi); free(live_succ); free(live_key); free(live_keys);
    free(live_key_table); free(live_outside);
    live_lo = live_hi = live_keys = NULL;
    live_succ = live_key = live_key_table = live_outside = NULL;
    live_states_cap = live_nedges = live_edges_cap = live_nkeys = live_keys_cap = 0;
    live_key_mask = live_noutside = live_outside_cap = 0;
    live_nomem = 0;
}

/* a new state: its predicates (1 when one of them cannot follow Python in int64) */
static int live_state(int64_t index, const int64_t *S) {
    size_t need = (size_t)index + 1, cap = live_states_cap, c;
    int unsupported = 0;
    if (live_nomem) return 0;  /* the run stops (search.c): nothing more is recorded */
    if (need > cap) {
        c = cap; int64_t *lo = live_grow(live_lo, &c, need, 8); if (!lo) return 0; live_lo = lo;
        c = cap; int64_t *hi = live_grow(live_hi, &c, need, 8); if (!hi) return 0; live_hi = hi;
        for (int j = 0; j < NLIVE; j++) {
            if (!live_wanted[j]) continue;
            c = cap; uint8_t *v = live_grow(live_val[j], &c, need, 1); if (!v) return 0;
            live_val[j] = v;
        }
        live_states_cap = c;
    }
    live_lo[index] = live_hi[index] = -1;
    for (int j = 0; j < NLIVE; j++) {
        if (!live_wanted[j]) continue;
        err_flag = 0;
        int64_t value = eval_live(j, S);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        live_val[j][index] = err_flag ? 2 : value != 0;
    }
    err_flag = 0;
    return unsupported;
}

/* the state whose edges are being recorded: its received segments lie in it (not
 * runtime.c's `expanding`, which the search moves on to the next state ahead of time) */
static const int64_t *live_from;

static void live_begin(int64_t index, const int64_t *S) {
    live_from = S;
    if (!live_nomem) live_lo[index] = (int64_t)live_nedges;
}

static uint64_t live_hash(const int64_t *row) {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < KW; i++) { h ^= (uint64_t)row[i]; h *= 0xBF58476D1CE4E5B9ull; h ^= h >> 31; }
    return h;
}

static int live_key_table_grow(void) {
    size_t size = live_key_mask ? (live_key_mask + 1) * 2 : 1024;
    uint32_t *grown = calloc(size, sizeof *grown);
    if (!grown) { live_nomem = 1; return 0; }
    for (size_t k = 0; k < live_nkeys; k++) {
        size_t at = live_hash(live_keys + k * KW) & (size - 1);
        while (grown[at]) at = (at + 1) & (size - 1);
        grown[at] = (uint32_t)(k + 1);
    }
    free(live_key_table);
    live_key_table = grown;
    live_key_mask = size - 1;
    return 1;
}

/* the id of the key of successor s (of the state `live_from`) */
static int64_t live_key_of(const succ_t *s) {
    int64_t row[KW];
    memset(row, 0, sizeof row);
    row[0] = s->kind;
    if (s->kind != K_TICK) {
        row[1] = s->e;
        row[2] = s->kind == K_FIRE ? s->t : -1;
        if (s->segoff >= 0) {
            row[3] = 1;
            memcpy(row + 4, live_from + s->segoff, (SEGW - 1) * 8);
        }
    }
    if (!live_key_table && !live_key_table_grow()) return -1;
    size_t at = live_hash(row) & live_key_mask;
    while (live_key_table[at]) {
        uint32_t k = live_key_table[at] - 1;
        if (memcmp(live_keys + (size_t)k * KW, row, sizeof row) == 0) return k;
        at = (at + 1) & live_key_mask;
    }
    int64_t *keys = live_grow(live_keys, &live_keys_cap, (live_nkeys + 1) * KW, 8);
    if (!keys) return -1;
    live_keys = keys;
    memcpy(live_keys + live_nkeys * KW, row, sizeof row);
    live_key_table[at] = (uint32_t)(live_nkeys + 1);
    live_nkeys++;
    if (live_nkeys * 2 > live_key_mask + 1 && !live_key_table_grow()) return -1;
    return (int64_t)live_nkeys - 1;
}

/* an edge of the state being expanded to `target` by successor s */
static void live_edge(int64_t target, const succ_t *s) {
    if (live_nomem) return;
    int64_t k = live_key_of(s);
    if (k < 0) return;
    size_t need = live_nedges + 1, cap = live_edges_cap, c = cap;
    uint32_t *succs = live_grow(live_succ, &c, need, 4);
    if (!succs) return;
    live_succ = succs;
    c = cap;
    uint32_t *keys = live_grow(live_key, &c, need, 4);
    if (!keys) return;
    live_key = keys;
    live_edges_cap = c;
    live_succ[live_nedges] = (uint32_t)target;
    live_key[live_nedges] = (uint32_t)k;
    live_nedges++;
}

/* the end of the expansion of `index`: kept when `complete`, else its edges are dropped
 * and it counts as not expanded (Graph.end, Graph.abandon); `outside`: at the edge of
 * the bounds */
static void live_end(int64_t index, int complete, int outside) {
    if (live_nomem) return;
    if (!complete) {
        live_nedges = (size_t)live_lo[index];
        live_lo[index] = live_hi[index] = -1;
        return;
    }
    live_hi[index] = (int64_t)live_nedges;
    if (outside) {
        uint32_t *o = live_grow(live_outside, &live_outside_cap, live_noutside + 1, 4);
        if (!o) return;
        live_outside = o;
        live_outside[live_noutside++] = (uint32_t)index;
    }
}

/* ---- for tcpcheck.native.graph --------------------------------------------------------- */

/* which predicates to evaluate in the next tc_run (NLIVE flags; NULL: none); returns NLIVE */
int64_t tc_live(const int32_t *wanted) {
    live_on = 0;
    for (int j = 0; j < NLIVE; j++) {
        live_wanted[j] = wanted ? wanted[j] : 0;
        live_on |= live_wanted[j] != 0;
    }
    return NLIVE;
}

/* after tc_run: 0 edges, 1 keys, 2 outside states, 3 whether memory ran out, 4 KW */
void tc_live_sizes(int64_t *out) {
    out[0] = (int64_t)live_nedges; out[1] = (int64_t)live_nkeys;
    out[2] = (int64_t)live_noutside; out[3] = live_nomem; out[4] = KW;
}

/* copies of the arrays, for `nstates` states (as tc_run reported them) */
void tc_live_graph(int64_t nstates, int64_t *lo, int64_t *hi, uint32_t *succs,
                   uint32_t *keys, int64_t *rows, uint32_t *outside) {
    if (live_nomem) return;
    if (nstates) { memcpy(lo, live_lo, (size_t)nstates * 8); memcpy(hi, live_hi, (size_t)nstates * 8); }
    if (live_nedges) { memcpy(succs, live_succ, live_nedges * 4); memcpy(keys, live_key, live_nedges * 4); }
    if (live_nkeys) memcpy(rows, live_keys, live_nkeys * KW * 8);
    if (live_noutside) memcpy(outside, live_outside, live_noutside * 4);
}

void tc_live_values(int64_t j, int64_t nstates, uint8_t *out) {
    if (!live_nomem && nstates && live_val[j]) memcpy(out, live_val[j], (size_t)nstates);
}

/* ---- the region of one liveness search (liveness.Region), on a Graph's own arrays ----- */
/* From the candidate starts, the expanded states reachable through avoided states
 * (`nodes`), those among them that are dead ends (`dead`: expanded, no edge, not at the
 * bound's edge), and the nontrivial strongly connected components of that subgraph
 * (`members` grouped by component, `ends` the end of each group): what
 * tcpcheck.explicit.liveness.Region computes in Python, with the same iterative Tarjan
 * (roots in ascending order, edges in order).  Returns the number of components, or -1
 * when memory ran out (the caller computes it in Python then). */
int64_t tc_region(int64_t n, const int64_t *lo, const int64_t *hi, const uint32_t *succ,
                  const uint8_t *avoid, const int64_t *starts, int64_t nstarts,
                  const uint8_t *outside, uint8_t *nodes, uint8_t *dead, int32_t *members,
                  int64_t *ends) {
    int64_t *queue = malloc((size_t)(n ? n : 1) * 8);
    int64_t *index = malloc((size_t)(n ? n : 1) * 8), *low = malloc((size_t)(n ? n : 1) * 8);
    int64_t *stack = malloc((size_t)(n ? n : 1) * 8);
    int64_t *work = malloc((size_t)(n ? n : 1) * 16);  /* (state, next edge) */
    uint8_t *on_stack = calloc((size_t)(n ? n : 1), 1);
    int64_t ncomp = -1;
    if (!queue || !index || !low || !stack || !work || !on_stack) goto done;
    memset(nodes, 0, (size_t)n);
    memset(dead, 0, (size_t)n);
    int64_t head = 0, tail = 0;
    for (int64_t i = 0; i < nstarts; i++)
        if (!nodes[starts[i]]) { nodes[starts[i]] = 1; queue[tail++] = starts[i]; }
    while (head < tail) {  /* liveness._forward */
        int64_t u = queue[head++];
        if (lo[u] < 0) continue;
        for (int64_t j = lo[u]; j < hi[u]; j++) {
            int64_t v = succ[j];
            if (!nodes[v] && avoid[v] && lo[v] >= 0) { nodes[v] = 1; queue[tail++] = v; }
        }
    }
    for (int64_t s = 0; s < n; s++) {
        index[s] = -1;
        if (nodes[s] && lo[s] >= 0 && lo[s] == hi[s] && !outside[s]) dead[s] = 1;
    }
    int64_t counter = 0, sp = 0, nmembers = 0;
    ncomp = 0;
    for (int64_t root = 0; root < n; root++) {  /* liveness.sccs */
        if (!nodes[root] || index[root] >= 0) continue;
        int64_t wp = 0;
        work[0] = root; work[1] = lo[root] >= 0 ? lo[root] : 0; wp = 1;
        index[root] = low[root] = counter++;
        stack[sp++] = root; on_stack[root] = 1;
        while (wp) {
            int64_t v = work[2 * (wp - 1)], end = lo[v] >= 0 ? hi[v] : 0;
            int advanced = 0;
            while (work[2 * (wp - 1) + 1] < end) {
                int64_t w = succ[work[2 * (wp - 1) + 1]++];
                if (!nodes[w]) continue;
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w; on_stack[w] = 1;
                    work[2 * wp] = w; work[2 * wp + 1] = lo[w] >= 0 ? lo[w] : 0; wp++;
                    advanced = 1;
                    break;
                }
                if (on_stack[w] && index[w] < low[v]) low[v] = index[w];
            }
            if (advanced) continue;
            wp--;
            if (wp && low[v] < low[work[2 * (wp - 1)]]) low[work[2 * (wp - 1)]] = low[v];
            if (low[v] == index[v]) {
                int64_t first = nmembers, w;
                do {
                    w = stack[--sp];
                    on_stack[w] = 0;
                    members[nmembers++] = (int32_t)w;
                } while (w != v);
                int nontrivial = nmembers - first > 1;
                if (!nontrivial && lo[v] >= 0)  /* a single state on a cycle: a self-loop */
                    for (int64_t j = lo[v]; j < hi[v]; j++)
                        if ((int64_t)succ[j] == v) { nontrivial = 1; break; }
                if (nontrivial) ends[ncomp++] = nmembers;
                else nmembers = first;
            }
        }
    }
done:
    free(queue); free(index); free(low); free(stack); free(work); free(on_stack);
    return ncomp;
}

/* The predecessors inside `nodes` of each state of `nodes` (Region.preds), grouped by
 * state: those of s are src[at[s]:at[s + 1]]; `at` has n + 1 entries, `src` room for
 * every edge.  Returns how many there are. */
int64_t tc_region_preds(int64_t n, const int64_t *lo, const int64_t *hi, const uint32_t *succ,
                        const uint8_t *nodes, int64_t *at, uint32_t *src) {
    memset(at, 0, (size_t)(n + 1) * 8);
    for (int64_t u = 0; u < n; u++)
        if (nodes[u] && lo[u] >= 0)
            for (int64_t j = lo[u]; j < hi[u]; j++)
                if (nodes[succ[j]]) at[succ[j] + 1]++;
    for (int64_t s = 0; s < n; s++) at[s + 1] += at[s];
    for (int64_t u = 0; u < n; u++)  /* at[v] walks forward, then is put back below */
        if (nodes[u] && lo[u] >= 0)
            for (int64_t j = lo[u]; j < hi[u]; j++)
                if (nodes[succ[j]]) src[at[succ[j]]++] = (uint32_t)u;
    for (int64_t s = n; s > 0; s--) at[s] = at[s - 1];
    at[0] = 0;
    return at[n];
}
