"""register_hf_model with the Hugging Face Hub replaced by a local fake (no network)."""

from __future__ import annotations

import pytest

from model_registry.exceptions import StoreError

def test_register_hf_model(mr, fake_hub):
    rm = mr.register_hf_model(
        "hf-namespace/hf-model", "relative/path/to/model/file.onnx", version="1.2.3", model_name="my-model",
        version_description="lorem ipsum", model_format_name="onnx", model_format_version="1")
    assert fake_hub == [("hf-namespace/hf-model", "main")]
    assert rm.name == "my-model" and rm.owner == "author"
    mv = mr.get_model_version("my-model", "1.2.3")
    source = "https://huggingface.co/hf-namespace/hf-model/resolve/main/relative/path/to/model/file.onnx"
    assert mv.author == "hf-namespace"
    assert mv.description == "lorem ipsum"
    assert mv.custom_properties == {
        "repo": "hf-namespace/hf-model",
        "source_uri": source,
        "model_origin": "huggingface_hub",
        "model_author": "hf-namespace",
        "license": "apache-2.0",
        "language": "en",
        "base_model": "bert",
    }, "scalar card data is kept, lists are not"
    artifact = mr.get_model_artifact("my-model", "1.2.3")
    assert (artifact.uri, artifact.storage_path) == (source, "relative/path/to/model/file.onnx")


def test_defaults_and_global_namespace(mr, fake_hub):
    with pytest.warns(UserWarning, match="author is unknown"):
        mr.register_hf_model("global-model", "model.onnx", version="1", git_ref="v2",
                             model_format_name="onnx", model_format_version="1")
    mv = mr.get_model_version("global-model", "1")
    assert mv.author == "unknown"
    assert mv.custom_properties["source_uri"] == "https://huggingface.co/global-model/resolve/v2/model.onnx"


def test_hub_errors(mr, fake_hub):
    with pytest.raises(StoreError, match="Repository nobody/nothing does not exist"):
        mr.register_hf_model("nobody/nothing", "m.onnx", version="1", model_format_name="onnx",
                             model_format_version="1")
    with pytest.raises(StoreError, match="Revision dev does not exist"):
        mr.register_hf_model("hf-namespace/hf-model", "m.onnx", version="1", git_ref="dev",
                             model_format_name="onnx", model_format_version="1")
    assert list(mr.get_registered_models()) == []
