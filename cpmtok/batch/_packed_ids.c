/* A chunk's ids as two int32 buffers (every id, then each text's count), in C: what `cpmtok.batch` sends
 * between processes. `pack_ids` / `unpack_ids` in `batch/__init__.py` are the readable Python oracle and
 * fallback; these do the same without an array append or a slice per id, which with the native segmenter cost
 * more than a quarter of the encoding itself. Ids are native-endian int32, as `array("i")`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* pack_ids(lists) -> (ids bytes, counts bytes); every element a list of ints that fit int32. No Python code
 * runs while packing (exact checks, no __index__), so no list can change size under it. */
static PyObject *pack_ids(PyObject *module, PyObject *lists) {
    (void)module;
    if (!PyList_Check(lists)) {
        PyErr_Format(PyExc_TypeError, "pack_ids expects a list of lists of int, got %.100s", Py_TYPE(lists)->tp_name);
        return NULL;
    }
    Py_ssize_t texts = PyList_GET_SIZE(lists), total = 0;
    for (Py_ssize_t i = 0; i < texts; i++) {
        PyObject *ids = PyList_GET_ITEM(lists, i);
        if (!PyList_Check(ids)) {
            PyErr_Format(PyExc_TypeError, "pack_ids: element %zd is a %.100s, not a list of int", i,
                         Py_TYPE(ids)->tp_name);
            return NULL;
        }
        total += PyList_GET_SIZE(ids);
    }
    if (texts > INT32_MAX || total > PY_SSIZE_T_MAX / 4) {
        PyErr_SetString(PyExc_OverflowError, "pack_ids: too many ids for one chunk");
        return NULL;
    }
    PyObject *id_bytes = PyBytes_FromStringAndSize(NULL, total * 4);
    PyObject *count_bytes = PyBytes_FromStringAndSize(NULL, texts * 4);
    if (!id_bytes || !count_bytes) goto fail;
    int32_t *out = (int32_t *)PyBytes_AS_STRING(id_bytes);
    int32_t *counts = (int32_t *)PyBytes_AS_STRING(count_bytes);
    for (Py_ssize_t i = 0; i < texts; i++) {
        PyObject *ids = PyList_GET_ITEM(lists, i);
        Py_ssize_t n = PyList_GET_SIZE(ids);
        if (n > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "pack_ids: too many ids for one text");
            goto fail;
        }
        for (Py_ssize_t j = 0; j < n; j++) {
            PyObject *item = PyList_GET_ITEM(ids, j);
            if (!PyLong_Check(item)) {
                PyErr_Format(PyExc_TypeError, "pack_ids: element %zd of list %zd is a %.100s, not an int", j, i,
                             Py_TYPE(item)->tp_name);
                goto fail;
            }
            long value = PyLong_AsLong(item);
            if (value == -1 && PyErr_Occurred()) goto fail;
            if (value < INT32_MIN || value > INT32_MAX) {
                PyErr_Format(PyExc_OverflowError, "pack_ids: id %ld does not fit in int32", value);
                goto fail;
            }
            *out++ = (int32_t)value;
        }
        counts[i] = (int32_t)n;
    }
    return Py_BuildValue("(NN)", id_bytes, count_bytes);
fail:
    Py_XDECREF(id_bytes);
    Py_XDECREF(count_bytes);
    return NULL;
}

/* The int objects unpacked ids share: an id below SHARED_INTS is one object made at its first use and kept
 * (allocating millions of ints was most of the cost); vocabularies here are far smaller. */
#define SHARED_INTS (1 << 17)
static PyObject *shared_ints[SHARED_INTS];

static PyObject *int_of(int32_t value) {
    if (value < 0 || value >= SHARED_INTS) return PyLong_FromLong(value);
    if (!shared_ints[value] && !(shared_ints[value] = PyLong_FromLong(value))) return NULL;
    Py_INCREF(shared_ints[value]);
    return shared_ints[value];
}

/* unpack_ids(ids buffer, counts buffer) -> list of lists of int; the counts must cover the ids exactly.
 * The collector is off meanwhile: these lists hold only ints, and collecting after every 700 of them walked
 * the whole heap again and again. */
static PyObject *unpack_ids(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer id_view, count_view;
    if (!PyArg_ParseTuple(args, "y*y*:unpack_ids", &id_view, &count_view)) return NULL;
    PyObject *result = NULL;
    int collecting = 0;
    if (id_view.len % 4 || count_view.len % 4) {
        PyErr_SetString(PyExc_ValueError, "unpack_ids: buffer lengths must be multiples of 4 (int32)");
        goto done;
    }
    Py_ssize_t total = id_view.len / 4, texts = count_view.len / 4, used = 0;
    int32_t count;
    int covered = 1;
    for (Py_ssize_t i = 0; i < texts && covered; i++) {
        memcpy(&count, (const char *)count_view.buf + 4 * i, 4);
        covered = count >= 0 && count <= total - used;
        used += covered ? count : 0;
    }
    if (!covered || used != total) {
        PyErr_SetString(PyExc_ValueError, "unpack_ids: the counts do not cover the ids exactly");
        goto done;
    }
    collecting = PyGC_Disable();
    result = PyList_New(texts);
    if (!result) goto done;
    const char *next = (const char *)id_view.buf;
    for (Py_ssize_t i = 0; i < texts; i++) {
        memcpy(&count, (const char *)count_view.buf + 4 * i, 4);
        PyObject *ids = PyList_New(count);
        if (!ids) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, ids);
        for (int32_t j = 0; j < count; j++, next += 4) {
            int32_t value;
            memcpy(&value, next, 4);
            PyObject *item = int_of(value);
            if (!item) {
                Py_CLEAR(result);
                goto done;
            }
            PyList_SET_ITEM(ids, j, item);
        }
    }
done:
    if (collecting) PyGC_Enable();
    PyBuffer_Release(&id_view);
    PyBuffer_Release(&count_view);
    return result;
}

static PyMethodDef module_methods[] = {
    {"pack_ids", pack_ids, METH_O, "pack_ids(lists) -> (ids, counts): int32 bytes, as batch.pack_ids."},
    {"unpack_ids", unpack_ids, METH_VARARGS, "unpack_ids(ids, counts) -> lists: the inverse, as batch.unpack_ids."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_packed_ids", "A chunk's ids as int32 bytes and back, in C (see batch/__init__.py for the Python).",
    -1, module_methods,
};

PyMODINIT_FUNC PyInit__packed_ids(void) { return PyModule_Create(&module_def); }
