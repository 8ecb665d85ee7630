"""Hand-written torch checkpoint pickles: the opcodes torch.save writes, and crafted variants of them."""

from __future__ import annotations

import pickle
import struct
import zipfile

import numpy as np

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def text(value: str) -> bytes:
    raw = value.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def integer(value: int) -> bytes:
    if -2 ** 31 <= value < 2 ** 31:
        return b"J" + struct.pack("<i", value)
    raw = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw  # LONG1


def global_(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def tensor_record(key: str, numel: int, size: tuple[int, ...], offset: int = 0,
                  stride: tuple[int, ...] | None = None, storage: str = "FloatStorage") -> bytes:
    """_rebuild_tensor_v2((storage pid), offset, size, stride, False, OrderedDict()), as torch.save writes it."""
    if stride is None:
        stride = tuple(int(np.prod(size[i + 1:])) for i in range(len(size)))
    pid = b"(" + text("storage") + global_("torch", storage) + text(key) + text("cpu") + integer(numel) + b"tQ"
    return (global_("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + integer(offset)
            + b"(" + b"".join(map(integer, size)) + b"t" + b"(" + b"".join(map(integer, stride)) + b"t"
            + b"\x89" + global_("collections", "OrderedDict") + b")R" + b"tR")


def state_dict_pickle(entries: list[tuple[str, bytes]]) -> bytes:
    return b"\x80\x02" + global_("collections", "OrderedDict") + b")R" + b"(" + b"".join(
        text(name) + record for name, record in entries) + b"u."


def zip_checkpoint(path, data_pkl: bytes, storages: dict[str, bytes] = {}, byteorder: str = "little") -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data_pkl)
        archive.writestr("archive/byteorder", byteorder)
        archive.writestr("archive/version", "3\n")
        for key, raw in storages.items():
            archive.writestr(f"archive/data/{key}", raw)


def legacy_checkpoint(path, data_pkl: bytes, keys: list[str] = [], storages: bytes = b"",
                      sys_info: dict | None = None) -> None:
    """torch < 1.6 layout: magic, protocol, sys_info, the object, the storage keys, the storages."""
    header = [LEGACY_MAGIC, 1001, {"little_endian": True} if sys_info is None else sys_info]
    path.write_bytes(b"".join(pickle.dumps(part, protocol=2) for part in header) + data_pkl
                     + pickle.dumps(keys, protocol=2) + storages)
