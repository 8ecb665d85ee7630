"""Load transformers GPT-2 weights into the params dict of `model.py`, without torch and without pickle code.

Formats:
- `model.safetensors` (or a sharded `model.safetensors.index.json`), read with safetensors' NumPy API;
- `pytorch_model.bin`, both torch's zip format (torch >= 1.6) and the legacy one (magic number,
  pickles, raw storages). Its pickle is read by `_StateDictUnpickler`, whose `find_class` only knows
  the records a state dict of tensors needs (`torch._utils._rebuild_tensor_v2`, `_rebuild_tensor`,
  `_rebuild_parameter`, `collections.OrderedDict` and `torch.<Type>Storage`), each replaced by a
  fresh stand-in per load. Any other global (`os.system`, `builtins.eval`, ...) raises `UnsafeModelFile`
  before anything is called; opcodes are allow-listed and counted, nesting is bounded; every tensor
  must lie inside its storage without overlapping itself, every storage's declared size must match the
  bytes the file really has (zip entries checked before inflating), and the byte order must be little.
- shard files named by an index must lie inside the model folder.

NaN or infinite weights are a `NonFiniteWeights` unless `allow_nonfinite=True`.

Every expected key and shape is checked against config.json; unknown and missing keys are named.
`lm_head.weight`, when the file has it, must equal `wte` (GPT2LMHeadModel ties them).
"""

from __future__ import annotations

import io
import math
import mmap
import pickle
import pickletools
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from ..errors import InvalidModel, NonFiniteWeights, UnsafeModelFile, UnsafeShardPath, UnsupportedModel
from .config import GPT2Config, read_json
from .model import Params

# ----------------------------------------------------------------------------------------------------
# the model directory
# ----------------------------------------------------------------------------------------------------

def load_model(directory: str | Path, *, dtype: Any = np.float32,
               allow_nonfinite: bool = False) -> tuple[GPT2Config, Params]:
    """config.json + model.safetensors (preferred) or pytorch_model.bin of `directory`, as `dtype`.
    NaN or infinite weights (also from overflow in `dtype`) are a `NonFiniteWeights` unless allowed."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidModel(f"{directory}: not a model directory")
    config = GPT2Config.from_file(directory / "config.json")
    return config, params_from_state_dict(read_state_dict(directory), config, dtype=dtype,
                                          allow_nonfinite=allow_nonfinite)


def read_state_dict(directory: Path) -> dict[str, np.ndarray]:
    for name, reader in (("model.safetensors", read_safetensors),
                         ("model.safetensors.index.json", _read_safetensors_shards),
                         ("pytorch_model.bin", read_torch_bin)):
        if (directory / name).exists():
            return reader(directory / name)
    raise InvalidModel(f"{directory}: no model.safetensors, model.safetensors.index.json or pytorch_model.bin")


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    if not Path(path).is_file():
        raise InvalidModel(f"{path}: not a regular file")
    try:
        from safetensors.numpy import load_file
    except ImportError:
        raise UnsupportedModel(f"{path}: reading safetensors needs the safetensors package "
                               "(pip install 'cpmtok[weights]')") from None
    try:
        return load_file(str(path))
    except Exception as err:  # safetensors raises its own SafetensorError / TypeError for bf16
        raise InvalidModel(f"{path}: cannot read as safetensors with NumPy ({err})") from None


def _read_safetensors_shards(index: Path) -> dict[str, np.ndarray]:
    """The shards a `model.safetensors.index.json` names, each a file inside the index's folder."""
    raw = read_json(index, "shard index", InvalidModel)
    weight_map = raw.get("weight_map") if isinstance(raw, dict) else None
    if not isinstance(weight_map, dict) or not all(
            isinstance(key, str) and isinstance(shard, str) for key, shard in weight_map.items()):
        raise InvalidModel(f"{index}: expected an object whose \"weight_map\" maps tensor names to file names")
    folder = index.parent.resolve()
    state: dict[str, np.ndarray] = {}
    for shard in sorted(set(weight_map.values())):
        path = index.parent / shard
        if Path(shard).is_absolute() or not path.resolve().is_relative_to(folder):
            raise UnsafeShardPath(f"{index}: shard {shard!r:.200} is outside the model folder {folder}")
        state.update(read_safetensors(path))
    return state


# ----------------------------------------------------------------------------------------------------
# names and shapes
# ----------------------------------------------------------------------------------------------------

_IGNORED = re.compile(r"h\.\d+\.attn\.(bias|masked_bias)")  # causal-mask buffers of older transformers


def expected_shapes(config: GPT2Config) -> dict[str, tuple[int, ...]]:
    """Every tensor of a GPT2LMHeadModel state dict (without the `transformer.` prefix), and its shape."""
    e, i = config.n_embd, config.inner_dim
    shapes = {"wte.weight": (config.vocab_size, e), "wpe.weight": (config.n_positions, e),
              "ln_f.weight": (e,), "ln_f.bias": (e,)}
    for layer in range(config.n_layer):
        for name, shape in (("ln_1.weight", (e,)), ("ln_1.bias", (e,)),
                            ("attn.c_attn.weight", (e, 3 * e)), ("attn.c_attn.bias", (3 * e,)),
                            ("attn.c_proj.weight", (e, e)), ("attn.c_proj.bias", (e,)),
                            ("ln_2.weight", (e,)), ("ln_2.bias", (e,)),
                            ("mlp.c_fc.weight", (e, i)), ("mlp.c_fc.bias", (i,)),
                            ("mlp.c_proj.weight", (i, e)), ("mlp.c_proj.bias", (e,))):
            shapes[f"h.{layer}.{name}"] = shape
    return shapes


def params_from_state_dict(state: dict[str, np.ndarray], config: GPT2Config, *,
                           dtype: Any = np.float32, allow_nonfinite: bool = False) -> Params:
    """Check names and shapes against `config`, then nest the tensors as `model.py` reads them
    (as `dtype`: NaN or infinity there is a `NonFiniteWeights` unless `allow_nonfinite`)."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float16, np.float32, np.float64):
        raise UnsupportedModel(f"dtype {dtype} is not supported (float16, float32 or float64)")
    expected = expected_shapes(config)
    tensors: dict[str, np.ndarray] = {}
    lm_head: Optional[np.ndarray] = None
    unknown = []
    for key, value in state.items():
        name = key.removeprefix("transformer.")
        if key == "lm_head.weight":
            lm_head = value
        elif name in expected:
            if name in tensors:
                raise InvalidModel(f"{name} appears twice (with and without the 'transformer.' prefix)")
            tensors[name] = value
        elif not _IGNORED.fullmatch(name):
            unknown.append(key)
    missing = [name for name in expected if name not in tensors]
    if unknown or missing:
        raise InvalidModel("state dict does not match config.json: "
                           + "; ".join(filter(None, [
                               missing and f"missing {', '.join(missing[:20])}" + (" ..." if len(missing) > 20 else ""),
                               unknown and f"unknown {', '.join(unknown[:20])}" + (" ..." if len(unknown) > 20 else "")])))
    wrong = [f"{name} is {tuple(tensors[name].shape)}, expected {shape}"
             for name, shape in expected.items() if tuple(tensors[name].shape) != shape]
    if wrong:
        raise InvalidModel("wrong shapes: " + "; ".join(wrong))
    not_float = [name for name, value in tensors.items() if value.dtype.kind != "f"]
    if not_float:
        raise InvalidModel(f"not floating point: {', '.join(not_float)}")
    if lm_head is not None and not np.array_equal(lm_head, tensors["wte.weight"]):
        raise UnsupportedModel("lm_head.weight differs from wte.weight; only tied embeddings are supported")

    with np.errstate(over="ignore"):  # overflow to infinity is reported just below
        converted = {name: np.ascontiguousarray(value, dtype=dtype) for name, value in tensors.items()}
    nonfinite = [name for name, value in converted.items() if not allow_nonfinite and not np.isfinite(value).all()]
    if nonfinite:
        raise NonFiniteWeights(f"NaN or infinite weights (as {dtype}) in {', '.join(nonfinite[:10])}"
                               + (" ..." if len(nonfinite) > 10 else "") + "; pass allow_nonfinite=True to load them")

    def get(name: str) -> np.ndarray:
        return converted[name]

    def norm(prefix: str) -> dict[str, np.ndarray]:
        return {"g": get(f"{prefix}.weight"), "b": get(f"{prefix}.bias")}

    def dense(prefix: str) -> dict[str, np.ndarray]:
        return {"w": get(f"{prefix}.weight"), "b": get(f"{prefix}.bias")}

    return {
        "wte": get("wte.weight"), "wpe": get("wpe.weight"), "ln_f": norm("ln_f"),
        "blocks": [{"ln_1": norm(f"h.{n}.ln_1"), "ln_2": norm(f"h.{n}.ln_2"),
                    "attn": {"c_attn": dense(f"h.{n}.attn.c_attn"), "c_proj": dense(f"h.{n}.attn.c_proj")},
                    "mlp": {"c_fc": dense(f"h.{n}.mlp.c_fc"), "c_proj": dense(f"h.{n}.mlp.c_proj")}}
                   for n in range(config.n_layer)],
    }


# ----------------------------------------------------------------------------------------------------
# pytorch_model.bin without torch
# ----------------------------------------------------------------------------------------------------

_STORAGE_DTYPES = {
    "DoubleStorage": "f8", "FloatStorage": "f4", "HalfStorage": "f2", "BFloat16Storage": "bf16",
    "LongStorage": "i8", "IntStorage": "i4", "ShortStorage": "i2", "CharStorage": "i1",
    "ByteStorage": "u1", "BoolStorage": "?",
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C

# What one pickle may ask for. A state dict of a few thousand tensors needs ~30 opcodes per tensor,
# tuples of a handful of items and nesting of depth 4: the limits are far above that and far below a stall.
_MAX_OPCODES = 1_000_000
_MAX_DEPTH = 32
_MAX_TUPLE_NODES = 1_000  # hashing a tuple visits every tuple inside it: shared (x, x) pairs double per level
_MAX_DIMS = 32
_MAX_EXTENT = 2 ** 60  # sizes, strides, offsets and element counts stay far inside int64 bytes
_MAX_INFLATION = 4  # the zip entries read may decompress to at most this many times the archive's size


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for `torch.FloatStorage` & co: only its element type is used. A new one per GLOBAL opcode."""
    name: str

    @property
    def itemsize(self) -> int:
        return 2 if self.name == "BFloat16Storage" else np.dtype(_STORAGE_DTYPES[self.name]).itemsize


@dataclass(frozen=True)
class _Storage:
    type: _StorageType
    key: str
    numel: int

    @property
    def nbytes(self) -> int:
        return self.numel * self.type.itemsize


@dataclass(frozen=True)
class _TensorRef:
    """A tensor the pickle described, inside its storage and not overlapping itself (`_rebuild_tensor_v2`
    checked); its bytes are read once the whole pickle is parsed."""
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


class _OrderedDict(dict):
    """Stand-in for collections.OrderedDict (dicts keep order)."""


def _ints(value: Any, what: str) -> tuple[int, ...]:
    if type(value) is not tuple or len(value) > _MAX_DIMS or not all(
            type(n) is int and 0 <= n < _MAX_EXTENT for n in value):
        raise InvalidModel(f"tensor {what} must be a tuple of at most {_MAX_DIMS} integers in [0, 2^60)")
    return value


def _rebuild_tensor_v2(storage: Any, storage_offset: Any, size: Any, stride: Any,
                       requires_grad: Any = False, backward_hooks: Any = None, metadata: Any = None) -> _TensorRef:
    if not isinstance(storage, _Storage):
        raise UnsafeModelFile(f"tensor record over a {type(storage).__name__}, not a storage")
    (offset,), size, stride = _ints((storage_offset,), "offset"), _ints(size, "size"), _ints(stride, "stride")
    if len(size) != len(stride):
        raise InvalidModel(f"tensor record with {len(size)} sizes and {len(stride)} strides")
    if 0 in size:
        if math.prod(size[:size.index(0)] + size[size.index(0) + 1:]) >= _MAX_EXTENT:
            raise InvalidModel(f"empty tensor of size {size} is too large to describe")
        return _TensorRef(storage, offset, size, stride)
    # From the smallest stride up, each dimension must step past all the smaller ones reach: no element is
    # read twice (stride 0 would let a 4-byte storage fill gigabytes), so a tensor is never larger than its storage.
    extent = 1
    for step, count in sorted((s, n) for n, s in zip(size, stride) if n > 1):
        if step < extent:
            raise InvalidModel(f"tensor of size {size} and stride {stride} overlaps itself")
        extent += step * (count - 1)
    if offset + extent > storage.numel:
        raise InvalidModel(f"tensor of size {size} at offset {offset} reaches past its storage of {storage.numel}")
    return _TensorRef(storage, offset, size, stride)


def _rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any) -> _TensorRef:
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data: Any, requires_grad: Any = False, backward_hooks: Any = None) -> Any:
    return data


@dataclass(frozen=True)
class _Callable:
    """What a GLOBAL opcode names, wrapped anew each time: the only thing REDUCE may call."""
    function: Callable[..., Any]

    def __call__(self, *args: Any) -> Any:
        return self.function(*args)


_ALLOWED_GLOBALS: dict[tuple[str, str], Callable[[], Any]] = {
    ("torch._utils", "_rebuild_tensor_v2"): lambda: _Callable(_rebuild_tensor_v2),
    ("torch._utils", "_rebuild_tensor"): lambda: _Callable(_rebuild_tensor),
    ("torch._utils", "_rebuild_parameter"): lambda: _Callable(_rebuild_parameter),
    ("collections", "OrderedDict"): lambda: _Callable(_OrderedDict),
    **{("torch", name): (lambda name=name: _StorageType(name)) for name in _STORAGE_DTYPES},
}

_Unpickler = pickle._Unpickler  # type: ignore[attr-defined]  # pure Python: its opcodes can be allow-listed


class _StateDictUnpickler(_Unpickler):  # type: ignore[misc, valid-type]
    """An unpickler that can only build dicts, lists, tuples, numbers, strings and tensor records.

    Opcodes are allow-listed (no INST/OBJ/NEWOBJ/extension codes); REDUCE only calls the rebuild stand-ins
    and BUILD only an OrderedDict's (dropped) state, so no object outlives the load or is shared with the
    next one; the number of opcodes, the nesting depth and the size of tuples are bounded. (Depth is counted
    as containers are built and filled; a list filled after being nested is not re-counted, which is safe
    because only tuples are ever walked: hashed as dict keys. Nothing here recurses into lists or dicts.)"""

    def __init__(self, file: Any, source: str, persistent_load: Callable[[tuple], _Storage]) -> None:
        super().__init__(file)
        self._source = source
        self._storage = persistent_load
        self._opcodes = 0
        self._depth: dict[int, int] = {}  # id of each container built → its nesting depth
        self._nodes: dict[int, int] = {}  # id of each tuple built → the tuples in it, itself included

    def load(self) -> Any:
        try:
            return super().load()
        except InvalidModel as err:  # most are raised below without the file's name
            if str(err).startswith(self._source):
                raise
            raise type(err)(f"{self._source}: {err}") from None

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_GLOBALS[(module, name)]()
        except KeyError:
            raise UnsafeModelFile(
                f"the pickle names the global {module}.{name}; only tensor-rebuild records "
                "(torch._utils._rebuild_tensor_v2, collections.OrderedDict, torch.*Storage) are accepted. "
                "Nothing from the file was executed.") from None

    def persistent_load(self, pid: Any) -> _Storage:
        if not (type(pid) is tuple and len(pid) in (5, 6) and pid[0] == "storage"
                and isinstance(pid[1], _StorageType) and type(pid[2]) is str
                and type(pid[4]) is int and 0 <= pid[4] < _MAX_EXTENT):
            raise UnsafeModelFile(f"a persistent id is not a storage record "
                                  "('storage', torch.*Storage, key, location, size)")
        return self._storage(pid)

    def step(self, op: Callable[[Any], None]) -> None:
        self._opcodes += 1
        if self._opcodes > _MAX_OPCODES:
            raise InvalidModel(f"the pickle has more than {_MAX_OPCODES:,} opcodes")
        op(self)

    def built(self) -> None:
        """A container was just made on top of the stack: record its nesting depth (and a tuple's size)."""
        top = self.stack[-1]
        if type(top) is tuple:
            self._depth[id(top)] = 1
            self.holds(top, top)
            nodes = 1 + sum(self._nodes.get(id(item), 1) for item in top if type(item) is tuple)
            if nodes > _MAX_TUPLE_NODES:
                raise InvalidModel(f"the pickle builds a tuple of more than "
                                   f"{_MAX_TUPLE_NODES} nested tuples")
            self._nodes[id(top)] = nodes
        elif isinstance(top, (list, dict)):
            self._depth[id(top)] = 1

    def holds(self, container: Any, items: Any) -> None:
        """`container` now holds `items`: it is deeper than any of them."""
        depth = max([self._depth.get(id(container), 1)]
                    + [1 + self._depth.get(id(item), 1) for item in items if isinstance(item, (tuple, list, dict))])
        if depth > _MAX_DEPTH:
            raise InvalidModel(f"the pickle nests containers deeper than {_MAX_DEPTH}")
        self._depth[id(container)] = depth


def _reduce(self: _StateDictUnpickler) -> None:
    args = self.stack.pop()
    function = self.stack[-1]
    if not isinstance(function, _Callable) or type(args) is not tuple:
        raise UnsafeModelFile(f"REDUCE applied to a {type(function).__name__}")
    self.stack[-1] = function(*args)
    self.built()


def _build(self: _StateDictUnpickler) -> None:
    """torch's state dicts carry `_metadata` this way; it is not needed, so it is dropped."""
    self.stack.pop()
    if type(self.stack[-1]) is not _OrderedDict:
        raise UnsafeModelFile(f"BUILD (set state) applied to a {type(self.stack[-1]).__name__}; "
                              "only an OrderedDict's state is accepted")


class _Dispatch(dict):
    def __missing__(self, code: int) -> Callable[[Any], None]:
        name = next((op.name for op in pickletools.opcodes if op.code == chr(code)), "unknown")
        raise UnsafeModelFile(f"pickle opcode {name} ({bytes([code])!r}) is not accepted in a state dict")


def _opcode_table() -> _Dispatch:
    """Each allowed opcode: counted, then pickle's own implementation with the depth/size bookkeeping."""
    code = {op.name: op.code.encode("latin-1")[0] for op in pickletools.opcodes}
    own = {name: _Unpickler.dispatch[code[name]] for name in code if code[name] in _Unpickler.dispatch}
    plain = ("PROTO FRAME STOP MARK NONE NEWTRUE NEWFALSE BININT BININT1 BININT2 LONG1 BINFLOAT BINUNICODE "
             "SHORT_BINUNICODE BINSTRING SHORT_BINSTRING BINPUT LONG_BINPUT MEMOIZE BINGET LONG_BINGET "
             "GLOBAL STACK_GLOBAL BINPERSID").split()
    ops: dict[str, Callable[[Any], None]] = {name: own[name] for name in plain}
    ops["REDUCE"], ops["BUILD"] = _reduce, _build

    def making(op: Callable[[Any], None]) -> Callable[[Any], None]:
        return lambda self: (op(self), self.built())

    def filling(op: Callable[[Any], None], count: int) -> Callable[[Any], None]:
        return lambda self: (self.holds(self.stack[-count - 1], self.stack[-count:]), op(self))

    def filling_since_mark(op: Callable[[Any], None]) -> Callable[[Any], None]:
        return lambda self: (self.holds(self.metastack[-1][-1], self.stack), op(self))

    for name in ("TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "EMPTY_TUPLE", "EMPTY_LIST", "EMPTY_DICT"):
        ops[name] = making(own[name])
    ops["APPEND"], ops["SETITEM"] = filling(own["APPEND"], 1), filling(own["SETITEM"], 2)
    ops["APPENDS"], ops["SETITEMS"] = filling_since_mark(own["APPENDS"]), filling_since_mark(own["SETITEMS"])
    return _Dispatch({code[name]: (lambda self, op=op: self.step(op)) for name, op in ops.items()})


_StateDictUnpickler.dispatch = _opcode_table()


def read_torch_bin(path: Path) -> dict[str, np.ndarray]:
    """The state dict of a torch.save'd file, as read-only NumPy arrays over its storages, with no torch and
    no code from the file. Every size is checked against the file's real size before anything is allocated."""
    path = Path(path)
    if not path.is_file():
        raise InvalidModel(f"{path}: not a regular file")
    try:
        if zipfile.is_zipfile(path):
            return _read_zip_checkpoint(path)
        return _read_legacy_checkpoint(path)
    except (pickle.UnpicklingError, EOFError, struct.error, KeyError, ValueError, TypeError, IndexError,
            zipfile.BadZipFile, NotImplementedError, OverflowError) as err:
        if isinstance(err, InvalidModel):
            raise
        raise InvalidModel(f"{path}: not a readable torch checkpoint ({type(err).__name__}: {err})") from None


def _tensor_refs(obj: Any, source: str) -> dict[str, _TensorRef]:
    """The state dict in what the pickle built: a dict of tensors, or one under "state_dict" / "model"."""
    if isinstance(obj, dict) and not any(isinstance(v, _TensorRef) for v in obj.values()):
        for wrapper in ("state_dict", "model"):  # {"state_dict": {...}} checkpoints of training scripts
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict) or not all(type(k) is str and isinstance(v, _TensorRef) for k, v in obj.items()):
        raise InvalidModel(f"{source}: expected a state dict of tensors, got {type(obj).__name__}")
    return obj


class _Storages:
    """The storages one pickle refers to: created on first mention, the same key always the same storage."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.by_key: dict[str, _Storage] = {}

    def __call__(self, pid: tuple) -> _Storage:
        storage = _Storage(pid[1], pid[2], pid[4])
        if self.by_key.setdefault(storage.key, storage) != storage:
            raise InvalidModel(f"{self.source}: storage {storage.key} is described twice, differently")
        return storage


def _read_zip_checkpoint(path: Path) -> dict[str, np.ndarray]:
    budget = _MAX_INFLATION * path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: info for info in archive.infolist()}

        def read(name: str, size: Optional[int] = None) -> bytes:
            nonlocal budget
            info = entries.get(name)
            if info is None:
                raise InvalidModel(f"{path}: the zip has no {name}")
            if size is not None and info.file_size != size:
                raise InvalidModel(f"{path}: {name} has {info.file_size} bytes, expected {size}")
            budget -= info.file_size
            if budget < 0:
                raise InvalidModel(f"{path}: the zip's entries would inflate to more than {_MAX_INFLATION}× "
                                   "the file's size")
            return archive.read(info)

        pickles = [name for name in entries if name.endswith("/data.pkl") or name == "data.pkl"]
        if len(pickles) != 1:
            raise InvalidModel(f"{path}: expected one data.pkl in the zip, found {len(pickles)}")
        prefix = pickles[0][: -len("data.pkl")]
        if prefix + "byteorder" in entries:
            byteorder = read(prefix + "byteorder", len(b"little"))
            if byteorder != b"little":
                raise UnsupportedModel(f"{path}: byteorder record {byteorder!r:.20} is not b'little'")
        storages = _Storages(str(path))
        refs = _tensor_refs(_StateDictUnpickler(io.BytesIO(read(pickles[0])), str(path), storages).load(), str(path))
        data = {key: read(f"{prefix}data/{key}", storage.nbytes) for key, storage in storages.by_key.items()}
    return _materialize(refs, data)


def _read_legacy_checkpoint(path: Path) -> dict[str, np.ndarray]:
    """torch < 1.6 format: magic, protocol, sys_info, the object, storage keys, then each storage's bytes."""
    storages = _Storages(str(path))

    def storage(pid: tuple) -> _Storage:
        if len(pid) > 5 and pid[5] is not None:
            raise UnsupportedModel(f"{path}: storage views (legacy format) are not supported")
        return storages(pid)

    with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        def load() -> Any:
            return _StateDictUnpickler(mapped, str(path), storage).load()

        if load() != _LEGACY_MAGIC:
            raise InvalidModel(f"{path}: neither a zip nor a legacy torch checkpoint (bad magic number)")
        protocol, sys_info = load(), load()
        if protocol != 1001:
            raise InvalidModel(f"{path}: legacy protocol {protocol!r:.40} is not supported")
        if not isinstance(sys_info, dict) or sys_info.get("little_endian") is not True:
            raise UnsupportedModel(f"{path}: the legacy header does not say little_endian=True")
        refs = _tensor_refs(load(), str(path))
        keys = load()
        if type(keys) is not list or set(keys) != set(storages.by_key):
            raise InvalidModel(f"{path}: the storage list does not name the storages the tensors use")
        data = {}
        for key in keys:
            (numel,) = struct.unpack("<q", mapped.read(8))
            nbytes = storages.by_key[key].nbytes
            if numel != storages.by_key[key].numel or nbytes > len(mapped) - mapped.tell():
                raise InvalidModel(f"{path}: storage {key} has {numel} elements and the file "
                                   f"{len(mapped) - mapped.tell()} bytes left, expected {nbytes} bytes")
            data[key] = mapped.read(nbytes)
    return _materialize(refs, data)


def _materialize(refs: dict[str, _TensorRef], data: dict[str, bytes]) -> dict[str, np.ndarray]:
    """Each tensor as a read-only view of its storage's array (views of one storage share its memory)."""
    arrays = {ref.storage.key: _decode_storage(data[ref.storage.key], ref.storage.type) for ref in refs.values()}
    tensors = {}
    for name, ref in refs.items():
        flat = arrays[ref.storage.key]
        if 0 in ref.size:
            tensors[name] = np.zeros(ref.size, flat.dtype)
        else:
            tensors[name] = np.lib.stride_tricks.as_strided(
                flat[ref.offset:], shape=ref.size, strides=[s * flat.itemsize for s in ref.stride], writeable=False)
    return tensors


def _decode_storage(raw: bytes, storage_type: _StorageType) -> np.ndarray:
    """Little-endian bytes as a native array (a view where the machine is little-endian too)."""
    if storage_type.name == "BFloat16Storage":  # NumPy has no bfloat16: its bits are a float32's top half
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    array = np.frombuffer(raw, "<" + _STORAGE_DTYPES[storage_type.name])
    return array if array.dtype.isnative else array.astype(array.dtype.newbyteorder("="))
