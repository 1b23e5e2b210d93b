/* The similarity search of diffs/align.py (`_candidates`), in C: built by `make native` beside the
 * compiled engine and used only with it (diffs/native.py).
 *
 * A block's word set is its alignment key's runs of word characters (a letter or digit in Python's
 * sense, "_", or one of $ % § £ ¥ € ₹), as `bag_of_words` splits it, each word kept as a 64-bit hash
 * of its code points: a sorted array with no repeats, made without a Python object per word. Two
 * different words share a hash with odds of about 2^-64 a pair: a comparison's few thousand words
 * make that about 1 in 10^12, and the worst it would do is count one shared word too many.
 *
 * The search is the one align.py writes out in Python, step for step (gaps of up to
 * `all_pairs` pairs get every pair at or above the threshold, through one path where the Python
 * has two; larger ones the `n_best` blocks sharing the most rare words), so both give the same pairs; tests/test_native.py checks that on
 * random gaps of every size, and on every pair of the corpus.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t *w; /* sorted, distinct */
    Py_ssize_t n;
} Bag;

static unsigned char WORD_LATIN1[256]; /* word characters below U+0100 */

static int
is_word(Py_UCS4 c)
{
    if (c < 256)
        return WORD_LATIN1[c];
    return c == 0x20AC || c == 0x20B9 || Py_UNICODE_ISALNUM(c);
}

static uint64_t
finish(uint64_t h, Py_ssize_t len)
{
    h ^= (uint64_t)len * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}

/* Ascending sorts without a call per comparison (qsort's took half the time): quicksort on the
 * middle element, insertion sort for short runs. */
#define DEFINE_SORT(NAME, T)                                                                   \
    static void NAME(T *a, Py_ssize_t n)                                                       \
    {                                                                                          \
        while (n > 16) {                                                                       \
            T pivot = a[n / 2];                                                                \
            Py_ssize_t i = 0, j = n - 1;                                                       \
            for (;;) {                                                                         \
                while (a[i] < pivot)                                                           \
                    i++;                                                                       \
                while (a[j] > pivot)                                                           \
                    j--;                                                                       \
                if (i >= j)                                                                    \
                    break;                                                                     \
                T tmp = a[i];                                                                  \
                a[i++] = a[j];                                                                 \
                a[j--] = tmp;                                                                  \
            }                                                                                  \
            /* a[0..j] <= pivot <= a[j+1..n-1]: recurse into the smaller part, loop on the other */ \
            if (j + 1 < n - j - 1) {                                                           \
                NAME(a, j + 1);                                                                \
                a += j + 1;                                                                    \
                n -= j + 1;                                                                    \
            }                                                                                  \
            else {                                                                             \
                NAME(a + j + 1, n - j - 1);                                                    \
                n = j + 1;                                                                     \
            }                                                                                  \
        }                                                                                      \
        for (Py_ssize_t i = 1; i < n; i++) {                                                   \
            T v = a[i];                                                                        \
            Py_ssize_t j = i;                                                                  \
            while (j > 0 && a[j - 1] > v) {                                                    \
                a[j] = a[j - 1];                                                               \
                j--;                                                                           \
            }                                                                                  \
            a[j] = v;                                                                          \
        }                                                                                      \
    }

DEFINE_SORT(sort_u64, uint64_t)
DEFINE_SORT(sort_ssize, Py_ssize_t)

/* The hashes of the words of one key (any kind of str), into w; returns how many. */
#define READ_WORDS(T, TABLE_ONLY)                                                              \
    {                                                                                          \
        const T *p = (const T *)data;                                                          \
        while (i < len) {                                                                      \
            Py_UCS4 c = p[i];                                                                  \
            if (!(TABLE_ONLY ? WORD_LATIN1[c] : is_word(c))) {                                 \
                i++;                                                                           \
                continue;                                                                      \
            }                                                                                  \
            uint64_t h = 0xCBF29CE484222325ULL; /* FNV-1a over the code points, then mixed */ \
            Py_ssize_t start = i;                                                              \
            while (i < len && (TABLE_ONLY ? WORD_LATIN1[c = p[i]] : is_word(c = p[i]))) {      \
                h = (h ^ c) * 0x100000001B3ULL;                                                \
                i++;                                                                           \
            }                                                                                  \
            w[n++] = finish(h, i - start);                                                     \
        }                                                                                      \
    }

/* The word set of one key; 0, or -1 with an exception set. */
static int
make_bag(PyObject *key, Bag *bag)
{
    bag->w = NULL;
    bag->n = 0;
    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "an alignment key must be str, not %.80s", Py_TYPE(key)->tp_name);
        return -1;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(key);
    if (len == 0)
        return 0;
    int kind = PyUnicode_KIND(key);
    const void *data = PyUnicode_DATA(key);
    uint64_t *w = PyMem_Malloc(sizeof(uint64_t) * (size_t)(len / 2 + 1));
    if (w == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t n = 0, i = 0;
    if (kind == PyUnicode_1BYTE_KIND)
        READ_WORDS(Py_UCS1, 1)
    else if (kind == PyUnicode_2BYTE_KIND)
        READ_WORDS(Py_UCS2, 0)
    else
        READ_WORDS(Py_UCS4, 0)
    sort_u64(w, n);
    Py_ssize_t m = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        if (m == 0 || w[k] != w[m - 1])
            w[m++] = w[k];
    bag->w = w;
    bag->n = m;
    return 0;
}

static Py_ssize_t
shared(const Bag *a, const Bag *b)
{
    Py_ssize_t i = 0, j = 0, c = 0;
    while (i < a->n && j < b->n) {
        if (a->w[i] < b->w[j])
            i++;
        else if (a->w[i] > b->w[j])
            j++;
        else {
            c++;
            i++;
            j++;
        }
    }
    return c;
}

/* `_size_range` of align.py */
static void
size_range(Py_ssize_t size, double t, Py_ssize_t *lo_out, Py_ssize_t *hi_out)
{
    double r = t / (2 - t);
    Py_ssize_t lo = (Py_ssize_t)((double)size * r) - 1;
    if (lo < 1)
        lo = 1;
    while ((double)(2 * (size < lo ? size : lo)) < t * (double)(size + lo))
        lo++;
    Py_ssize_t hi = (Py_ssize_t)((double)size / r) + 2;
    while ((double)(2 * (size < hi ? size : hi)) < t * (double)(size + hi))
        hi--;
    *lo_out = lo;
    *hi_out = hi;
}

/* Appends (-s, d, i) to out; -1 on error. */
static int
emit(PyObject *out, double s, Py_ssize_t d, Py_ssize_t i)
{
    PyObject *item = Py_BuildValue("(dnn)", -s, d, i);
    if (item == NULL)
        return -1;
    int r = PyList_Append(out, item);
    Py_DECREF(item);
    return r;
}

/* Every pair at or above the threshold. */
static int
all_pairs(Bag *dels, Py_ssize_t nd, Bag *ins, Py_ssize_t ni, const Py_ssize_t *dmap, const Py_ssize_t *imap,
          double t, PyObject *out)
{
    for (Py_ssize_t d = 0; d < nd; d++) {
        Py_ssize_t la = dels[d].n;
        if (!la)
            continue;
        Py_ssize_t lo, hi;
        size_range(la, t, &lo, &hi);
        for (Py_ssize_t i = 0; i < ni; i++) {
            Py_ssize_t lb = ins[i].n;
            if (lb < lo || lb > hi)
                continue;
            double s = (double)(2 * shared(&dels[d], &ins[i])) / (double)(la + lb);
            if (s >= t && emit(out, s, dmap[d], imap[i]) < 0)
                return -1;
        }
    }
    return 0;
}

/* The word index of the small side: each distinct word's blocks, in order, found through an
 * open-addressing table of its hash. */
typedef struct {
    Py_ssize_t *slot;  /* table: a word's number, or -1 */
    uint64_t *hash;    /* per word */
    Py_ssize_t *count; /* per word: how many blocks hold it */
    Py_ssize_t *start; /* per word: where its blocks begin in post */
    Py_ssize_t *post;  /* the blocks of each word, in order, word after word */
    size_t mask;
} Index;

static void
index_free(Index *x)
{
    PyMem_Free(x->slot);
    PyMem_Free(x->hash);
    PyMem_Free(x->count);
    PyMem_Free(x->start);
    PyMem_Free(x->post);
}

/* A word's number, or -1. */
static Py_ssize_t
index_find(const Index *x, uint64_t h)
{
    size_t s = (size_t)h & x->mask;
    for (;;) {
        Py_ssize_t a = x->slot[s];
        if (a < 0 || x->hash[a] == h)
            return a;
        s = (s + 1) & x->mask;
    }
}

static int
index_build(Index *x, Bag *bags, Py_ssize_t n)
{
    Py_ssize_t total = 0, words = 0;
    for (Py_ssize_t k = 0; k < n; k++)
        total += bags[k].n;
    size_t cap = 16;
    while (cap < (size_t)total * 2)
        cap <<= 1;
    x->mask = cap - 1;
    x->slot = PyMem_Malloc(sizeof(Py_ssize_t) * cap);
    x->hash = PyMem_Malloc(sizeof(uint64_t) * (size_t)(total + 1));
    x->count = PyMem_Calloc((size_t)total + 1, sizeof(Py_ssize_t));
    x->start = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(total + 1));
    x->post = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(total + 1));
    if (!x->slot || !x->hash || !x->count || !x->start || !x->post) {
        index_free(x);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t s = 0; s < cap; s++)
        x->slot[s] = -1;
    for (Py_ssize_t k = 0; k < n; k++) /* number the words, count their blocks */
        for (Py_ssize_t j = 0; j < bags[k].n; j++) {
            uint64_t h = bags[k].w[j];
            size_t s = (size_t)h & x->mask;
            while (x->slot[s] >= 0 && x->hash[x->slot[s]] != h)
                s = (s + 1) & x->mask;
            if (x->slot[s] < 0) {
                x->slot[s] = words;
                x->hash[words++] = h;
            }
            x->count[x->slot[s]]++;
        }
    Py_ssize_t at = 0;
    for (Py_ssize_t a = 0; a < words; a++) {
        x->start[a] = at;
        at += x->count[a];
        x->count[a] = 0; /* counted again as the blocks are filled in */
    }
    for (Py_ssize_t k = 0; k < n; k++)
        for (Py_ssize_t j = 0; j < bags[k].n; j++) {
            Py_ssize_t a = index_find(x, bags[k].w[j]);
            x->post[x->start[a] + x->count[a]++] = k;
        }
    return 0;
}

/* The larger gaps: the smaller side's words indexed, those in more than `limit` of its blocks
 * (frequent) left out; each block of the other side gets an exact similarity with the n_best
 * blocks it shares most rare words with, when that can reach the threshold. */
static int
best_pairs(Bag *dels, Py_ssize_t nd, Bag *ins, Py_ssize_t ni, const Py_ssize_t *dmap, const Py_ssize_t *imap,
           double t, Py_ssize_t n_best, PyObject *out)
{
    int flip = nd > ni;
    Bag *small = flip ? ins : dels, *large = flip ? dels : ins;
    Py_ssize_t ns = flip ? ni : nd, nl = flip ? nd : ni;
    Index x;
    if (index_build(&x, small, ns) < 0)
        return -1;
    Py_ssize_t limit = ns / 20 > 4 ? ns / 20 : 4;
    int rc = -1;
    Py_ssize_t *n_frequent = PyMem_Calloc((size_t)ns + 1, sizeof(Py_ssize_t));
    Py_ssize_t *by_size = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ns + 1));
    Py_ssize_t *counts = PyMem_Calloc((size_t)ns + 1, sizeof(Py_ssize_t));
    Py_ssize_t *hit = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ns + 1));
    Py_ssize_t *top = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)ns + 1));
    if (!n_frequent || !by_size || !counts || !hit || !top) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < ns; k++) {
        by_size[k] = small[k].n;
        for (Py_ssize_t j = 0; j < small[k].n; j++)
            if (x.count[index_find(&x, small[k].w[j])] > limit)
                n_frequent[k]++;
    }
    sort_ssize(by_size, ns);
    for (Py_ssize_t j = 0; j < nl; j++) {
        Bag *b = &large[j];
        Py_ssize_t lb = b->n;
        if (!lb)
            continue;
        Py_ssize_t lo, hi;
        size_range(lb, t, &lo, &hi);
        Py_ssize_t first = 0, past = 0; /* bisect_left(by_size, lo), bisect_right(by_size, hi) */
        while (first < ns && by_size[first] < lo)
            first++;
        past = first;
        while (past < ns && by_size[past] <= hi)
            past++;
        if (first == past)
            continue;
        Py_ssize_t rare = 0, fb = 0;
        for (Py_ssize_t w = 0; w < lb; w++) {
            Py_ssize_t a = index_find(&x, b->w[w]);
            if (a >= 0) {
                if (x.count[a] > limit)
                    fb++;
                else
                    rare++;
            }
        }
        if ((double)(2 * (rare + fb)) < t * (double)(by_size[first] + lb))
            continue;
        Py_ssize_t nh = 0;
        for (Py_ssize_t w = 0; w < lb && rare; w++) {
            Py_ssize_t a = index_find(&x, b->w[w]);
            if (a < 0 || x.count[a] > limit)
                continue;
            for (Py_ssize_t e = x.start[a]; e < x.start[a] + x.count[a]; e++) {
                Py_ssize_t k = x.post[e];
                if (!counts[k])
                    hit[nh++] = k;
                counts[k]++;
            }
        }
        /* `_most_hits`: all of them, or those above the n-th highest count and the first (by
         * position) of those at it */
        Py_ssize_t nt = 0;
        if (nh <= n_best) {
            memcpy(top, hit, sizeof(Py_ssize_t) * (size_t)nh);
            nt = nh;
        }
        else {
            for (Py_ssize_t h = 0; h < nh; h++)
                top[h] = counts[hit[h]];
            sort_ssize(top, nh); /* ascending: the n-th highest is n from the end */
            Py_ssize_t cut = top[nh - n_best];
            for (Py_ssize_t h = 0; h < nh; h++)
                if (counts[hit[h]] > cut)
                    top[nt++] = hit[h];
            sort_ssize(hit, nh);
            for (Py_ssize_t h = 0; h < nh && nt < n_best; h++)
                if (counts[hit[h]] == cut)
                    top[nt++] = hit[h];
        }
        for (Py_ssize_t q = 0; q < nt; q++) {
            Py_ssize_t k = top[q], la = small[k].n;
            Py_ssize_t fmin = n_frequent[k] < fb ? n_frequent[k] : fb;
            if (la < lo || la > hi || (double)(2 * (counts[k] + fmin)) < t * (double)(la + lb))
                continue;
            double s = (double)(2 * shared(&small[k], b)) / (double)(la + lb);
            if (s >= t) {
                Py_ssize_t d = flip ? j : k, i = flip ? k : j;
                if (emit(out, s, dmap[d], imap[i]) < 0)
                    goto done;
            }
        }
        for (Py_ssize_t h = 0; h < nh; h++)
            counts[hit[h]] = 0;
    }
    rc = 0;
done:
    index_free(&x);
    PyMem_Free(n_frequent);
    PyMem_Free(by_size);
    PyMem_Free(counts);
    PyMem_Free(hit);
    PyMem_Free(top);
    return rc;
}

/* The bags of a list of keys, those with fewer than min_words words left out; map[k] is the
 * position in the list of the k-th kept. Returns how many were kept, or -1. */
static Py_ssize_t
make_bags(PyObject *keys, Py_ssize_t min_words, Bag **bags_out, Py_ssize_t **map_out)
{
    Py_ssize_t n = PyList_GET_SIZE(keys), kept = 0;
    Bag *bags = PyMem_Calloc((size_t)n + 1, sizeof(Bag));
    Py_ssize_t *map = PyMem_Malloc(sizeof(Py_ssize_t) * ((size_t)n + 1));
    *bags_out = bags;
    *map_out = map;
    if (bags == NULL || map == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (make_bag(PyList_GET_ITEM(keys, k), &bags[kept]) < 0)
            return -1;
        if (bags[kept].n >= min_words) {
            map[kept++] = k;
        }
        else {
            PyMem_Free(bags[kept].w);
            bags[kept].w = NULL;
        }
    }
    return kept;
}

static void
free_bags(Bag *bags, Py_ssize_t n, Py_ssize_t *map)
{
    if (bags != NULL)
        for (Py_ssize_t k = 0; k < n; k++)
            PyMem_Free(bags[k].w);
    PyMem_Free(bags);
    PyMem_Free(map);
}

static PyObject *
candidates(PyObject *self, PyObject *args)
{
    PyObject *dkeys, *ikeys;
    double t;
    Py_ssize_t min_words, all_limit, n_best;
    if (!PyArg_ParseTuple(args, "O!O!dnnn:candidates", &PyList_Type, &dkeys, &PyList_Type, &ikeys, &t, &min_words,
                          &all_limit, &n_best))
        return NULL;
    if (!(t > 0 && t <= 1) || n_best < 1) {
        PyErr_SetString(PyExc_ValueError, "the threshold must be in (0, 1] and n_best at least 1");
        return NULL;
    }
    Bag *dels = NULL, *ins = NULL;
    Py_ssize_t *dmap = NULL, *imap = NULL;
    PyObject *out = NULL;
    Py_ssize_t nd = make_bags(dkeys, min_words, &dels, &dmap);
    Py_ssize_t ni = nd < 0 ? -1 : make_bags(ikeys, min_words, &ins, &imap);
    if (ni < 0)
        goto done;
    out = PyList_New(0);
    if (out == NULL || nd == 0 || ni == 0)
        goto done;
    int r = nd * ni <= all_limit ? all_pairs(dels, nd, ins, ni, dmap, imap, t, out)
                                 : best_pairs(dels, nd, ins, ni, dmap, imap, t, n_best, out);
    if (r < 0)
        Py_CLEAR(out);
done:
    free_bags(dels, PyList_GET_SIZE(dkeys), dmap);
    free_bags(ins, PyList_GET_SIZE(ikeys), imap);
    return out;
}

static PyMethodDef methods[] = {
    {"candidates", candidates, METH_VARARGS,
     "candidates(old_keys, new_keys, threshold, min_words, all_pairs, n_best)\n"
     "(-similarity, d, i) of the pairs at or above the threshold, as align._candidates finds them."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_simil", NULL, -1, methods};

PyMODINIT_FUNC
PyInit__simil(void)
{
    for (Py_UCS4 c = 0; c < 256; c++)
        WORD_LATIN1[c] = Py_UNICODE_ISALNUM(c) || c == '_' || c == '$' || c == '%' || c == 0xA3 || c == 0xA5 ||
                         c == 0xA7;
    return PyModule_Create(&module);
}
