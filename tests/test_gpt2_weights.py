"""Weight loading: safe pytorch_model.bin reading (nothing executed), strict names/shapes, strict config."""

from __future__ import annotations

import json
import os
import pickle
import shutil

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file, save_file

from gpt2_tiny import save, tiny_model
from torch_pickles import LEGACY_MAGIC, global_, state_dict_pickle, tensor_record, text, zip_checkpoint

from cpmtok.errors import InvalidModel, UnsafeModelFile, UnsupportedModel
from cpmtok.gpt2 import GPT2Config, forward, load_model, read_torch_bin


@pytest.fixture(scope="module")
def model():
    return tiny_model(seed=21)


@pytest.fixture(scope="module")
def safetensors_dir(model, tmp_path_factory):
    return save(model, tmp_path_factory.mktemp("st"), safetensors=True)


# --- hand-written pickles -----------------------------------------------------------------------------

def _os_system_pickle(marker) -> bytes:
    return b"\x80\x02" + global_("os", "system") + b"(" + text(f"touch {marker}") + b"tR."


class _Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# --- the crafted files ----------------------------------------------------------------------------------

@pytest.mark.parametrize("container", ["zip", "legacy"])
@pytest.mark.parametrize("payload", ["os.system", "reduce", "hidden-in-tensor-record", "builtins.eval"])
def test_bin_with_a_foreign_global_is_refused_and_nothing_runs(tmp_path, container, payload):
    marker = tmp_path / "executed"
    if payload == "os.system":
        data, named = _os_system_pickle(marker), "os.system"
    elif payload == "reduce":  # what an attacker's pickle.dumps really writes
        data, named = pickle.dumps({"wte.weight": _Payload(marker)}, protocol=2), f"{os.system.__module__}.system"
    elif payload == "builtins.eval":
        data = b"\x80\x02" + global_("builtins", "eval") + b"(" + text(f"open({str(marker)!r}, 'w')") + b"tR."
        named = "builtins.eval"
    else:  # a well-formed tensor whose backward_hooks slot calls os.system
        record = tensor_record("0", 4, (4,)).replace(
            global_("collections", "OrderedDict") + b")R",
            global_("os", "system") + b"(" + text(f"touch {marker}") + b"tR")
        data, named = state_dict_pickle([("wte.weight", record)]), "os.system"
    path = tmp_path / "pytorch_model.bin"
    if container == "zip":
        zip_checkpoint(path, data, {"0": bytes(16)})
    else:
        magic = pickle.dumps(LEGACY_MAGIC, protocol=2)
        path.write_bytes(magic + pickle.dumps(1001, protocol=2) + pickle.dumps({"little_endian": True}, protocol=2) + data)
    with pytest.raises(UnsafeModelFile, match=rf"global {named.replace('.', '[.]')}.*Nothing from the file was executed"):
        read_torch_bin(path)
    assert not marker.exists(), "the pickle's code ran"


def test_directory_with_unsafe_bin_is_refused(tmp_path, safetensors_dir):
    shutil.copy(safetensors_dir / "config.json", tmp_path / "config.json")
    marker = tmp_path / "executed"
    zip_checkpoint(tmp_path / "pytorch_model.bin", _os_system_pickle(marker))
    with pytest.raises(UnsafeModelFile, match="os.system"):
        load_model(tmp_path)
    assert not marker.exists()


def test_tensor_reaching_past_its_storage_is_refused(tmp_path):
    path = tmp_path / "pytorch_model.bin"
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 4, (2, 3)))]), {"0": bytes(16)})
    with pytest.raises(InvalidModel, match="reaches past its storage"):
        read_torch_bin(path)
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 4, (4,)))]), {"0": bytes(12)})
    with pytest.raises(InvalidModel, match="data/0 has 12 bytes, expected 16"):
        read_torch_bin(path)


def test_hand_written_tensor_record_reads_back(tmp_path):
    path = tmp_path / "pytorch_model.bin"
    values = np.arange(6, dtype=np.float32)
    zip_checkpoint(path, state_dict_pickle([("w", tensor_record("0", 6, (2, 2), offset=2))]),
                    {"0": values.tobytes()})
    np.testing.assert_array_equal(read_torch_bin(path)["w"], values[2:].reshape(2, 2))


# --- torch's own formats read without torch ------------------------------------------------------------

@pytest.mark.parametrize("zip_format", [True, False], ids=["zip", "legacy"])
def test_torch_save_formats_read_exactly(tmp_path, zip_format):
    state = {"a": torch.randn(3, 4), "t": torch.randn(4, 3).t(), "h": torch.randn(5).half(),
             "b": torch.randn(2, 2).bfloat16(), "i": torch.arange(5), "slice": torch.randn(10)[3:7]}
    state["shared"] = state["a"]  # tied tensors share a storage
    path = tmp_path / "x.bin"
    torch.save(state, path, _use_new_zipfile_serialization=zip_format)
    got = read_torch_bin(path)
    assert set(got) == set(state)
    for name, tensor in state.items():
        expected = tensor.float().numpy() if tensor.dtype == torch.bfloat16 else tensor.numpy()
        assert got[name].dtype == expected.dtype, name
        np.testing.assert_array_equal(got[name], expected, err_msg=name)


def test_legacy_bin_model_equals_safetensors(model, tmp_path, safetensors_dir):
    shutil.copy(safetensors_dir / "config.json", tmp_path / "config.json")
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin", _use_new_zipfile_serialization=False)
    config, legacy = load_model(tmp_path)
    _, reference = load_model(safetensors_dir)
    ids = np.array([[1, 2, 3, 4]])
    np.testing.assert_array_equal(forward(legacy, config, ids), forward(reference, config, ids))


# --- strict names and shapes ---------------------------------------------------------------------------

def _edited_copy(source, target, edit) -> None:
    shutil.copy(source / "config.json", target / "config.json")
    state = load_file(str(source / "model.safetensors"))
    edit(state)
    save_file(state, str(target / "model.safetensors"))


def test_missing_and_unknown_keys_are_named(tmp_path, safetensors_dir):
    def edit(state):
        del state["transformer.h.1.mlp.c_fc.bias"]
        state["transformer.h.0.attn.extra"] = np.zeros(3, np.float32)

    _edited_copy(safetensors_dir, tmp_path, edit)
    with pytest.raises(InvalidModel, match=r"missing h\.1\.mlp\.c_fc\.bias; unknown transformer\.h\.0\.attn\.extra"):
        load_model(tmp_path)


def test_wrong_shape_is_named(tmp_path, safetensors_dir):
    def edit(state):
        state["transformer.wpe.weight"] = state["transformer.wpe.weight"][:10].copy()

    _edited_copy(safetensors_dir, tmp_path, edit)
    with pytest.raises(InvalidModel, match=r"wpe\.weight is \(10, 32\), expected \(96, 32\)"):
        load_model(tmp_path)


def test_lm_head_must_be_tied(tmp_path, safetensors_dir):
    def edit(state):
        state["lm_head.weight"] = state["transformer.wte.weight"] + 1

    _edited_copy(safetensors_dir, tmp_path, edit)
    with pytest.raises(UnsupportedModel, match="lm_head.weight differs from wte.weight"):
        load_model(tmp_path)


def test_tied_lm_head_and_old_mask_buffers_are_accepted(model, tmp_path, safetensors_dir):
    """torch.save(state_dict) keeps lm_head.weight; older transformers saved attn.bias mask buffers."""
    shutil.copy(safetensors_dir / "config.json", tmp_path / "config.json")
    state = dict(model.state_dict())
    state["transformer.h.0.attn.bias"] = torch.ones(1, 1, 96, 96)
    torch.save(state, tmp_path / "pytorch_model.bin")
    config, params = load_model(tmp_path)
    assert params["wte"].shape == (config.vocab_size, config.n_embd)


@pytest.mark.parametrize("key, value, message", [
    ("add_cross_attention", True, "add_cross_attention=True is not supported"),
    ("activation_function", "swish", "activation_function='swish' is not supported"),
    ("tie_word_embeddings", False, "tie_word_embeddings=False"),
    ("scale_attn_by_inverse_layer_idx", True, "scale_attn_by_inverse_layer_idx"),
    ("model_type", "gpt_neo", "model_type 'gpt_neo'"),
    ("n_head", 5, "not a multiple of n_head=5"),
    ("n_embd", None, "n_embd must be a positive integer"),
])
def test_unsupported_config_is_refused(tmp_path, safetensors_dir, key, value, message):
    raw = json.loads((safetensors_dir / "config.json").read_text())
    raw[key] = value
    (tmp_path / "config.json").write_text(json.dumps(raw))
    with pytest.raises(UnsupportedModel, match=message):
        GPT2Config.from_file(tmp_path / "config.json")


def test_missing_files_are_named(tmp_path, safetensors_dir):
    with pytest.raises(UnsupportedModel, match="no config.json"):
        load_model(tmp_path)
    shutil.copy(safetensors_dir / "config.json", tmp_path / "config.json")
    with pytest.raises(InvalidModel, match="no model.safetensors"):
        load_model(tmp_path)
