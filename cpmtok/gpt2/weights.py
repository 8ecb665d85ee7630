"""Load transformers GPT-2 weights into the params dict of `model.py`, without torch and without pickle code.

Formats:
- `model.safetensors` (or a sharded `model.safetensors.index.json`), read with safetensors' NumPy API;
- `pytorch_model.bin`, both torch's zip format (torch >= 1.6) and the legacy one (magic number,
  pickles, raw storages). Its pickle is read by `_RestrictedUnpickler`, whose `find_class` only knows
  the records a state dict of tensors needs (`torch._utils._rebuild_tensor_v2`, `_rebuild_tensor`,
  `_rebuild_parameter`, `collections.OrderedDict` and `torch.<Type>Storage`), each replaced by a
  NumPy stand-in. Any other global (`os.system`, `builtins.eval`, ...) raises `UnsafeModelFile`
  before anything is called; tensor views are bounds-checked against their storage.

Every expected key and shape is checked against config.json; unknown and missing keys are named.
`lm_head.weight`, when the file has it, must equal `wte` (GPT2LMHeadModel ties them).
"""

from __future__ import annotations

import io
import json
import pickle
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional

import numpy as np

from ..errors import InvalidModel, UnsafeModelFile, UnsupportedModel
from .config import GPT2Config
from .model import Params

# ----------------------------------------------------------------------------------------------------
# the model directory
# ----------------------------------------------------------------------------------------------------

def load_model(directory: str | Path, *, dtype: Any = np.float32) -> tuple[GPT2Config, Params]:
    """config.json + model.safetensors (preferred) or pytorch_model.bin of `directory`, as `dtype`."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidModel(f"{directory}: not a model directory")
    config = GPT2Config.from_file(directory / "config.json")
    return config, params_from_state_dict(read_state_dict(directory), config, dtype=dtype)


def read_state_dict(directory: Path) -> dict[str, np.ndarray]:
    for name, reader in (("model.safetensors", read_safetensors),
                         ("model.safetensors.index.json", _read_safetensors_shards),
                         ("pytorch_model.bin", read_torch_bin)):
        if (directory / name).is_file():
            return reader(directory / name)
    raise InvalidModel(f"{directory}: no model.safetensors, model.safetensors.index.json or pytorch_model.bin")


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
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
    weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map", {})
    state: dict[str, np.ndarray] = {}
    for shard in sorted(set(weight_map.values())):
        state.update(read_safetensors(index.parent / shard))
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
                           dtype: Any = np.float32) -> Params:
    """Check names and shapes against `config`, then nest the tensors as `model.py` reads them."""
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

    def get(name: str) -> np.ndarray:
        return np.ascontiguousarray(tensors[name], dtype=dtype)

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


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for `torch.FloatStorage` & co: only its element type is used."""
    name: str

    @property
    def itemsize(self) -> int:
        return 2 if self.name == "BFloat16Storage" else np.dtype(_STORAGE_DTYPES[self.name]).itemsize


@dataclass
class _Storage:
    type: _StorageType
    key: str
    numel: int


@dataclass
class _TensorRef:
    """A tensor the pickle described; its bytes are read once the whole pickle is parsed."""
    storage: _Storage
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(storage: _Storage, storage_offset: int, size: tuple, stride: tuple,
                       requires_grad: bool = False, backward_hooks: Any = None, metadata: Any = None) -> _TensorRef:
    if not isinstance(storage, _Storage):
        raise UnsafeModelFile(f"tensor record over a {type(storage).__name__}, not a storage")
    return _TensorRef(storage, int(storage_offset), tuple(int(n) for n in size), tuple(int(n) for n in stride))


def _rebuild_tensor(storage: _Storage, storage_offset: int, size: tuple, stride: tuple) -> _TensorRef:
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data: _TensorRef, requires_grad: bool = False, backward_hooks: Any = None) -> _TensorRef:
    return data


class _OrderedDict(dict):
    """Stand-in for collections.OrderedDict (dicts keep order); accepts nothing but key/value pairs."""


_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("collections", "OrderedDict"): _OrderedDict,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can only build dicts, tuples, numbers, strings and tensor records."""

    def __init__(self, file: BinaryIO, source: str, persistent_load: Callable[[tuple], Any]) -> None:
        super().__init__(file)
        self._source = source
        self._persistent_load = persistent_load

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise UnsafeModelFile(
                f"{self._source}: the pickle names the global {module}.{name}; only tensor-rebuild records "
                "(torch._utils._rebuild_tensor_v2, collections.OrderedDict, torch.*Storage) are accepted. "
                "Nothing from the file was executed.") from None

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise UnsafeModelFile(f"{self._source}: unexpected persistent id {pid!r:.200}")
        return self._persistent_load(pid)


def read_torch_bin(path: Path) -> dict[str, np.ndarray]:
    """The state dict of a torch.save'd file, as NumPy arrays, with no torch and no code from the file."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            obj = _read_zip_checkpoint(path)
        else:
            obj = _read_legacy_checkpoint(path)
    except (pickle.UnpicklingError, EOFError, struct.error, KeyError, ValueError, TypeError) as err:
        if isinstance(err, InvalidModel):
            raise
        raise InvalidModel(f"{path}: not a readable torch checkpoint ({type(err).__name__}: {err})") from None
    if isinstance(obj, dict) and not any(isinstance(v, np.ndarray) for v in obj.values()):
        for wrapper in ("state_dict", "model"):  # {"state_dict": {...}} checkpoints of training scripts
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict) or not all(isinstance(k, str) and isinstance(v, np.ndarray) for k, v in obj.items()):
        raise InvalidModel(f"{path}: expected a state dict of tensors, got {type(obj).__name__}")
    return obj


def _read_zip_checkpoint(path: Path) -> Any:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [name for name in names if name.endswith("/data.pkl") or name == "data.pkl"]
        if len(pickles) != 1:
            raise InvalidModel(f"{path}: expected one data.pkl in the zip, found {len(pickles)}")
        prefix = pickles[0][: -len("data.pkl")]
        byteorder = archive.read(prefix + "byteorder").decode() if prefix + "byteorder" in names else "little"
        storages: dict[str, _Storage] = {}

        def persistent_load(pid: tuple) -> _Storage:
            _, storage_type, key, _location, numel = pid[:5]
            return storages.setdefault(str(key), _Storage(storage_type, str(key), int(numel)))

        obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), str(path), persistent_load).load()
        data = {key: archive.read(f"{prefix}data/{key}") for key in storages}
    return _materialize(obj, data, byteorder, str(path))


def _read_legacy_checkpoint(path: Path) -> Any:
    """torch < 1.6 format: magic, protocol, sys_info, the object, storage keys, then each storage's bytes."""
    storages: dict[str, _Storage] = {}

    def persistent_load(pid: tuple) -> _Storage:
        _, storage_type, key, _location, numel = pid[:5]
        if len(pid) > 5 and pid[5] is not None:
            raise UnsupportedModel(f"{path}: storage views (legacy format) are not supported")
        return storages.setdefault(str(key), _Storage(storage_type, str(key), int(numel)))

    with open(path, "rb") as file:
        def load() -> Any:
            return _RestrictedUnpickler(file, str(path), persistent_load).load()

        if load() != _LEGACY_MAGIC:
            raise InvalidModel(f"{path}: neither a zip nor a legacy torch checkpoint (bad magic number)")
        protocol, sys_info = load(), load()
        if protocol != 1001:
            raise InvalidModel(f"{path}: legacy protocol {protocol!r} is not supported")
        byteorder = "little" if not isinstance(sys_info, dict) or sys_info.get("little_endian", True) else "big"
        obj = load()
        data = {}
        for key in load():
            storage = storages[str(key)]
            (numel,) = struct.unpack("<q" if byteorder == "little" else ">q", file.read(8))
            data[str(key)] = file.read(numel * storage.type.itemsize)
    return _materialize(obj, data, byteorder, str(path))


def _materialize(obj: Any, data: dict[str, bytes], byteorder: str, source: str) -> Any:
    """Replace every _TensorRef (inside dicts, lists, tuples) by its NumPy array."""
    arrays: dict[str, np.ndarray] = {}

    def storage_array(storage: _Storage) -> np.ndarray:
        if storage.key not in arrays:
            raw = data[storage.key]
            if len(raw) != storage.numel * storage.type.itemsize:
                raise InvalidModel(f"{source}: storage {storage.key} has {len(raw)} bytes, "
                                   f"expected {storage.numel} × {storage.type.itemsize}")
            arrays[storage.key] = _decode_storage(raw, storage.type, byteorder)
        return arrays[storage.key]

    def tensor(ref: _TensorRef) -> np.ndarray:
        flat = storage_array(ref.storage)
        if len(ref.size) != len(ref.stride) or any(n < 0 for n in ref.size + ref.stride) or ref.offset < 0:
            raise InvalidModel(f"{source}: malformed tensor record {ref.size} / {ref.stride}")
        if 0 in ref.size:
            return np.zeros(ref.size, flat.dtype)
        last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride))
        if last >= flat.size:
            raise InvalidModel(f"{source}: tensor of size {ref.size} reaches past its storage of {flat.size}")
        view = np.lib.stride_tricks.as_strided(flat[ref.offset:], shape=ref.size,
                                               strides=[s * flat.itemsize for s in ref.stride], writeable=False)
        return np.array(view)

    def walk(value: Any) -> Any:
        if isinstance(value, _TensorRef):
            return tensor(value)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(walk(item) for item in value)
        return value

    return walk(obj)


def _decode_storage(raw: bytes, storage_type: _StorageType, byteorder: str) -> np.ndarray:
    order = "<" if byteorder == "little" else ">"
    if storage_type.name == "BFloat16Storage":  # NumPy has no bfloat16: its bits are a float32's top half
        return (np.frombuffer(raw, order + "u2").astype(np.uint32) << 16).view(np.float32)
    return np.frombuffer(raw, order + _STORAGE_DTYPES[storage_type.name]).astype(
        np.dtype(_STORAGE_DTYPES[storage_type.name]).newbyteorder("="))
