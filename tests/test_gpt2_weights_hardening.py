"""Weight files built to poison, stall or exhaust the loader: each is a typed error, fast and small.

Every file is crafted here. Memory is measured with tracemalloc (NumPy reports its buffers to it), so a
test fails if reading a file allocates more than a small multiple of the file's size.
"""

from __future__ import annotations

import json
import shutil
import signal
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
import torch
from safetensors.numpy import save_file

from gpt2_tiny import save, tiny_model
from torch_pickles import (global_, legacy_checkpoint, state_dict_pickle, tensor_record, text,
                           zip_checkpoint)

from cpmtok.errors import InvalidModel, NonFiniteWeights, UnsafeModelFile, UnsafeShardPath, UnsupportedModel
from cpmtok.gpt2 import GPT2Config, load_model, read_torch_bin
from cpmtok.gpt2 import weights


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return save(tiny_model(seed=5), tmp_path_factory.mktemp("model"), safetensors=True)


def _stalled(signum, frame):
    raise TimeoutError("the loader stalled: no answer within 60 s (a bounded loader answers in well under one)")


def _read_bounded(path, error, match, *, factor=8):
    """read_torch_bin(path) raises `error` and does not stall, allocating at most factor × the file.

    A stall is a hang guard (an alarm), not a timing assertion: an unbounded loader never answers at all.
    """
    tracemalloc.start()
    previous = signal.signal(signal.SIGALRM, _stalled)
    signal.alarm(60)
    try:
        with pytest.raises(error, match=match):
            read_torch_bin(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        tracemalloc.stop()
    assert peak < factor * path.stat().st_size + (1 << 20), f"allocated {peak} bytes for a {path.stat().st_size}-byte file"


def _nested_pairs(levels: int) -> bytes:
    """x = 1; then `levels` times x = (x, x), sharing x through the memo: 2^levels leaves in few bytes."""
    return b"K\x01q\x00" + b"h\x00h\x00\x86q\x00" * levels


# --- the pickle --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("container", ["zip", "legacy"])
def test_shared_nested_pairs_do_not_stall(tmp_path, container):
    """40 levels of (x, x): hashing it as a dict key would visit 2^40 tuples."""
    data = b"\x80\x02}" + _nested_pairs(40) + b"K\x01s."
    path = tmp_path / "pytorch_model.bin"
    if container == "zip":
        zip_checkpoint(path, data)
    else:
        legacy_checkpoint(path, data)
    _read_bounded(path, InvalidModel, "nested tuples")


@pytest.mark.parametrize("nesting", [b"K\x01" + b"\x85" * 100_000, b"]q\x00" + b"]h\x00aq\x00" * 100_000,
                                     b"}q\x00" + b"}K\x01h\x00sq\x00" * 100_000], ids=["tuples", "lists", "dicts"])
def test_deep_nesting_is_refused(tmp_path, nesting):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, b"\x80\x02" + nesting + b".")
    _read_bounded(path, InvalidModel, "nests containers deeper than 32")


def test_opcode_count_is_limited(tmp_path, monkeypatch):
    monkeypatch.setattr(weights, "_MAX_OPCODES", 1_000)
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, b"\x80\x02K\x01" + b"q\x00" * 2_000 + b".")
    _read_bounded(path, InvalidModel, "more than 1,000 opcodes")


@pytest.mark.parametrize("opcode, name", [(b"i__main__\nX\n", "INST"), (b"\x81", "NEWOBJ"), (b"\x82\x01", "EXT1"),
                                          (b"(\x8f", "EMPTY_SET"), (b"K\x012", "DUP"), (b"\xff", "unknown")])
def test_opcodes_a_state_dict_does_not_need_are_refused(tmp_path, opcode, name):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, b"\x80\x02" + opcode + b".")
    with pytest.raises(UnsafeModelFile, match=f"opcode {name} "):
        read_torch_bin(path)


@pytest.mark.parametrize("poison", [
    global_("torch", "HalfStorage") + b"}" + text("name") + text("BFloat16Storage") + b"sb.",  # __dict__ update
    global_("torch", "HalfStorage") + b"N}" + text("name") + text("BFloat16Storage") + b"s\x86b.",  # setattr
    global_("torch._utils", "_rebuild_tensor_v2") + b"}" + text("function") + b"Nsb.",
    global_("collections", "OrderedDict") + b"}" + text("fromkeys") + b"Nsb.",
], ids=["storage-dict", "storage-slots", "rebuild-function", "ordered-dict-class"])
def test_a_poison_file_cannot_change_the_next_load(tmp_path, poison):
    good = tmp_path / "good.bin"
    state = {"h": torch.randn(7).half(), "f": torch.randn(3, 2)}
    torch.save(state, good)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x80\x02" + poison)
    with pytest.raises(UnsafeModelFile, match="BUILD"):
        read_torch_bin(bad)
    zip_checkpoint(bad, b"\x80\x02" + poison)
    with pytest.raises(UnsafeModelFile, match="BUILD"):
        read_torch_bin(bad)
    got = read_torch_bin(good)
    for name, tensor in state.items():
        assert got[name].dtype == tensor.numpy().dtype
        np.testing.assert_array_equal(got[name], tensor.numpy())


def test_reduce_calls_only_the_rebuild_records(tmp_path):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, b"\x80\x02" + text("eval") + b")R.")
    with pytest.raises(UnsafeModelFile, match="REDUCE applied to a str"):
        read_torch_bin(path)


# --- tensors against their storages ---------------------------------------------------------------------------

@pytest.mark.parametrize("size, stride", [((200_000_000,), (0,)), ((2, 2), (1, 1)), ((3, 4), (4, 2))],
                         ids=["stride-0", "overlap", "overlap-2d"])
def test_tensors_that_reuse_storage_elements_are_refused(tmp_path, size, stride):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 16, size, stride=stride))]), {"0": bytes(64)})
    _read_bounded(path, InvalidModel, "overlaps itself")


@pytest.mark.parametrize("size", [(2 ** 64,), (2 ** 64, 0), (-1,), (2 ** 40, 2 ** 40, 0)])
def test_impossible_sizes_are_refused(tmp_path, size):
    path = tmp_path / "pytorch_model.bin"
    record = tensor_record("0", 4, size, stride=(1,) * len(size))
    zip_checkpoint(path, state_dict_pickle([("w", record)]), {"0": bytes(16)})
    _read_bounded(path, InvalidModel, "tensor size must be|too large to describe")


def test_many_records_over_one_storage_share_its_memory(tmp_path):
    """Views, not copies: 2,000 full views of a 1 MB storage do not allocate 2 GB."""
    path = tmp_path / "pytorch_model.bin"
    record = tensor_record("0", 1 << 18, (1 << 18,))
    zip_checkpoint(path, state_dict_pickle([(f"w{i}", record) for i in range(2_000)]), {"0": bytes(1 << 20)})
    tracemalloc.start()
    try:
        got = read_torch_bin(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(got) == 2_000 and peak < 8 * path.stat().st_size


def test_storage_sizes_are_checked_before_reading(tmp_path):
    """A storage declared larger than its zip entry, or than what a legacy file holds, is not allocated."""
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 2 ** 40, (4,)))]), {"0": bytes(16)})
    _read_bounded(path, InvalidModel, r"data/0 has 16 bytes, expected 4398046511104")
    legacy_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 2 ** 40, (4,)))]), ["0"],
                      struct.pack("<q", 2 ** 40) + bytes(16))
    _read_bounded(path, InvalidModel, "storage 0 has 1099511627776 elements and the file 16 bytes left")


def test_zip_bomb_is_not_inflated(tmp_path):
    """64 MB of zeros deflate to ~64 KB; the entry's declared size is refused before inflating."""
    numel = 16 << 20
    path = tmp_path / "pytorch_model.bin"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", state_dict_pickle([("w", tensor_record("0", numel, (numel,)))]))
        with archive.open("archive/data/0", "w") as entry:
            for _ in range(64):
                entry.write(bytes(1 << 20))
    assert path.stat().st_size < 1 << 20
    _read_bounded(path, InvalidModel, "inflate to more than 4× the file's size")


@pytest.mark.parametrize("byteorder", ["LITTLE", "big", "little\n", ""])
def test_byteorder_must_be_little(tmp_path, byteorder):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 4, (4,)))]), {"0": bytes(16)}, byteorder)
    with pytest.raises(InvalidModel, match="byteorder"):
        read_torch_bin(path)


@pytest.mark.parametrize("sys_info", [{"little_endian": False}, {}, {"little_endian": 1}])
def test_legacy_byteorder_must_be_little(tmp_path, sys_info):
    path = tmp_path / "pytorch_model.bin"
    legacy_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 4, (4,)))]), ["0"],
                      struct.pack("<q", 4) + bytes(16), sys_info)
    with pytest.raises(UnsupportedModel, match="little_endian=True"):
        read_torch_bin(path)


def test_empty_and_strided_tensors_read_exactly(tmp_path):
    state = {"empty": torch.zeros(0, 3), "t": torch.randn(3, 5).t(), "every-other": torch.randn(12)[::2],
             "offset": torch.randn(4, 4)[1:, 2:]}
    path = tmp_path / "x.bin"
    torch.save(state, path)
    got = read_torch_bin(path)
    for name, tensor in state.items():
        np.testing.assert_array_equal(got[name], tensor.numpy(), err_msg=name)


# --- the model folder --------------------------------------------------------------------------------------

def _with_weights(model_dir, target, state):
    shutil.copy(model_dir / "config.json", target / "config.json")
    save_file(state, str(target / "model.safetensors"))
    return target


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_a_typed_error(model_dir, tmp_path, value):
    from safetensors.numpy import load_file
    state = load_file(str(model_dir / "model.safetensors"))
    state["transformer.h.1.mlp.c_fc.weight"][3, 4] = value
    _with_weights(model_dir, tmp_path, state)
    with pytest.raises(NonFiniteWeights, match=r"h\.1\.mlp\.c_fc\.weight.*allow_nonfinite=True"):
        load_model(tmp_path)
    _, params = load_model(tmp_path, allow_nonfinite=True)
    assert not np.isfinite(params["blocks"][1]["mlp"]["c_fc"]["w"]).all()


def test_overflow_in_the_asked_for_dtype_is_non_finite(model_dir, tmp_path):
    from safetensors.numpy import load_file
    state = load_file(str(model_dir / "model.safetensors"))
    state["transformer.wpe.weight"][0, 0] = 1e6  # finite in float32, infinite in float16
    _with_weights(model_dir, tmp_path, state)
    load_model(tmp_path)
    with pytest.raises(NonFiniteWeights, match=r"wpe\.weight"):
        load_model(tmp_path, dtype=np.float16)


def _sharded(model_dir, folder, shard_name):
    folder.mkdir()
    shutil.copy(model_dir / "config.json", folder / "config.json")
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {}, "weight_map": {"transformer.wte.weight": shard_name}}))
    return folder


@pytest.mark.parametrize("shard", ["../other/model.safetensors", "{outside}", "link.safetensors"],
                         ids=["dot-dot", "absolute", "symlink-out"])
def test_shard_paths_stay_in_the_model_folder(model_dir, tmp_path, shard):
    outside = tmp_path / "other" / "model.safetensors"
    outside.parent.mkdir()
    shutil.copy(model_dir / "model.safetensors", outside)  # readable: it must be refused, not fail to open
    folder = _sharded(model_dir, tmp_path / "model", shard.format(outside=outside))
    (folder / "link.safetensors").symlink_to(outside)
    with pytest.raises(UnsafeShardPath, match="outside the model folder"):
        load_model(folder)


@pytest.mark.parametrize("index", ["[1, 2]", "not json", '{"weight_map": ["a"]}', '{"weight_map": {"a": 1}}',
                                   "[" * 100_000])
def test_malformed_shard_index_is_a_typed_error(model_dir, tmp_path, index):
    shutil.copy(model_dir / "config.json", tmp_path / "config.json")
    (tmp_path / "model.safetensors.index.json").write_text(index)
    with pytest.raises(InvalidModel, match="shard index|weight_map"):
        load_model(tmp_path)


def test_directory_config_is_a_typed_error(tmp_path):
    (tmp_path / "config.json").mkdir()
    with pytest.raises(UnsupportedModel, match="not a regular file"):
        GPT2Config.from_file(tmp_path / "config.json")


@pytest.mark.parametrize("config", ["[" * 100_000, '{"layer_norm_epsilon": [1]}'])
def test_malformed_config_is_a_typed_error(model_dir, tmp_path, config):
    raw = json.loads((model_dir / "config.json").read_text())
    text = config if config.startswith("[") else json.dumps({**raw, **json.loads(config)})
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(UnsupportedModel, match="not a JSON config|layer_norm_epsilon must be a number"):
        GPT2Config.from_file(tmp_path / "config.json")


@pytest.mark.parametrize("name", ["model.safetensors", "pytorch_model.bin"])
def test_weights_path_that_is_a_directory_is_a_typed_error(model_dir, tmp_path, name):
    shutil.copy(model_dir / "config.json", tmp_path / "config.json")
    (tmp_path / name).mkdir()
    with pytest.raises(InvalidModel, match="not a regular file"):
        load_model(tmp_path)
