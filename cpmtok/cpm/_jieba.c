/* The native segmenter: jieba 0.42.1's `Tokenizer.cut(text)` (accurate mode, HMM on) and CPM-Generate's
 * SentencePiece input (`join`), bit-identical to `segmenter.Segmenter` and to jieba itself.
 *
 * The tables live in one flat buffer (`native_table.py` builds it once, caches it and memory-maps it):
 *   a header (HMM start and transition log-probabilities, the unknown-character weight),
 *   the prefix dictionary as a hash table of trie edges: a slot holds (parent slot, code point, weight); a
 *     node's id is the slot of the edge that reaches it, so one probe per character walks the trie and reads
 *     the weight (NaN: a prefix that is no word, as jieba's `FREQ[frag] == 0`),
 *   the HMM emissions as a hash table: code point -> log-probabilities of B, M, E, S.
 * The arithmetic is jieba's: `weight + route[end + 1]` (weight = log(freq) - log(total), computed by Python),
 * Viterbi's `V[t-1][prev] + trans + emit` left to right, only additions (nothing a compiler may fuse), and the
 * same tie rules (`>=` over ends in increasing order = `max` over (score, end); Viterbi's later state letter).
 * The segmentation itself runs without the GIL on a private copy of the text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define FORMAT_VERSION 1u
#define EMPTY 0xFFFFFFFFu
#define ROOT 0xFFFFFFFEu
#define MIN_FLOAT (-3.14e100)
enum { B, M, E, S };  /* state order of the tables */

static const char MAGIC[8] = {'C', 'P', 'M', 'J', 'I', 'E', 'B', 'A'};

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t edge_bits;
    uint32_t emit_bits;
    uint32_t reserved;
    double unknown_char_weight;  /* log(1) - log(total): a character that starts no word */
    double start[4];             /* B M E S */
    double trans[8];             /* E->B S->B M->M B->M S->S E->S B->E M->E (hmm.py's TRANSITIONS) */
} Header;

typedef struct {
    uint32_t parent;  /* slot of the parent node, ROOT for a first character */
    uint32_t cp;      /* EMPTY: a free slot */
    double weight;    /* log(freq) - log(total), NaN for a prefix that is no word */
} Edge;

typedef struct {
    uint32_t cp;
    uint32_t pad;
    double emit[4];
} Emission;

typedef struct {
    const Header *header;
    const Edge *edges;
    const Emission *emissions;
    uint64_t edge_mask, emit_mask;
} Tables;

static inline uint64_t slot_hash(uint32_t parent, uint32_t cp, uint32_t bits) {
    return ((((uint64_t)parent << 32) | cp) * 0x9E3779B97F4A7C15ull) >> (64 - bits);
}

/* The slot of the edge parent --cp-->, or EMPTY. */
static inline uint32_t find_edge(const Tables *t, uint32_t parent, uint32_t cp) {
    uint64_t i = slot_hash(parent, cp, t->header->edge_bits);
    for (;;) {
        const Edge *e = &t->edges[i];
        if (e->cp == cp && e->parent == parent) return (uint32_t)i;
        if (e->cp == EMPTY) return EMPTY;
        i = (i + 1) & t->edge_mask;
    }
}

static inline const double *find_emission(const Tables *t, uint32_t cp) {
    static const double unseen[4] = {MIN_FLOAT, MIN_FLOAT, MIN_FLOAT, MIN_FLOAT};
    uint64_t i = slot_hash(0, cp, t->header->emit_bits);
    for (;;) {
        const Emission *e = &t->emissions[i];
        if (e->cp == cp) return e->emit;
        if (e->cp == EMPTY) return unseen;
        i = (i + 1) & t->emit_mask;
    }
}

/* ---- segmentation: word ends appended to `ends` (positions in the whole text) ------------------------ */

typedef struct {
    Py_ssize_t *ends;  /* word ends, ascending */
    Py_ssize_t count;
    double *score;     /* scratch, one per block character + 1 */
    Py_ssize_t *best_end;
    uint8_t *pointers; /* Viterbi back-pointers: per step, 2 bits per state */
} Work;

static inline void emit_end(Work *w, Py_ssize_t end) { w->ends[w->count++] = end; }

static inline int is_jieba_han(Py_UCS4 c) {  /* jieba.re_han_default's class */
    return (c >= 0x4E00 && c <= 0x9FD5) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' ||
           c == '-';
}

static inline int is_ascii_alnum(Py_UCS4 c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline int is_ascii_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }

static inline int is_hmm_han(Py_UCS4 c) { return c >= 0x4E00 && c <= 0x9FD5; }  /* finalseg.re_han */

/* finalseg.viterbi + __cut over one run of finalseg.re_han characters starting at `offset`. */
static void viterbi_cut(const Tables *t, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t offset, Work *w) {
    const double *tr = t->header->trans;
    const double t_eb = tr[0], t_sb = tr[1], t_mm = tr[2], t_bm = tr[3];
    const double t_ss = tr[4], t_es = tr[5], t_be = tr[6], t_me = tr[7];
    const double *e = find_emission(t, s[0]);
    const double *st = t->header->start;
    double v_b = st[B] + e[B], v_m = st[M] + e[M], v_e = st[E] + e[E], v_s = st[S] + e[S];
    uint8_t *p = w->pointers;
    for (Py_ssize_t i = 1; i < n; i++) {
        e = find_emission(t, s[i]);
        double x, y, n_b, n_m, n_e, n_s;
        uint8_t bits = 0;  /* the predecessor of each state: B<-E|S, M<-M|B, E<-B|M, S<-S|E */
        x = v_e + t_eb + e[B]; y = v_s + t_sb + e[B];
        if (x > y) { n_b = x; bits |= E << 0; } else { n_b = y; bits |= S << 0; }
        x = v_m + t_mm + e[M]; y = v_b + t_bm + e[M];
        if (x >= y) { n_m = x; bits |= M << 2; } else { n_m = y; bits |= B << 2; }
        x = v_s + t_ss + e[S]; y = v_e + t_es + e[S];
        if (x >= y) { n_s = x; bits |= S << 6; } else { n_s = y; bits |= E << 6; }
        x = v_b + t_be + e[E]; y = v_m + t_me + e[E];
        if (x > y) { n_e = x; bits |= B << 4; } else { n_e = y; bits |= M << 4; }
        p[i] = bits;
        v_b = n_b; v_m = n_m; v_e = n_e; v_s = n_s;
    }
    /* the path, backwards, written as states into p[i] (p[i] is read before it is overwritten) */
    int state = v_s >= v_e ? S : E;
    for (Py_ssize_t i = n - 1; i >= 0; i--) {
        int previous = i > 0 ? (p[i] >> (2 * state)) & 3 : 0;
        p[i] = (uint8_t)state;
        state = previous;
    }
    /* B begins, E ends, S stands alone; an unfinished word runs to the end. The path only takes allowed
     * transitions, so the words cover the run and their ends are enough. */
    Py_ssize_t next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (p[i] == E || p[i] == S) {
            emit_end(w, offset + i + 1);
            next = i + 1;
        }
    }
    if (next < n) emit_end(w, offset + n);
}

/* finalseg.cut: Han runs through Viterbi; the rest split by finalseg.re_skip ([a-zA-Z0-9]+(?:\.\d+)?%?),
 * matches and the (non-empty) text between them each one word. */
static void hmm_cut(const Tables *t, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t offset, Work *w) {
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t j = i;
        if (is_hmm_han(s[i])) {
            while (j < n && is_hmm_han(s[j])) j++;
            viterbi_cut(t, s + i, j - i, offset + i, w);
            i = j;
            continue;
        }
        while (j < n && !is_hmm_han(s[j])) j++;  /* a non-Han stretch [i, j) */
        Py_ssize_t k = i, pending = i;
        while (k < j) {
            if (!is_ascii_alnum(s[k])) { k++; continue; }
            Py_ssize_t m = k;
            while (m < j && is_ascii_alnum(s[m])) m++;
            if (m + 1 < j && s[m] == '.' && is_ascii_digit(s[m + 1])) {
                m += 2;
                while (m < j && is_ascii_digit(s[m])) m++;
            }
            if (m < j && s[m] == '%') m++;
            if (pending < k) emit_end(w, offset + k);
            emit_end(w, offset + m);
            pending = k = m;
        }
        if (pending < j) emit_end(w, offset + j);
        i = j;
    }
}

/* jieba's __cut_DAG flush: one char stays; a run that is a dictionary word splits into chars; others: HMM. */
static void flush_run(const Tables *t, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t offset, Work *w) {
    if (n == 0) return;
    if (n > 1) {
        uint32_t node = ROOT;
        for (Py_ssize_t i = 0; i < n && node != EMPTY; i++) node = find_edge(t, node, s[i]);
        if (node == EMPTY || isnan(t->edges[node].weight)) {  /* jieba: `not FREQ.get(buf)` */
            hmm_cut(t, s, n, offset, w);
            return;
        }
    }
    for (Py_ssize_t i = 1; i <= n; i++) emit_end(w, offset + i);
}

/* jieba's get_DAG + calc (one right-to-left pass) and __cut_DAG over one block of re_han_default. */
static void cut_block(const Tables *t, const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t offset, Work *w) {
    double *score = w->score;
    Py_ssize_t *best_end = w->best_end;
    const double unknown = t->header->unknown_char_weight;
    score[n] = 0.0;
    for (Py_ssize_t start = n - 1; start >= 0; start--) {
        double best = 0.0;
        int found = 0;
        Py_ssize_t chosen = start;
        uint32_t node = ROOT;
        for (Py_ssize_t end = start; end < n; end++) {
            node = find_edge(t, node, s[end]);
            if (node == EMPTY) break;
            double weight = t->edges[node].weight;
            if (!isnan(weight)) {
                double candidate = weight + score[end + 1];
                if (!found || candidate >= best) {  /* ends ascend: a tie goes to the longer word */
                    best = candidate;
                    chosen = end;
                    found = 1;
                }
            }
        }
        score[start] = found ? best : unknown + score[start + 1];
        best_end[start] = chosen;
    }
    Py_ssize_t run_start = 0, start = 0;
    while (start < n) {
        Py_ssize_t end = best_end[start] + 1;
        if (end - start > 1) {
            flush_run(t, s + run_start, start - run_start, offset + run_start, w);
            emit_end(w, offset + end);
            run_start = end;
        }
        start = end;
    }
    flush_run(t, s + run_start, n - run_start, offset + run_start, w);
}

/* jieba.Tokenizer.cut: blocks of re_han_default cut by the DAG; between them "\r\n" whole, other chars alone. */
static void segment(const Tables *t, const Py_UCS4 *s, Py_ssize_t n, Work *w) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (is_jieba_han(s[i])) {
            Py_ssize_t j = i;
            while (j < n && is_jieba_han(s[j])) j++;
            cut_block(t, s + i, j - i, i, w);
            i = j;
        } else {
            i += (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            emit_end(w, i);
        }
    }
}

/* ---- the Python type ------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    Tables tables;
} SegmenterObject;

static int Segmenter_init(SegmenterObject *self, PyObject *args, PyObject *kwds) {
    PyObject *buffer;
    static char *names[] = {"tables", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O:Segmenter", names, &buffer)) return -1;
    if (self->view.obj) {
        PyErr_SetString(PyExc_TypeError, "Segmenter is initialised once");
        return -1;
    }
    if (PyObject_GetBuffer(buffer, &self->view, PyBUF_SIMPLE) < 0) return -1;
    const Header *h = (const Header *)self->view.buf;
    if ((size_t)self->view.len < sizeof(Header) || memcmp(h->magic, MAGIC, 8) != 0 ||
        h->version != FORMAT_VERSION || h->edge_bits < 1 || h->edge_bits > 31 || h->emit_bits < 1 ||
        h->emit_bits > 31 ||
        (size_t)self->view.len != sizeof(Header) + ((size_t)1 << h->edge_bits) * sizeof(Edge) +
                                      ((size_t)1 << h->emit_bits) * sizeof(Emission)) {
        PyBuffer_Release(&self->view);
        PyErr_SetString(PyExc_ValueError, "not a jieba table of this format version");
        return -1;
    }
    self->tables.header = h;
    self->tables.edges = (const Edge *)(h + 1);
    self->tables.emissions = (const Emission *)(self->tables.edges + ((size_t)1 << h->edge_bits));
    self->tables.edge_mask = ((uint64_t)1 << h->edge_bits) - 1;
    self->tables.emit_mask = ((uint64_t)1 << h->emit_bits) - 1;
    return 0;
}

static void Segmenter_dealloc(SegmenterObject *self) {
    if (self->view.obj) PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The text as UCS-4 and its word ends; returns the number of words or -1 with an exception set. */
static Py_ssize_t run_segment(SegmenterObject *self, PyObject *text, Py_UCS4 **chars, Work *w) {
    if (!self->view.obj) {
        PyErr_SetString(PyExc_ValueError, "Segmenter is not initialised");
        return -1;
    }
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return -1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    *chars = PyUnicode_AsUCS4Copy(text);
    if (!*chars) return -1;
    size_t count = (size_t)n + 1;
    w->ends = PyMem_RawMalloc(count * sizeof(Py_ssize_t));
    w->score = PyMem_RawMalloc(count * sizeof(double));
    w->best_end = PyMem_RawMalloc(count * sizeof(Py_ssize_t));
    w->pointers = PyMem_RawMalloc(count);
    w->count = 0;
    if (!w->ends || !w->score || !w->best_end || !w->pointers) {
        PyErr_NoMemory();
        return -1;
    }
    Py_BEGIN_ALLOW_THREADS
    segment(&self->tables, *chars, n, w);
    Py_END_ALLOW_THREADS
    return w->count;
}

static void free_work(Py_UCS4 *chars, Work *w) {
    PyMem_Free(chars);
    PyMem_RawFree(w->ends);
    PyMem_RawFree(w->score);
    PyMem_RawFree(w->best_end);
    PyMem_RawFree(w->pointers);
}

static PyObject *Segmenter_cut(SegmenterObject *self, PyObject *text) {
    Py_UCS4 *chars = NULL;
    Work w = {0};
    Py_ssize_t count = run_segment(self, text, &chars, &w);
    PyObject *words = count < 0 ? NULL : PyList_New(count);
    for (Py_ssize_t i = 0; words && i < count; i++) {
        PyObject *word = PyUnicode_Substring(text, i ? w.ends[i - 1] : 0, w.ends[i]);
        if (!word) Py_CLEAR(words);
        else PyList_SET_ITEM(words, i, word);
    }
    free_work(chars, &w);
    return words;
}

static PyObject *Segmenter_join(SegmenterObject *self, PyObject *text) {
    Py_UCS4 *chars = NULL;
    Work w = {0};
    Py_ssize_t count = run_segment(self, text, &chars, &w);
    PyObject *joined = NULL;
    if (count >= 0) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        Py_UCS4 *out = PyMem_Malloc(((size_t)n + (size_t)count + 1) * sizeof(Py_UCS4));
        if (!out) {
            PyErr_NoMemory();
        } else {
            Py_ssize_t length = 0, start = 0;
            for (Py_ssize_t i = 0; i < count; i++) {
                if (i) out[length++] = ' ';  /* CPM-Generate joins the words with one space */
                for (Py_ssize_t k = start; k < w.ends[i]; k++) {  /* inside a word: space -> ▂, newline -> ▃ */
                    Py_UCS4 c = chars[k];
                    out[length++] = c == ' ' ? 0x2582 : c == '\n' ? 0x2583 : c;
                }
                start = w.ends[i];
            }
            joined = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, length);
            PyMem_Free(out);
        }
    }
    free_work(chars, &w);
    return joined;
}

static PyMethodDef Segmenter_methods[] = {
    {"cut", (PyCFunction)Segmenter_cut, METH_O, "jieba.Tokenizer().cut(text) (accurate mode, HMM on), as a list."},
    {"join", (PyCFunction)Segmenter_join, METH_O,
     "CPM-Generate's SentencePiece input: the words, space -> \u2582 and newline -> \u2583 inside each, joined by spaces."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SegmenterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cpmtok.cpm._jieba.Segmenter",
    .tp_basicsize = sizeof(SegmenterObject),
    .tp_dealloc = (destructor)Segmenter_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "jieba 0.42.1's segmenter over a table buffer built by build_table (kept alive while in use).",
    .tp_methods = Segmenter_methods,
    .tp_init = (initproc)Segmenter_init,
    .tp_new = PyType_GenericNew,
};

/* ---- building the table ---------------------------------------------------------------------------- */

static uint32_t bits_for(Py_ssize_t count) {  /* at most half full */
    uint32_t bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * count) bits++;
    return bits;
}

static int read_doubles(PyObject *sequence, double *out, Py_ssize_t count, const char *what) {
    PyObject *fast = PySequence_Fast(sequence, what);
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd numbers", what, count);
        Py_DECREF(fast);
        return -1;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        out[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

static PyObject *build_table(PyObject *module, PyObject *args) {
    PyObject *words, *weights, *emit_chars, *emit_rows, *start, *trans;
    double unknown;
    if (!PyArg_ParseTuple(args, "O!O!UO!dOO:build_table", &PyList_Type, &words, &PyList_Type, &weights,
                          &emit_chars, &PyList_Type, &emit_rows, &unknown, &start, &trans))
        return NULL;
    Py_ssize_t n_words = PyList_GET_SIZE(words), n_emit = PyUnicode_GET_LENGTH(emit_chars);
    if (PyList_GET_SIZE(weights) != n_words || PyList_GET_SIZE(emit_rows) != n_emit) {
        PyErr_SetString(PyExc_ValueError, "build_table: words/weights or emit_chars/emit_rows differ in length");
        return NULL;
    }
    uint32_t edge_bits = bits_for(n_words), emit_bits = bits_for(n_emit);
    size_t n_edges = (size_t)1 << edge_bits, n_emissions = (size_t)1 << emit_bits;
    size_t size = sizeof(Header) + n_edges * sizeof(Edge) + n_emissions * sizeof(Emission);
    PyObject *result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!result) return NULL;
    char *buffer = PyBytes_AS_STRING(result);
    memset(buffer, 0, size);
    Header *h = (Header *)buffer;
    memcpy(h->magic, MAGIC, 8);
    h->version = FORMAT_VERSION;
    h->edge_bits = edge_bits;
    h->emit_bits = emit_bits;
    h->unknown_char_weight = unknown;
    if (read_doubles(start, h->start, 4, "start") < 0 || read_doubles(trans, h->trans, 8, "trans") < 0) goto fail;
    Edge *edges = (Edge *)(h + 1);
    Emission *emissions = (Emission *)(edges + n_edges);
    for (size_t i = 0; i < n_edges; i++) edges[i].cp = EMPTY;
    for (size_t i = 0; i < n_emissions; i++) emissions[i].cp = EMPTY;
    Tables t = {h, edges, emissions, n_edges - 1, n_emissions - 1};

    /* words in order of length, so a word's prefixes (all in jieba's prefix dictionary) are placed first */
    for (Py_ssize_t i = 0; i < n_words; i++) {
        PyObject *word = PyList_GET_ITEM(words, i), *weight = PyList_GET_ITEM(weights, i);
        Py_ssize_t length = PyUnicode_Check(word) ? PyUnicode_GET_LENGTH(word) : 0;
        if (length == 0) {
            PyErr_Format(PyExc_ValueError, "build_table: word %zd is no non-empty str", i);
            goto fail;
        }
        uint32_t node = ROOT;
        for (Py_ssize_t k = 0; k < length - 1 && node != EMPTY; k++)
            node = find_edge(&t, node, PyUnicode_READ_CHAR(word, k));
        if (node == EMPTY) {
            PyErr_Format(PyExc_ValueError, "build_table: a prefix of %R comes later or not at all", word);
            goto fail;
        }
        uint32_t cp = PyUnicode_READ_CHAR(word, length - 1);
        uint64_t slot = slot_hash(node, cp, edge_bits);
        while (edges[slot].cp != EMPTY && !(edges[slot].cp == cp && edges[slot].parent == node))
            slot = (slot + 1) & t.edge_mask;
        edges[slot].parent = node;
        edges[slot].cp = cp;
        if (weight == Py_None) {
            edges[slot].weight = NAN;
        } else {
            edges[slot].weight = PyFloat_AsDouble(weight);
            if (PyErr_Occurred()) goto fail;
        }
    }
    for (Py_ssize_t i = 0; i < n_emit; i++) {
        uint32_t cp = PyUnicode_READ_CHAR(emit_chars, i);
        uint64_t slot = slot_hash(0, cp, emit_bits);
        while (emissions[slot].cp != EMPTY) {
            if (emissions[slot].cp == cp) {
                PyErr_SetString(PyExc_ValueError, "build_table: emit_chars repeats a character");
                goto fail;
            }
            slot = (slot + 1) & t.emit_mask;
        }
        emissions[slot].cp = cp;
        if (read_doubles(PyList_GET_ITEM(emit_rows, i), emissions[slot].emit, 4, "emission row") < 0) goto fail;
    }
    return result;
fail:
    Py_DECREF(result);
    return NULL;
}

static PyMethodDef module_methods[] = {
    {"build_table", build_table, METH_VARARGS,
     "build_table(words, weights, emit_chars, emit_rows, unknown_char_weight, start, trans) -> bytes.\n"
     "words ordered by length, weights float or None (a prefix that is no word); emit_rows and start in B M E S\n"
     "order, trans as hmm.py's TRANSITIONS."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_jieba", "jieba 0.42.1's segmenter in C (see segmenter.py for the pure-Python one).",
    -1, module_methods,
};

PyMODINIT_FUNC PyInit__jieba(void) {
    if (PyType_Ready(&SegmenterType) < 0) return NULL;
    PyObject *module = PyModule_Create(&module_def);
    if (!module) return NULL;
    Py_INCREF(&SegmenterType);
    if (PyModule_AddObject(module, "Segmenter", (PyObject *)&SegmenterType) < 0) {
        Py_DECREF(&SegmenterType);
        Py_DECREF(module);
        return NULL;
    }
    if (PyModule_AddIntConstant(module, "FORMAT_VERSION", FORMAT_VERSION) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
