/* Random walks (tcpcheck simulate --engine native), after search.c: the walks of
 * tcpcheck.analyses.simulate, step for step, over the same successor lists (runtime.c's
 * expand(), in Semantics.successors order) and with the same generator, so that a seed
 * gives the same runs, the same coverage and the same verdicts in both engines.
 *
 * Run i draws from its own splitmix64 stream, started at mix(mix(seed + GAMMA) ^ i) (mix
 * is a bijection: no two runs of one seed share a stream); a uniform step takes successor
 * (next() * n) >> 64 of the n listed; a rare-weighted one weighs each successor
 * max(1, 2^32 / (1 + c)), c the firings of its transition so far (time steps, losses,
 * duplications and discards counting as one kind), and takes the successor where
 * (next() * total) >> 64 falls.  Integers only: Python computes exactly the same.
 *
 * The runs go in rounds (RARE_ROUND under rare weighting, which sees the coverage of the
 * rounds before its own, as the Python walks do; UNIFORM_ROUND otherwise); the threads of
 * --workers take runs of a round one at a time.  What one thread found is merged when the
 * walks end: for each property the shortest run that decided it, ties to the lowest run
 * index, and the states seen as the union of each thread's fingerprint set; so the
 * result is the same for any number of threads.  A state is counted by its 64-bit hash
 * (hash_words), so two states could in principle count as one. */

#define RARE_ROUND 16       /* simulate.ROUND: the rounds of rare weighting */
#define UNIFORM_ROUND 1024  /* runs between two looks at the stop flag and the progress */
#define WALK_GAMMA 0x9E3779B97F4A7C15ull
#define WALK_MAX_THREADS 256

static inline uint64_t sm_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t sm_next(uint64_t *s) {
    *s += WALK_GAMMA;
    return sm_mix(*s);
}

/* (r * n) >> 64: r scaled into [0, n) */
static inline uint64_t sm_scale(uint64_t r, uint64_t n) {
    return (uint64_t)(((unsigned __int128)r * n) >> 64);
}

/* ---- a set of 64-bit fingerprints (0 marks an empty slot; hash 0 is stored as 1) ---- */
typedef struct {
    uint64_t *slot;
    size_t mask, count;
} fpset_t;

static int fp_grow(fpset_t *f) {
    size_t size = f->slot ? (f->mask + 1) * 2 : 1 << 12;
    uint64_t *grown = calloc(size, sizeof *grown);
    if (!grown) return 0;
    for (size_t i = 0; f->slot && i <= f->mask; i++) {
        if (!f->slot[i]) continue;
        size_t at = f->slot[i] & (size - 1);
        while (grown[at]) at = (at + 1) & (size - 1);
        grown[at] = f->slot[i];
    }
    free(f->slot);
    f->slot = grown;
    f->mask = size - 1;
    return 1;
}

/* 0 when memory ran out */
static int fp_add(fpset_t *f, uint64_t h) {
    if (!h) h = 1;
    if (!f->slot || (f->count + 1) * 4 > (f->mask + 1) * 3)
        if (!fp_grow(f)) return 0;
    size_t at = h & f->mask;
    while (f->slot[at]) {
        if (f->slot[at] == h) return 1;
        at = (at + 1) & f->mask;
    }
    f->slot[at] = h;
    f->count++;
    return 1;
}

/* ---- one thread's walks ------------------------------------------------------------- */
typedef struct {
    int64_t len, run, status;  /* len -1: no run decided the property yet */
    int32_t *moves;            /* the successor taken at each of its first len steps */
    size_t cap;
} best_t;

typedef struct {
    pthread_t tid;
    fpset_t seen;
    int64_t steps, runs_done, ticks;
    int64_t cov[NCOV + 1];                      /* firings in all its walks */
    int64_t round_cov[NCOV + 1], round_ticks;   /* in this round's walks, for rare weighting */
    int64_t own[NCOV + 1], own_ticks;           /* in the walk under way */
    int32_t *moves;                             /* the walk under way */
    uint64_t *weight;                           /* rare weighting: one per successor */
    size_t weight_cap;
    int64_t dlen[NPROPS + 1], dstatus[NPROPS + 1];  /* decided in the walk under way */
    best_t best[NPROPS + 1];                    /* slot NPROPS: domains */
    int unsupported, nomem, cut;
} walker_t;

static uint64_t walk_seed;
static int64_t walk_runs, walk_depth;
static int walk_rare;
static const int32_t *walk_active;
static int64_t before_cov[NCOV + 1], before_ticks;  /* the rounds before this one */
static int64_t round_end;
static int64_t next_run;  /* the next run of the round to take (atomic) */
static walker_t *walkers;
static int64_t nwalkers;
static best_t *walk_result[NPROPS + 1];  /* after tc_walks: the run kept per property */

static pthread_mutex_t wl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wl_go = PTHREAD_COND_INITIALIZER, wl_done = PTHREAD_COND_INITIALIZER;
static uint64_t wl_generation;
static int64_t wl_finished;
static int wl_quit;

static inline void walk_decide(walker_t *t, int p, int64_t len, int64_t status) {
    if (t->dlen[p] < 0) { t->dlen[p] = len; t->dstatus[p] = status; }
}

static inline int walk_wants(const walker_t *t, int p) {
    return walk_active[p] && t->dlen[p] < 0;
}

/* _Judge._state: the invariants, then the goals, in the state reached after len steps */
static void walk_check_state(walker_t *t, int64_t len, const int64_t *S) {
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_INVARIANT || !walk_wants(t, p)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) t->unsupported = 1;
        if (err_flag || !ok) walk_decide(t, p, len, P_VIOLATED);
    }
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_GOAL || !walk_wants(t, p)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) t->unsupported = 1;
        if (err_flag) walk_decide(t, p, len, P_VIOLATED);
        else if (ok) walk_decide(t, p, len, P_REACHED);
    }
}

/* simulate._rare: weights by how often each successor's kind of move was taken (kept in
 * t->weight between the two passes: a division each); -1 when memory ran out */
static int64_t walk_rare_choice(walker_t *t, uint64_t *rng) {
    if (nsucc > t->weight_cap) {
        uint64_t *grown = realloc(t->weight, nsucc * 2 * sizeof *grown);
        if (!grown) return -1;
        t->weight = grown;
        t->weight_cap = nsucc * 2;
    }
    uint64_t total = 0;
    for (size_t k = 0; k < nsucc; k++) {
        const succ_t *s = &succ[k];
        int64_t c = s->kind == K_FIRE
            ? before_cov[TRANS_BASE(s->e) + s->t] + t->own[TRANS_BASE(s->e) + s->t]
            : before_ticks + t->own_ticks;
        uint64_t w = (UINT64_C(1) << 32) / (uint64_t)(1 + c);
        t->weight[k] = w ? w : 1;
        total += t->weight[k];
    }
    uint64_t r = sm_scale(sm_next(rng), total);
    for (size_t k = 0; k < nsucc; k++) {
        if (r < t->weight[k]) return (int64_t)k;
        r -= t->weight[k];
    }
    return (int64_t)nsucc - 1;  /* not reached: r < total */
}

/* keep the walk's run for each property it decided, when shorter than the one kept (or
 * as long, from a lower run) */
static void walk_keep(walker_t *t, int64_t run) {
    for (int p = 0; p <= NPROPS; p++) {
        int64_t len = t->dlen[p];
        best_t *b = &t->best[p];
        if (len < 0 || (b->len >= 0 && (b->len < len || (b->len == len && b->run < run))))
            continue;
        if ((size_t)len > b->cap) {
            int32_t *grown = realloc(b->moves, (size_t)len * 4);
            if (!grown) { t->nomem = 1; return; }
            b->moves = grown;
            b->cap = (size_t)len;
        }
        memcpy(b->moves, t->moves, (size_t)len * 4);
        b->len = len; b->run = run; b->status = t->dstatus[p];
    }
}

/* _Judge.walk: run `run`, at most walk_depth steps */
static void walk_one(walker_t *t, int64_t run) {
    int64_t S[NS], N[NS];
    uint64_t w[NW];
    uint64_t rng = sm_mix(sm_mix(walk_seed + WALK_GAMMA) ^ (uint64_t)run);
    int64_t steps = 0;
    int finished = 1;
    for (int p = 0; p <= NPROPS; p++) t->dlen[p] = -1;
    memset(t->own, 0, sizeof t->own);
    t->own_ticks = 0;
    initial(S);
    pack_overflow = 0;
    pack(S, w);
    if (pack_overflow) { t->unsupported = 1; return; }
    if (!fp_add(&t->seen, hash_words(w))) { t->nomem = 1; return; }
    walk_check_state(t, 0, S);
    for (int64_t step = 1; step <= walk_depth; step++) {
        if (step % 64 == 0 && *stop_flag) { finished = 0; break; }
        pack_overflow = 0;
        int rc = expand(S);
        if (pack_overflow || err_flag == E_UNSUPPORTED) { t->unsupported = 1; return; }
        if (rc == X_STOP) { finished = 0; break; }
        if (rc == X_NOMEM) { t->nomem = 1; return; }
        if (rc == X_ERROR) {  /* _error_move: the domains violation; nothing lies beyond */
            walk_decide(t, NPROPS, step - 1, P_VIOLATED);
            break;
        }
        if (nsucc == 0) {  /* a bound when blocked, else a deadlock unless terminal */
            if (!blocked && !is_terminal(S))
                for (int p = 0; p < NPROPS; p++)
                    if (PROP_KIND[p] == PK_DEADLOCK && walk_wants(t, p))
                        walk_decide(t, p, step - 1, P_VIOLATED);
            break;
        }
        int64_t k = walk_rare ? walk_rare_choice(t, &rng)
                              : (int64_t)sm_scale(sm_next(&rng), nsucc);
        if (k < 0) { t->nomem = 1; return; }
        const succ_t *s = &succ[k];
        t->moves[step - 1] = (int32_t)k;
        steps++;
        unpack(s->w, N);
        if (s->kind == K_FIRE) {  /* _on_fire: coverage, then the step properties */
            t->own[TRANS_BASE(s->e) + s->t]++;
            for (int p = 0; p < NPROPS; p++) {
                if (PROP_KIND[p] != PK_STEP || !walk_wants(t, p) || !step_selects(p, s->e, s->t))
                    continue;
                err_flag = 0;
                int64_t ok = eval_prop(p, N, s->segoff >= 0 ? S + s->segoff : NULL, s->e);
                if (err_flag == E_UNSUPPORTED) t->unsupported = 1;
                if (err_flag || !ok) walk_decide(t, p, step, P_VIOLATED);
            }
        } else {
            t->own_ticks++;
        }
        memcpy(S, N, sizeof S);
        if (!fp_add(&t->seen, s->h)) { t->nomem = 1; return; }
        walk_check_state(t, step, S);
        if (t->unsupported) return;
    }
    if (!finished) t->cut = 1;
    t->steps += steps;
    t->runs_done += finished;
    t->ticks += t->own_ticks;
    t->round_ticks += t->own_ticks;
    for (int i = 0; i < NCOV; i++) {
        t->cov[i] += t->own[i];
        t->round_cov[i] += t->own[i];
    }
    walk_keep(t, run);
}

/* take the round's runs one at a time until none is left or the walks must stop */
static void walk_round(walker_t *t) {
    for (;;) {
        if (t->unsupported || t->nomem || t->cut) return;
        int64_t run = __atomic_fetch_add(&next_run, 1, __ATOMIC_ACQ_REL);
        if (run >= round_end) return;
        walk_one(t, run);
    }
}

static void *walker_main(void *arg) {
    walker_t *t = arg;
    uint64_t seen = 0;
    /* this thread's successor buffer (runtime.c's, thread-local) */
    succ = NULL; nsucc = succ_cap = 0;
    for (;;) {
        pthread_mutex_lock(&wl_lock);
        while (wl_generation == seen && !wl_quit) pthread_cond_wait(&wl_go, &wl_lock);
        seen = wl_generation;
        int quit = wl_quit;
        pthread_mutex_unlock(&wl_lock);
        if (quit) break;
        walk_round(t);
        pthread_mutex_lock(&wl_lock);
        wl_finished++;
        pthread_cond_signal(&wl_done);
        pthread_mutex_unlock(&wl_lock);
    }
    free(succ); succ = NULL; succ_cap = 0;
    return NULL;
}

static void walks_release(void) {
    for (int64_t i = 0; walkers && i < nwalkers; i++) {
        free(walkers[i].seen.slot);
        free(walkers[i].moves);
        free(walkers[i].weight);
        for (int p = 0; p <= NPROPS; p++) free(walkers[i].best[p].moves);
    }
    free(walkers);
    walkers = NULL;
    nwalkers = 0;
    for (int p = 0; p <= NPROPS; p++) walk_result[p] = NULL;
}

/* Walk `runs` runs of at most `depth` steps from seed `seed` (rare: 1 for rare weighting)
 * in `threads` threads (the caller's included), judging the properties with
 * active_props[p] != 0 (and domain errors).  Results, in `out` (int64 each):
 *  0 runs done (not cut short), 1 steps, 2 distinct states seen, 3 stop code (S_NONE,
 *  S_EXTERNAL, S_MEMORY, S_UNSUPPORTED), 4 threads used, 5 time steps and other moves
 *  that fire no transition, then 3 per property and one for domains (status, the
 *  length of the run kept, its run index), then how often each transition fired.
 * `live`: runs done, steps, states seen (one thread's), updated after each round.  The
 * runs kept stay until tc_walks_free: tc_walk_moves reads them. */
int64_t tc_walks(const int32_t *active_props, uint64_t seed, int64_t runs, int64_t depth,
                 int32_t rare, int64_t threads, volatile int32_t *stop,
                 volatile int64_t *live, int64_t *out) {
    int stop_code = S_NONE;
    walks_release();
    if (depth < 1 || depth > INT32_MAX || runs < 0) {  /* a run's moves: int32 each */
        out[3] = S_UNSUPPORTED;
        return S_UNSUPPORTED;
    }
    walk_seed = seed; walk_runs = runs; walk_depth = depth; walk_rare = rare;
    walk_active = active_props;
    stop_flag = stop;
    memset(before_cov, 0, sizeof before_cov);
    before_ticks = 0;
    if (threads < 1) threads = 1;
    if (threads > WALK_MAX_THREADS) threads = WALK_MAX_THREADS;
    if (threads > runs) threads = runs > 0 ? runs : 1;
    walkers = calloc((size_t)threads, sizeof *walkers);
    if (!walkers) { out[3] = S_MEMORY; return S_MEMORY; }
    nwalkers = threads;
    for (int64_t i = 0; i < threads; i++) {
        for (int p = 0; p <= NPROPS; p++) walkers[i].best[p].len = -1;
        if (!(walkers[i].moves = malloc((size_t)(depth > 0 ? depth : 1) * 4))) {
            stop_code = S_MEMORY;
            nwalkers = i + 1;
            break;
        }
    }
    succ = NULL; nsucc = succ_cap = 0;  /* the calling thread's buffer, freed below */
    int64_t started = 1;
    wl_quit = 0;
    wl_generation = 0;
    for (; stop_code == S_NONE && started < nwalkers; started++)
        if (pthread_create(&walkers[started].tid, NULL, walker_main, &walkers[started])) break;
    int64_t round = walk_rare ? RARE_ROUND : UNIFORM_ROUND;
    for (int64_t first = 0; stop_code == S_NONE && first < runs; first += round) {
        if (*stop) { stop_code = S_EXTERNAL; break; }
        round_end = first + round < runs ? first + round : runs;
        __atomic_store_n(&next_run, first, __ATOMIC_RELEASE);
        pthread_mutex_lock(&wl_lock);
        wl_finished = 0;
        wl_generation++;
        pthread_cond_broadcast(&wl_go);
        pthread_mutex_unlock(&wl_lock);
        walk_round(&walkers[0]);
        pthread_mutex_lock(&wl_lock);
        while (wl_finished < started - 1) pthread_cond_wait(&wl_done, &wl_lock);
        pthread_mutex_unlock(&wl_lock);
        int64_t done = 0, steps = 0;
        for (int64_t i = 0; i < started; i++) {
            walker_t *t = &walkers[i];
            for (int c = 0; c < NCOV; c++) { before_cov[c] += t->round_cov[c]; t->round_cov[c] = 0; }
            before_ticks += t->round_ticks;
            t->round_ticks = 0;
            if (t->unsupported) stop_code = S_UNSUPPORTED;
            else if (t->nomem && stop_code != S_UNSUPPORTED) stop_code = S_MEMORY;
            else if (t->cut && stop_code == S_NONE) stop_code = S_EXTERNAL;
            done += t->runs_done;
            steps += t->steps;
        }
        live[0] = done; live[1] = steps; live[2] = (int64_t)walkers[0].seen.count;
    }
    pthread_mutex_lock(&wl_lock);
    wl_quit = 1;
    pthread_cond_broadcast(&wl_go);
    pthread_mutex_unlock(&wl_lock);
    for (int64_t i = 1; i < started; i++) pthread_join(walkers[i].tid, NULL);
    free(succ); succ = NULL; succ_cap = 0;
    /* merge: totals, the union of the states seen, the run kept per property */
    int64_t done = 0, steps = 0, ticks = 0, cov[NCOV + 1];
    memset(cov, 0, sizeof cov);
    for (int64_t i = 0; i < nwalkers; i++) {
        walker_t *t = &walkers[i];
        done += t->runs_done; steps += t->steps; ticks += t->ticks;
        for (int c = 0; c < NCOV; c++) cov[c] += t->cov[c];
        if (i > 0)
            for (size_t j = 0; t->seen.slot && j <= t->seen.mask; j++)
                if (t->seen.slot[j] && !fp_add(&walkers[0].seen, t->seen.slot[j])
                    && stop_code == S_NONE) stop_code = S_MEMORY;
        for (int p = 0; p <= NPROPS; p++) {
            best_t *b = &t->best[p], *kept = walk_result[p];
            if (b->len >= 0 && (!kept || b->len < kept->len
                                || (b->len == kept->len && b->run < kept->run)))
                walk_result[p] = b;
        }
    }
    out[0] = done; out[1] = steps; out[2] = (int64_t)walkers[0].seen.count;
    out[3] = stop_code; out[4] = started; out[5] = ticks;
    for (int p = 0; p <= NPROPS; p++) {
        best_t *b = walk_result[p];
        out[6 + 3 * p] = b ? b->status : P_NONE;
        out[7 + 3 * p] = b ? b->len : -1;
        out[8 + 3 * p] = b ? b->run : -1;
    }
    for (int c = 0; c < NCOV; c++) out[6 + 3 * (NPROPS + 1) + c] = cov[c];
    return stop_code;
}

/* the successors taken by the run kept for property p (NPROPS: domains), written when
 * they fit in `room`; returns how many there are (-1: none kept) */
int64_t tc_walk_moves(int64_t p, int32_t *moves, int64_t room) {
    best_t *b = p >= 0 && p <= NPROPS ? walk_result[p] : NULL;
    if (!b) return -1;
    if (b->len <= room) memcpy(moves, b->moves, (size_t)b->len * 4);
    return b->len;
}

void tc_walks_free(void) { walks_release(); }
