/* The breadth-first search itself (after the generated model functions), mirroring
 * tcpcheck.explicit.checker._Explorer.run for safety properties, with one or more
 * counterexamples each.  States are numbered in the order found, which is breadth-first order, so the
 * queue is the range [current, nstates) and depths grow with the index. */

/* NW words per state, in blocks that never move: the parallel search's threads read
 * stored states while the committing thread stores more */
#define BLOCK_BITS 16
#define BLOCK_STATES ((size_t)1 << BLOCK_BITS)
static uint64_t *packed_block[(UINT64_C(1) << 32) >> BLOCK_BITS];
#define PACKED(i) (packed_block[(size_t)(i) >> BLOCK_BITS] + ((size_t)(i) & (BLOCK_STATES - 1)) * NW)
static uint32_t *parent_of;    /* the state it was found from (state 0: itself) */
static uint32_t *action_of;    /* its index in the parent's successor list */
static size_t nstates, states_cap;
/* The visited set: open addressing with linear probing over 32-bit slots, 0 = empty.  A
 * slot holds the state's index + 1 in its low `idx_bits` bits (log2 of the table's size:
 * the load stays under LOAD_NUM / LOAD_DEN, so the index fits) and, above them, the next
 * bits of the state's hash: a probe that meets another state compares those, not the
 * packed words (which lie elsewhere in memory, a cache miss each). */
static uint32_t *table;
static size_t table_mask;
static int idx_bits;
static uint32_t idx_field;
/* check --storage (docs/storage.md): exact keeps every state's words; the approximate
 * modes keep the words of queued states only (the blocks below the state being expanded
 * are unmapped) and compare instead: hashcompact, the state's 64-bit hash (its
 * fingerprint, FP(index), in blocks that never move, as the words: the table's slot and
 * tag come from it too); bitstate, 3 bits of a 2^bitstate_bits bit array (no table; a
 * state whose bits are all set counts as visited, so find() answers 0 for "stored before,
 * which unknown").  Both hash with the run's salt (--hash-seed), and both run the
 * parallel search as exact storage does, with the same results for any number of threads. */
#define ST_EXACT 0
#define ST_HASHCOMPACT 1
#define ST_BITSTATE 2
static int64_t storage_wanted = ST_EXACT, bitstate_bits = 27;
static int64_t storage_mode = ST_EXACT;  /* the run's (set from storage_wanted) */
static uint64_t salt_wanted;              /* runtime.c's hash_salt for the next runs */
static uint64_t *fp_block[(UINT64_C(1) << 32) >> BLOCK_BITS];  /* hashcompact: fingerprints */
#define FP(i) fp_block[(size_t)(i) >> BLOCK_BITS][(size_t)(i) & (BLOCK_STATES - 1)]
static uint64_t *bit_array;               /* bitstate */
static size_t freed_blocks;               /* approximate: blocks [0, freed_blocks) unmapped */
#define LOAD_NUM 3  /* grow when more than 3/4 full: with the tags, a longer probe in the */
#define LOAD_DEN 4  /* same cache line costs little, and the table is a third smaller */

/* --counterexamples (see violated() below) */
static int64_t ncx = 1;
static int64_t *wit[NPROPS + 1];        /* 3 per run kept: kind, state or parent, action */
static int64_t nwit[NPROPS + 1], wit_cap[NPROPS + 1];
static uint8_t *broken[NPROPS + 1];     /* one byte per state */
static uint32_t *skel_of;               /* per state, the action that found it, no values */

static int64_t prop_status[NPROPS + 1], prop_wkind[NPROPS + 1], prop_index[NPROPS + 1],
               prop_action[NPROPS + 1];
static const int32_t *active;

static inline uint32_t tag_of(uint64_t h) {
    return idx_bits >= 32 ? 0 : (uint32_t)(h >> 32) << idx_bits;
}

static int table_grow(void) {
    size_t size = table_mask ? (table_mask + 1) * 2 : 1 << 16;
    uint32_t *grown = calloc(size, sizeof *grown);
    if (!grown) return 0;
    free(table);
    table = grown;
    table_mask = size - 1;
    idx_bits = __builtin_ctzll(size);
    idx_field = idx_bits >= 32 ? UINT32_MAX : (UINT32_C(1) << idx_bits) - 1;
    for (size_t i = 0; i < nstates; i++) {
        uint64_t h = storage_mode == ST_HASHCOMPACT ? FP(i) : hash_words(PACKED(i));
        size_t at = h & table_mask;
        while (table[at]) at = (at + 1) & table_mask;
        table[at] = (uint32_t)(i + 1) | tag_of(h);
    }
    return 1;
}

/* bitstate: the k-th of the 3 bits of hash h (double hashing, the step made odd) */
static inline size_t bit_of(uint64_t h, int k) {
    uint64_t step = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ull;
    step = (step ^ (step >> 32)) | 1;
    return (size_t)((h + (uint64_t)k * step) & (((uint64_t)1 << bitstate_bits) - 1));
}

/* The parallel search's threads read the array while the committing thread sets bits
 * (it alone writes: a relaxed load and store, no locked instruction).  A state whose bits
 * a thread finds all set was stored by an earlier parent, so the commit, which comes
 * later and sees at least those bits, would find it too: the results are the one-thread
 * results, whatever the number of threads. */
static int64_t bit_find(uint64_t h) {
    for (int k = 0; k < 3; k++) {
        size_t b = bit_of(h, k);
        if (!(__atomic_load_n(&bit_array[b >> 6], __ATOMIC_RELAXED) >> (b & 63) & 1))
            return -1;
    }
    return 0;
}

static void bit_set(uint64_t h) {
    for (int k = 0; k < 3; k++) {
        size_t b = bit_of(h, k);
        uint64_t word = __atomic_load_n(&bit_array[b >> 6], __ATOMIC_RELAXED);
        __atomic_store_n(&bit_array[b >> 6], word | (uint64_t)1 << (b & 63), __ATOMIC_RELAXED);
    }
}

/* the index of the state packed as w (hash h), or -1 with *slot where it would go */
static int64_t find(const uint64_t *w, uint64_t h, size_t *slot) {
    if (__builtin_expect(storage_mode == ST_BITSTATE, 0)) return bit_find(h);
    size_t at = h & table_mask;
    uint32_t tag = tag_of(h), v;
    /* acquire: a slot another thread filled meanwhile comes with its state's words */
    while ((v = __atomic_load_n(&table[at], __ATOMIC_ACQUIRE))) {
        if ((v & ~idx_field) == tag) {
            uint32_t i = (v & idx_field) - 1;
            if (__builtin_expect(storage_mode == ST_HASHCOMPACT, 0) ? FP(i) == h
                : memcmp(PACKED(i), w, NW * 8) == 0) return i;
        }
        at = (at + 1) & table_mask;
    }
    *slot = at;
    return -1;
}

/* One state's expansion: its successors (a buffer of its own) and how expand() ended.
 * The search expands the next state in the queue before it looks up the successors of
 * the current one (when the next one is known), so that the memory those lookups need
 * (asked for when each successor is made) arrives meanwhile; what an expansion found
 * (an error, a stop, blocked) only counts once the search comes to that state. */
typedef struct {
    int64_t index;  /* the state expanded, -1: none */
    int rc, err, overflow, blocked;
    succ_t *succ;
    size_t nsucc, cap;
    int64_t S[NS];  /* the state unpacked (received segments lie in it) */
    int64_t *seen;  /* parallel search: per successor, its index when stored before the
                     * batch, else -1 (looked up again at the commit) */
    size_t seen_cap;
} expansion_t;

static expansion_t expansions[2];

static void expand_state(expansion_t *x, size_t index) {
    succ = x->succ; succ_cap = x->cap;
    pack_overflow = 0;
    unpack(PACKED(index), x->S);
    x->rc = expand(x->S);
    x->err = err_flag; x->overflow = pack_overflow; x->blocked = blocked;
    x->succ = succ; x->cap = succ_cap; x->nsucc = nsucc;
    x->index = (int64_t)index;
    for (size_t k = 0; k < x->nsucc; k++) {  /* the slots the lookups will probe first */
        if (storage_mode == ST_BITSTATE) __builtin_prefetch(&bit_array[bit_of(x->succ[k].h, 0) >> 6]);
        else __builtin_prefetch(&table[x->succ[k].h & table_mask]);
    }
}

/* then, a state later, the states in those slots whose tags match (the slots have
 * arrived by now) */
static void prefetch_matches(const expansion_t *x) {
    if (storage_mode != ST_EXACT) return;
    for (size_t k = 0; k < x->nsucc; k++) {
        uint32_t v = __atomic_load_n(&table[x->succ[k].h & table_mask], __ATOMIC_ACQUIRE);
        if (v && (v & ~idx_field) == tag_of(x->succ[k].h))
            __builtin_prefetch(PACKED((v & idx_field) - 1));
    }
}

/* ---- the parallel search (check --workers N, docs/parallel.md) ---------------------- */
/* The queue is cut into batches of stored parents.  The threads (the search's own
 * included) take chunks of a batch, expand each parent into a record of its own and look
 * its successors up in the visited table; then the search's thread commits the batch
 * alone, parent by parent and successor by successor, with the sequential loop body, so
 * every stop, count, parent link and witness is the sequential run's, whatever the
 * number of threads.  A successor found stored is final (a slot, once filled, keeps its
 * state, and only earlier parents store states); one not found is looked up again at the
 * commit (an earlier parent of the batch may have stored it).
 *
 * While the search's thread commits a batch, the other threads expand the next one
 * (then the search's thread joins them): their lookups run beside the commit's inserts,
 * which is safe because a slot goes once from empty to final (release / acquire), stored
 * states never move (blocks), and the table only grows between batches, by as much as
 * the next commit may add (table_reserve). */
#include <pthread.h>

#define BATCH 1024        /* parents per batch: 4,096 cost about 5% more CPU (records out of cache) */
#define CHUNK 32          /* parents a thread takes at a time */
#define MAX_WORKERS 256

typedef struct {
    expansion_t *rec;     /* BATCH records, their buffers kept from batch to batch */
    size_t base, len, chunks;
    uint64_t ticket;      /* generation << 32 | the next chunk to take */
    size_t done;          /* chunks finished */
    uint32_t generation;
} batch_t;

static int64_t workers_wanted = 1, workers_ran = 1;
static pthread_t worker_tid[MAX_WORKERS];
static pthread_mutex_t wk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wk_go = PTHREAD_COND_INITIALIZER, wk_done = PTHREAD_COND_INITIALIZER;
static uint32_t wk_generation;       /* one more per batch handed out */
static batch_t *wk_published;        /* the batch handed out last */
static int wk_quit;
static batch_t batches[2];
static batch_t *current_batch, *next_batch;  /* being committed; being expanded, or NULL */

/* the read-only lookups of one expansion's successors */
static void lookup_all(expansion_t *x) {
    if (x->rc != 0) return;  /* the commit stops or takes no successor there */
    if (x->nsucc > x->seen_cap) {
        size_t cap = x->nsucc * 2;
        int64_t *grown = realloc(x->seen, cap * 8);
        if (!grown) { x->rc = X_NOMEM; return; }
        x->seen = grown;
        x->seen_cap = cap;
    }
    size_t slot;
    for (size_t k = 0; k < x->nsucc; k++) x->seen[k] = find(x->succ[k].w, x->succ[k].h, &slot);
}

static void work_chunk(batch_t *b, size_t from, size_t to) {
    /* as the sequential search, memory asked for ahead: a parent's expansion asks for
     * its successors' slots, a parent later the states in those slots, and a parent
     * later still its successors are looked up */
    for (size_t i = from; i < to + 2; i++) {
        if (i < to) expand_state(&b->rec[i], b->base + i);
        if (i >= from + 1 && i - 1 < to) prefetch_matches(&b->rec[i - 1]);
        if (i >= from + 2) lookup_all(&b->rec[i - 2]);
    }
}

/* take chunks of batch b (of generation g) while there are: the ticket holds the
 * generation, so a thread late for a batch never takes a chunk of a later one */
static void work_on(batch_t *b, uint32_t g) {
    for (;;) {
        uint64_t t = __atomic_load_n(&b->ticket, __ATOMIC_ACQUIRE);
        size_t c = (size_t)(uint32_t)t;
        if ((uint32_t)(t >> 32) != g || c >= __atomic_load_n(&b->chunks, __ATOMIC_RELAXED)) return;
        if (!__atomic_compare_exchange_n(&b->ticket, &t, t + 1, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) continue;
        size_t from = c * CHUNK, to = from + CHUNK < b->len ? from + CHUNK : b->len;
        work_chunk(b, from, to);
        if (__atomic_add_fetch(&b->done, 1, __ATOMIC_ACQ_REL) == b->chunks) {
            pthread_mutex_lock(&wk_lock);
            pthread_cond_broadcast(&wk_done);
            pthread_mutex_unlock(&wk_lock);
        }
    }
}

static void *worker_main(void *first_generation) {
    uint32_t seen = (uint32_t)(uintptr_t)first_generation;
    for (;;) {
        pthread_mutex_lock(&wk_lock);
        while (wk_generation == seen && !wk_quit) pthread_cond_wait(&wk_go, &wk_lock);
        seen = wk_generation;
        batch_t *b = wk_published;
        int quit = wk_quit;
        pthread_mutex_unlock(&wk_lock);
        if (quit) return NULL;
        work_on(b, seen);
    }
}

/* the threads of one run: as many as wanted, one when liveness.c records the graph (it
 * follows the sequential order of expansions) or when no thread can be started */
static void workers_start(void) {
    workers_ran = 1;
    current_batch = next_batch = NULL;
    if (workers_wanted <= 1 || live_on) return;
    int64_t n = workers_wanted < MAX_WORKERS ? workers_wanted : MAX_WORKERS;
    wk_quit = 0;
    for (; workers_ran < n; workers_ran++)
        if (pthread_create(&worker_tid[workers_ran], NULL, worker_main,
                           (void *)(uintptr_t)wk_generation)) break;
}

static void workers_stop(void) {
    if (workers_ran <= 1) return;
    pthread_mutex_lock(&wk_lock);
    wk_quit = 1;
    pthread_cond_broadcast(&wk_go);
    pthread_mutex_unlock(&wk_lock);
    for (int64_t i = 1; i < workers_ran; i++) pthread_join(worker_tid[i], NULL);
}

/* hand parents [base, base + len) out as batch b; 0 when memory ran out */
static int publish(batch_t *b, size_t base, size_t len) {
    if (!b->rec && !(b->rec = calloc(BATCH, sizeof *b->rec))) return 0;
    pthread_mutex_lock(&wk_lock);
    b->generation = ++wk_generation;
    b->base = base;
    b->len = len;
    b->chunks = (len + CHUNK - 1) / CHUNK;
    b->done = 0;
    __atomic_store_n(&b->ticket, (uint64_t)b->generation << 32, __ATOMIC_RELEASE);
    wk_published = b;
    pthread_cond_broadcast(&wk_go);
    pthread_mutex_unlock(&wk_lock);
    return 1;
}

/* join the threads on batch b until it is all expanded and looked up */
static void finish(batch_t *b) {
    work_on(b, b->generation);
    pthread_mutex_lock(&wk_lock);
    while (__atomic_load_n(&b->done, __ATOMIC_ACQUIRE) < b->chunks)
        pthread_cond_wait(&wk_done, &wk_lock);
    pthread_mutex_unlock(&wk_lock);
}

/* room in the table for `more` states beyond those stored, grown now: no thread looks
 * anything up while it moves */
static int table_reserve(size_t more) {
    while ((nstates + more) * LOAD_DEN > (table_mask + 1) * LOAD_NUM)
        if (!table_grow()) return 0;
    return 1;
}

/* the expansion of parent `current` (its lookups done), from the batch being committed,
 * else from the next batch (finished first), else from a new one; the next batch, up to
 * `limit` (the level's end under a depth bound) goes out before the commit starts.  NULL
 * when memory ran out. */
static expansion_t *batch_expansion(size_t current, size_t limit) {
    batch_t *b = current_batch;
    if (b && current >= b->base && current < b->base + b->len) return &b->rec[current - b->base];
    if (limit > nstates) limit = nstates;
    if (next_batch && next_batch->base == current) b = next_batch;
    else {  /* none ready (the first, a level's first under a depth bound) */
        if (next_batch) finish(next_batch);  /* not the one wanted: let it end first */
        b = current_batch == &batches[0] ? &batches[1] : &batches[0];
        if (!publish(b, current, limit - current < BATCH ? limit - current : BATCH))
            return NULL;
    }
    finish(b);
    current_batch = b;
    next_batch = NULL;
    size_t more = 0;  /* the states its commit may add */
    for (size_t i = 0; i < b->len; i++) more += b->rec[i].rc == 0 ? b->rec[i].nsucc : 0;
    if (storage_mode != ST_BITSTATE && !table_reserve(more)) return NULL;  /* bitstate: no table */
    size_t end = b->base + b->len;
    if (end < limit) {
        next_batch = b == &batches[0] ? &batches[1] : &batches[0];
        if (!publish(next_batch, end, limit - end < BATCH ? limit - end : BATCH)) return NULL;
    }
    return &b->rec[0];
}

/* The commit reads records another thread wrote (in its cache, not this one's): ask for
 * them a few parents ahead, the record first, then its successors and lookups, then the
 * table slots that the successors not found will be looked up in again. */
static void batch_prefetch(size_t current) {
    const batch_t *b = current_batch;
    size_t i = current - b->base;
    if (i + 3 < b->len) {
        __builtin_prefetch(&b->rec[i + 3]);
        __builtin_prefetch((const char *)&b->rec[i + 3] + 64);
    }
    if (i + 2 < b->len) {
        const expansion_t *y = &b->rec[i + 2];
        for (size_t at = 0; at < y->nsucc * sizeof *y->succ; at += 64)
            __builtin_prefetch((const char *)y->succ + at);
        for (size_t at = 0; at < y->nsucc * 8; at += 64)
            __builtin_prefetch((const char *)y->seen + at);
    }
    if (i + 1 < b->len && b->rec[i + 1].rc == 0) {
        const expansion_t *y = &b->rec[i + 1];
        for (size_t k = 0; k < y->nsucc; k++)
            if (y->seen[k] < 0) __builtin_prefetch(&table[y->succ[k].h & table_mask]);
    }
}

static void batch_release(void) {
    for (int n = 0; n < 2; n++) {
        batch_t *b = &batches[n];
        if (b->rec)
            for (size_t i = 0; i < BATCH; i++) { free(b->rec[i].succ); free(b->rec[i].seen); }
        free(b->rec);
        b->rec = NULL;
        b->len = b->chunks = 0;
    }
    current_batch = next_batch = NULL;
}

#include <sys/mman.h>

/* a block of packed words: mapped apart in the approximate modes, so that a block freed
 * once expanded goes back to the system (malloc might keep it) */
static uint64_t *block_alloc(void) {
    if (storage_mode == ST_EXACT) return malloc(BLOCK_STATES * NW * 8);
    void *m = mmap(NULL, BLOCK_STATES * NW * 8, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

static void block_free(size_t b) {
    if (!packed_block[b]) return;
    if (storage_mode == ST_EXACT) free(packed_block[b]);
    else munmap(packed_block[b], BLOCK_STATES * NW * 8);
    packed_block[b] = NULL;
}

/* approximate: the blocks wholly before state `current` were expanded, never read again */
static void free_expanded(size_t current) {
    for (; freed_blocks < current >> BLOCK_BITS; freed_blocks++) block_free(freed_blocks);
}

/* add_state's end in an approximate mode: the state's fingerprint or bits, no words kept
 * beyond the queue */
static int add_approximate(uint64_t h, size_t slot) {
    if (storage_mode == ST_BITSTATE) {
        bit_set(h);
        nstates++;
        return 1;
    }
    if (!fp_block[nstates >> BLOCK_BITS] &&
        !(fp_block[nstates >> BLOCK_BITS] = malloc(BLOCK_STATES * 8))) return 0;
    FP(nstates) = h;
    /* release: a thread that reads the slot finds the fingerprint (as add_state's words) */
    __atomic_store_n(&table[slot], (uint32_t)(nstates + 1) | tag_of(h), __ATOMIC_RELEASE);
    nstates++;
    /* the parallel search grows the table between batches only (table_reserve) */
    if (workers_ran == 1 && nstates * LOAD_DEN > (table_mask + 1) * LOAD_NUM) return table_grow();
    return 1;
}

static int add_state(const uint64_t *w, uint64_t h, size_t slot, uint32_t parent,
                     uint32_t action) {
    if (nstates >= UINT32_MAX - 1) return 0;  /* indices are 32 bits: report it as memory */
    if (nstates == states_cap) {
        size_t cap = states_cap ? states_cap * 2 : 1 << 16;
        uint32_t *q = realloc(parent_of, cap * 4);
        if (!q) return 0;
        parent_of = q;
        q = realloc(action_of, cap * 4);
        if (!q) return 0;
        action_of = q;
        if (ncx > 1) {
            q = realloc(skel_of, cap * 4);
            if (!q) return 0;
            skel_of = q;
            for (int p = 0; p < NPROPS; p++) {
                uint8_t *b = realloc(broken[p], cap);
                if (!b) return 0;
                memset(b + states_cap, 0, cap - states_cap);
                broken[p] = b;
            }
        }
        states_cap = cap;
    }
    if (!packed_block[nstates >> BLOCK_BITS] &&
        !(packed_block[nstates >> BLOCK_BITS] = block_alloc())) return 0;
    memcpy(PACKED(nstates), w, NW * 8);
    parent_of[nstates] = parent;
    action_of[nstates] = action;
    if (__builtin_expect(storage_mode != ST_EXACT, 0)) return add_approximate(h, slot);
    /* release: whoever reads the slot finds the words (the parallel search reads it) */
    __atomic_store_n(&table[slot], (uint32_t)(nstates + 1) | tag_of(h), __ATOMIC_RELEASE);
    nstates++;
    /* the parallel search grows the table between batches only (table_reserve) */
    if (workers_ran == 1 && nstates * LOAD_DEN > (table_mask + 1) * LOAD_NUM) {
        if (!table_grow()) return 0;
    }
    return 1;
}

/* ---- several counterexamples (checker._violated, _shape, _revisit) ------------------ */
/* With ncx > 1 a violated property keeps up to ncx runs that break it in different ways
 * (their sequences of actions without values, "shapes", differ), and marks the states
 * where it is broken: a run through one of them is no new way, and an edge into one is a
 * run to consider.  Nothing of this is allocated with ncx == 1. */
static int32_t *keys[NPROPS + 1];       /* the shapes kept, each as its length then codes */
static size_t keys_len[NPROPS + 1], keys_cap[NPROPS + 1];
static uint32_t *shape_buf;
static size_t shape_cap;
static int pending[NPROPS + 1];         /* broken in a successor not stored yet */
static int nomem;

/* checker._skeleton as a number: the kind, and the endpoint and transition of a firing,
 * the endpoint or direction of a discard, loss or duplication, nothing for a tick */
static inline uint32_t skeleton(const succ_t *s) {
    if (s->kind == K_FIRE) return (1u << 28) | ((uint32_t)s->e << 20) | (uint32_t)s->t;
    if (s->kind == K_TICK) return (uint32_t)K_TICK << 28 | 1u << 27;
    return ((uint32_t)s->kind << 28) | (1u << 27) | (uint32_t)s->e;
}

static inline int is_broken(int p, int64_t index) { return ncx > 1 && broken[p][index]; }

static inline int wants(int p) {
    if (!active[p]) return 0;
    if (prop_status[p] == P_NONE) return 1;
    return prop_status[p] == P_VIOLATED && PROP_KIND[p] != PK_GOAL && nwit[p] < ncx;
}

static void keep_witness(int p, int64_t wkind, int64_t index, int64_t action) {
    if (nwit[p] == wit_cap[p]) {
        int64_t cap = wit_cap[p] ? wit_cap[p] * 2 : 4;
        int64_t *grown = realloc(wit[p], (size_t)cap * 3 * 8);
        if (!grown) { nomem = 1; return; }
        wit[p] = grown;
        wit_cap[p] = cap;
    }
    wit[p][3 * nwit[p]] = wkind;
    wit[p][3 * nwit[p] + 1] = index;
    wit[p][3 * nwit[p] + 2] = action;
    nwit[p]++;
}

/* _shape: the run to `index` (then `last`), or -1 when it passes through a state where p
 * is broken already; the shape is left in shape_buf, its length returned */
static int64_t shape(int p, int64_t index, uint32_t last) {
    size_t len = 0;
    for (int64_t i = index; ; i = parent_of[i]) {
        if (len + 2 > shape_cap) {
            size_t cap = shape_cap ? shape_cap * 2 : 256;
            uint32_t *grown = realloc(shape_buf, cap * 4);
            if (!grown) { nomem = 1; return -1; }
            shape_buf = grown;
            shape_cap = cap;
        }
        if (i == index) { if (last) shape_buf[len++] = last; }
        if (i <= 0) break;
        if (broken[p][i]) return -1;
        shape_buf[len++] = skel_of[i];
    }
    return (int64_t)len;
}

static int known_shape(int p, int64_t len) {
    for (size_t at = 0; at < keys_len[p]; at += 1 + (size_t)keys[p][at])
        if (keys[p][at] == len && memcmp(keys[p] + at + 1, shape_buf, (size_t)len * 4) == 0)
            return 1;
    return 0;
}

static void keep_shape(int p, int64_t len) {
    if (keys_len[p] + 1 + (size_t)len > keys_cap[p]) {
        size_t cap = (keys_cap[p] + 1 + (size_t)len) * 2;
        int32_t *grown = realloc(keys[p], cap * 4);
        if (!grown) { nomem = 1; return; }
        keys[p] = grown;
        keys_cap[p] = cap;
    }
    keys[p][keys_len[p]] = (int32_t)len;
    memcpy(keys[p] + keys_len[p] + 1, shape_buf, (size_t)len * 4);
    keys_len[p] += 1 + (size_t)len;
}

/* _violated: the run `wkind` 0 (to state `index`) or 1 (from `index` by its successor
 * `action`, whose skeleton is `last`) breaks p; `target` is the state where it is broken
 * (-1: a successor not stored yet, marked once it is) */
static void violated(int p, int64_t wkind, int64_t index, int64_t action, uint32_t last,
                     int64_t target) {
    if (prop_status[p] == P_NONE) {
        prop_status[p] = P_VIOLATED;
        prop_wkind[p] = wkind;
        prop_index[p] = index;
        prop_action[p] = action;
        keep_witness(p, wkind, index, action);
        if (ncx > 1) keep_shape(p, shape(p, index, last));
    } else if (ncx > 1) {
        int64_t len = shape(p, index, last);
        if (len >= 0 && !known_shape(p, len)) {
            keep_witness(p, wkind, index, action);
            keep_shape(p, len);
        }
    }
    if (ncx > 1) {
        if (target >= 0) broken[p][target] = 1;
        else pending[p] = 1;
    }
}

static int unsupported;  /* a value int64 cannot follow Python on: abandon the run */

/* whether a new state has an invariant or a goal to be checked in it (else it need not
 * be unpacked: a model with only step properties checks none) */
static int state_wanted(void) {
    for (int p = 0; p < NPROPS; p++)
        if ((PROP_KIND[p] == PK_INVARIANT && wants(p)) ||
            (PROP_KIND[p] == PK_GOAL && active[p] && prop_status[p] == P_NONE)) return 1;
    return 0;
}

/* _check_state: invariants, then goals (an evaluation error breaks either) */
static void check_state(int64_t index, const int64_t *S) {
    if (live_on && live_state(index, S)) unsupported = 1;  /* liveness.c */
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_INVARIANT || !wants(p)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag || !ok) violated(p, 0, index, -1, 0, index);
    }
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_GOAL || !active[p] || prop_status[p] != P_NONE) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, S, NULL, -1);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag) violated(p, 0, index, -1, 0, index);
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
                    const int64_t *S, int64_t target) {
    for (int p = 0; p < NPROPS; p++) {
        if (PROP_KIND[p] != PK_STEP || !wants(p) || !step_selects(p, s->e, s->t)) continue;
        err_flag = 0;
        int64_t ok = eval_prop(p, N, s->segoff >= 0 ? S + s->segoff : NULL, s->e);
        if (err_flag == E_UNSUPPORTED) unsupported = 1;
        if (err_flag || !ok) violated(p, 1, parent, k, skeleton(s), target);
    }
}

static int all_decided(int stop_when_decided, int64_t domains_status) {
    int any = 0, failing = 0;
    if (!stop_when_decided) return 0;
    for (int p = 0; p < NPROPS; p++) {
        if (!active[p]) continue;
        any = 1;
        if (wants(p)) return 0;
        if (prop_status[p] == P_VIOLATED) failing = 1;
    }
    return any && (domains_status || failing);
}

/* _revisit: an edge into a stored state where an invariant or deadlock-freedom is broken
 * may be another way to break it */
static void revisit(int64_t parent, int64_t k, const succ_t *s, int64_t seen) {
    for (int pass = 0; pass < 2; pass++)
        for (int p = 0; p < NPROPS; p++)
            if (PROP_KIND[p] == (pass ? PK_DEADLOCK : PK_INVARIANT) && broken[p][seen] && wants(p))
                violated(p, 1, parent, k, skeleton(s), seen);
}

static void release(void) {
    /* an approximate run frees the blocks it expanded: the others lie up to nstates */
    for (size_t b = 0; b < sizeof packed_block / sizeof *packed_block
                       && (packed_block[b] || b < freed_blocks || b <= nstates >> BLOCK_BITS); b++)
        block_free(b);
    freed_blocks = 0;
    for (size_t b = 0; b < sizeof fp_block / sizeof *fp_block && fp_block[b]; b++) {
        free(fp_block[b]);
        fp_block[b] = NULL;
    }
    free(bit_array); bit_array = NULL;
    free(parent_of); free(action_of); free(table);
    parent_of = action_of = NULL; table = NULL; succ = NULL;
    for (int i = 0; i < 2; i++) {
        free(expansions[i].succ);
        expansions[i].succ = NULL; expansions[i].cap = expansions[i].nsucc = 0;
        expansions[i].index = -1;
    }
    free(skel_of); skel_of = NULL; free(shape_buf); shape_buf = NULL; shape_cap = 0;
    for (int p = 0; p <= NPROPS; p++) {
        free(wit[p]); wit[p] = NULL; nwit[p] = wit_cap[p] = 0;
        free(broken[p]); broken[p] = NULL;
        free(keys[p]); keys[p] = NULL; keys_len[p] = keys_cap[p] = 0;
        pending[p] = 0;
    }
    live_release();
    batch_release();
    nomem = 0;
    nstates = states_cap = table_mask = 0;
    idx_bits = 0; idx_field = 0;
    nsucc = succ_cap = 0;
}

/* Results, in `out` (int64 each):
 *  0 states, 1 transitions, 2 diameter, 3 stop code, 4 depth cut, 5 queue left,
 *  6 cut short (a domain error), 7 capacity-blocked states, 8 domains violated,
 *  9 its state, then 4 per property (status, witness kind 0 state / 1 firing, index,
 *  action index), then how often each transition fired (endpoint 0's, then 1's).
 * `live`: states, transitions, depth, queue, updated as it goes (for progress). */
int64_t tc_run(const int32_t *active_props, int64_t max_states, int64_t max_depth,
               int32_t stop_when_decided, int64_t counterexamples, volatile int32_t *stop,
               volatile int64_t *live, int64_t *out) {
    int64_t S[NS], N[NS];
    uint64_t w[NW];
    int64_t transitions = 0, diameter = 0, depth = 0, level_end = 1, capacity_blocked = 0;
    int64_t domains_status = 0, domains_state = -1, coverage[NCOV];
    int stop_code = S_NONE, depth_cut = 0, cut_short = 0;
    size_t current = 0, slot;
    expansion_t *x = &expansions[0], *ahead = &expansions[1];

    release();
    storage_mode = storage_wanted;
    hash_salt = salt_wanted;
    ncx = counterexamples > 1 ? counterexamples : 1;
    active = active_props;
    stop_flag = stop;
    unsupported = 0;
    pack_overflow = 0;
    memset(coverage, 0, sizeof coverage);
    for (int p = 0; p <= NPROPS; p++) prop_status[p] = prop_wkind[p] = prop_index[p] = prop_action[p] = 0;
    workers_start();
    if (!table_grow()) { stop_code = S_MEMORY; goto done; }
    if (storage_mode == ST_BITSTATE &&
        !(bit_array = calloc(((size_t)1 << bitstate_bits) / 64 + 1, 8))) {
        stop_code = S_MEMORY; goto done;
    }
    initial(S);
    pack(S, w);
    if (pack_overflow) unsupported = 1;
    find(w, hash_words(w), &slot);
    if (!add_state(w, hash_words(w), slot, 0, 0)) { stop_code = S_MEMORY; goto done; }
    check_state(0, S);
    if (*stop) stop_code = S_EXTERNAL;
    while (current < nstates && stop_code == S_NONE && !unsupported) {
        if (all_decided(stop_when_decided, domains_status)) { stop_code = S_DECIDED; break; }
        if (current >= (size_t)level_end) { depth++; level_end = (int64_t)nstates; }
        if (max_depth >= 0 && depth >= max_depth) { depth_cut = 1; current++; continue; }
        if (storage_mode != ST_EXACT) free_expanded(current);
        if (workers_ran > 1) {  /* the parallel search: expanded and looked up already */
            x = batch_expansion(current, max_depth >= 0 ? (size_t)level_end : nstates);
            if (!x) { stop_code = S_MEMORY; break; }
        } else if (x->index != (int64_t)current) expand_state(x, current);
        int rc = x->rc;
        if (x->overflow || (rc == 0 && x->err == E_UNSUPPORTED)) { unsupported = 1; break; }
        if (rc == X_STOP) { stop_code = S_EXTERNAL; break; }
        if (rc == X_NOMEM) { stop_code = S_MEMORY; break; }
        if (rc == X_ERROR) {
            if (x->err == E_UNSUPPORTED) { unsupported = 1; break; }
            if (!domains_status) { domains_status = 1; domains_state = (int64_t)current; }
            cut_short = 1;  /* its successors are unknown: nothing may be claimed to hold */
            x->nsucc = 0;
        } else if (x->nsucc == 0 && x->blocked) {
            capacity_blocked++;  /* a bound, not a deadlock */
        } else if (x->nsucc == 0 && !is_terminal(x->S)) {
            for (int p = 0; p < NPROPS; p++)
                if (PROP_KIND[p] == PK_DEADLOCK && wants(p))
                    violated(p, 0, (int64_t)current, -1, 0, (int64_t)current);
        }
        if (live_on) live_begin((int64_t)current, x->S);
        if (workers_ran > 1) batch_prefetch(current);
        else {
            prefetch_matches(x);
            /* the next state, while those arrive (not under a depth limit: it might be cut) */
            ahead->index = -1;
            if (max_depth < 0 && current + 1 < nstates) expand_state(ahead, current + 1);
        }
        for (size_t k = 0; k < x->nsucc && !unsupported; k++) {
            succ_t *s = &x->succ[k];
            transitions++;
            /* no side effect: looked up first (a parallel lookup that found it is final) */
            int64_t seen = workers_ran > 1 && x->seen[k] >= 0 ? x->seen[k]
                                                              : find(s->w, s->h, &slot);
            if (s->kind == K_FIRE) {
                coverage[TRANS_BASE(s->e) + s->t]++;
                if (step_wanted(s->e, s->t)) {
                    unpack(s->w, N);
                    on_fire((int64_t)current, (int64_t)k, s, N, x->S, seen);
                }
            }
            if (seen >= 0) {
                if (live_on) live_edge(seen, s);
                if (ncx > 1) revisit((int64_t)current, (int64_t)k, s, seen);
                continue;
            }
            if (max_states >= 0 && (int64_t)nstates >= max_states) { stop_code = S_MAX_STATES; break; }
            if (!add_state(s->w, s->h, slot, (uint32_t)current, (uint32_t)k)) { stop_code = S_MEMORY; break; }
            if (ncx > 1) {
                skel_of[nstates - 1] = skeleton(s);
                for (int p = 0; p < NPROPS; p++)
                    if (pending[p]) { broken[p][nstates - 1] = 1; pending[p] = 0; }
            }
            if (depth + 1 > diameter) diameter = depth + 1;
            if (live_on || state_wanted()) {  /* liveness.c records every state */
                unpack(s->w, N);
                check_state((int64_t)nstates - 1, N);
            }
            if (live_on) live_edge((int64_t)nstates - 1, s);
        }
        if (live_on) {  /* liveness.c: kept only when every successor was looked at */
            live_end((int64_t)current, rc == 0 && stop_code == S_NONE && !unsupported,
                     rc == 0 && x->nsucc == 0 && x->blocked);
            if (live_nomem) nomem = 1;
        }
        if (workers_ran == 1) {
            expansion_t *done_with = x;
            x = ahead;
            ahead = done_with;
        }
        if (nomem && stop_code == S_NONE) stop_code = S_MEMORY;
        if (stop_code != S_NONE || unsupported) { current++; break; }
        current++;
        live[0] = (int64_t)nstates; live[1] = transitions; live[2] = depth;
        live[3] = (int64_t)(nstates - current);
        if (*stop) stop_code = S_EXTERNAL;
    }
done:
    workers_stop();
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
void tc_state(int64_t index, int64_t *slots) {
    if (!packed_block[(size_t)index >> BLOCK_BITS]) { memset(slots, 0, NS * 8); return; }
    unpack(PACKED(index), slots);  /* an approximate run freed the expanded states' words */
}

/* check --storage: mode (ST_*) and, for bitstate, log2 of its bits, for the next runs */
void tc_storage(int64_t mode, int64_t bits) {
    storage_wanted = mode;
    bitstate_bits = bits;
}

/* bitstate: the bits set by the last run (for the estimate of states missed) */
int64_t tc_bits_set(void) {
    int64_t n = 0;
    if (!bit_array) return 0;
    for (size_t i = 0; i < ((size_t)1 << bitstate_bits) / 64 + 1; i++)
        n += __builtin_popcountll(bit_array[i]);
    return n;
}

/* check --hash-seed: the seed of the next runs' hash (0: the unseeded hash) */
void tc_hash_seed(uint64_t seed) {
    /* splitmix64's finaliser: seeds 1, 2, 3 become unrelated salts; 0 stays 0 */
    uint64_t z = seed * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    salt_wanted = z ^ (z >> 31);
}

/* the end of a check: its records freed, the hash unseeded again for whatever runs next */
void tc_free(void) {
    release();
    salt_wanted = hash_salt = 0;
}

/* check --workers: n > 0 sets the threads of the next runs; returns how many the last
 * run used */
int64_t tc_workers(int64_t n) {
    if (n > 0) workers_wanted = n;
    return workers_ran;
}

/* the runs kept for property p: 3 numbers each (as its first in tc_run's out), written
 * when they fit in `room` runs; returns how many there are */
int64_t tc_witnesses(int64_t p, int64_t *out, int64_t room) {
    if (nwit[p] <= room) memcpy(out, wit[p], (size_t)nwit[p] * 3 * 8);
    return nwit[p];
}

int64_t tc_layout(int64_t which) {
    switch (which) {
    case 0: return NS;
    case 1: return NW;
    case 2: return NPROPS;
    case 3: return NCOV;
    default: return -1;
    }
}
