"""The examples of the upstream client's README (model-registry 0.3.14, the package
description on PyPI), run as written against our package. Only the server address is
replaced, plus two placeholders: the local model path of the upload example (a directory of
the README author's machine) and the `...` standing for logging in the run-logs example.
Names the README takes for granted (`mr`, `json`) are provided.
"""

from __future__ import annotations

import json
import textwrap

CONNECT_SECURE = '''
from model_registry import ModelRegistry

registry = ModelRegistry("https://server-address", author="Ada Lovelace")  # Defaults to a secure connection via port 443
'''

CONNECT_INSECURE = '''
registry = ModelRegistry("http://server-address", 8080, author="Ada Lovelace", is_secure=False)  # insecure port set to 8080
'''

REGISTER = '''
model = registry.register_model(
    "my-model",  # model name
    "https://storage-place.my-company.com",  # model URI
    version="2.0.0",
    version_description="lorem ipsum",
    model_format_name="onnx",
    model_format_version="1",
    storage_key="my-data-connection",
    storage_path="path/to/model",
    metadata={
        # can be one of the following types
        "int_key": 1,
        "bool_key": False,
        "float_key": 3.14,
        "str_key": "str_value",
    }
)

model = registry.get_registered_model("my-model")
print(model)

version = registry.get_model_version("my-model", "2.0.0")
print(version)

experiment = registry.get_model_artifact("my-model", "2.0.0")
print(experiment)
'''

UPDATE = '''
# change is not reflected on pushed model version
version.description = "Updated model version"

# you can update it using
registry.update(version)
'''

S3_URI = '''
from model_registry import utils

model = registry.register_model(
    "my-model",  # model name
    uri=utils.s3_uri_from("path/to/model", "my-bucket"),
    version="2.0.0",
    version_description="lorem ipsum",
    model_format_name="onnx",
    model_format_version="1",
    storage_key="my-data-connection",
    metadata={
        # can be one of the following types
        "int_key": 1,
        "bool_key": False,
        "float_key": 3.14,
        "str_key": "str_value",
    }
)
'''

HF = '''
hf_model = registry.register_hf_model(
    "hf-namespace/hf-model",  # HF repo
    "relative/path/to/model/file.onnx",
    version="1.2.3",
    model_name="my-model",
    version_description="lorem ipsum",
    model_format_name="onnx",
    model_format_version="1",
)
'''

LISTING = '''
for model in registry.get_registered_models():
    ... # your logic using `model` loop variable here

# and versions associated with a model
for version in registry.get_model_versions("my-model"):
    ... # your logic using `version` loop variable here
'''

ORDERING = '''
latest_updates = registry.get_model_versions("my-model").order_by_update_time().descending()
for version in latest_updates:
    ...
'''

UPLOAD_S3 = '''
from model_registry.utils import S3Params

s3_upload_params = S3Params(
    bucket_name="my-bucket",
    s3_prefix="models/my_fraud_model",
)

registered_model = registry.upload_artifact_and_register_model(
    name="hello_world_model",
    model_files_path="/home/user-01/models/model_training_01",
    # If the model consists of a single file, such as a .onnx file, you can specify that as well
    # model_files_path="/home/user-01/models/model_training_01.onnx"
    author="Mr. Trainer",
    version="0.0.1",
    upload_params=s3_upload_params
)
'''

OCI_PARAMS = '''
from model_registry.utils import OCIParams

OCIParams(
    base_image="busybox",
    oci_ref="registry.example.com/acme_org/hello_world_model:0.0.1",
    oci_auth_env_var="DOCKER_CONFIG_JSON"
)
OCIParams(
    base_image="busybox",
    oci_ref="registry.example.com/acme_org/hello_world_model:0.0.1",
    oci_username="user",
    oci_password="userpass"
)
oci_upload_params = OCIParams(
    base_image="busybox",
    oci_ref="registry.example.com/acme_org/hello_world_model:0.0.1",
    backend="oras"
)

def is_available():
    pass
def pull():
    pass
def push():
    pass

custom_oci_backend = {
    "is_available": is_available,
    "pull": pull,
    "push": push,
}

oci_upload_params = OCIParams(
    base_image="busybox",
    oci_ref="registry.example.com/acme_org/hello_world_model:0.0.1",
    custom_oci_backend=custom_oci_backend,
)
'''

EXPERIMENT = '''
with mr.start_experiment_run(experiment_name="Experiment1") as run:
    run.log_metric(
        key="rval",
        value=10,
        step=4,
        description="This is a test metric",
    )
    run.log_dataset(
        name="dataset_1",
        source_type="local",
        uri="s3://datasets/test",
        schema=json.dumps({"epochs": {}}),
        profile="random_profile",
    )
    run.log_param("input1", 5.75)
'''

NESTED = '''
with mr.start_experiment_run(experiment_name="Experiment1") as run:
    run.log_metric(
        key="rval",
        value=10,
        step=4,
        description="This is a test metric",
    )
    with mr.start_experiment_run(nested=True) as run2:
        run2.log_metric(
            key="rval",
            value=50,
            step=2,
            description="This is a test metric for a nested run",
        )
'''

RUN_LOGS = '''
with mr.start_experiment_run(experiment_name="Experiment1") as run:
    ...
run.get_log("metrics", "rval")

# or

logs = mr.get_experiment_run_logs(run_id=run.info.id)
assert logs.next_item()
'''


def readme(target, *snippets: str, replace: dict[str, str] | None = None) -> dict:
    """Runs README snippets in one namespace, as a notebook would, with our server address."""
    if target.kind == "embedded":
        secure, insecure = f'"{target.address}"', f'"{target.address}", 8080'
    else:
        url = f"{target.address}:{target.port}"
        secure, insecure = f'"{url}"', f'"{target.address}", {target.port}'
    namespace: dict = {"json": json}
    for snippet in snippets:
        code = textwrap.dedent(snippet)
        code = code.replace('"https://server-address"', secure).replace('"http://server-address", 8080', insecure)
        for old, new in (replace or {}).items():
            code = code.replace(old, new)
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
        namespace.setdefault("mr", namespace.get("registry"))
    return namespace


def test_register_read_update_list(target):
    ns = readme(target, CONNECT_SECURE, CONNECT_INSECURE, REGISTER, UPDATE, LISTING, ORDERING)
    registry = ns["registry"]
    assert ns["model"].name == "my-model"
    assert ns["experiment"].uri == "https://storage-place.my-company.com"
    assert registry.get_model_version("my-model", "2.0.0").description == "Updated model version"
    assert [v.name for v in ns["latest_updates"].restart()] == ["2.0.0"]


def test_s3_uri(target, monkeypatch):
    monkeypatch.setenv("AWS_S3_BUCKET", "my-bucket")
    monkeypatch.setenv("AWS_S3_ENDPOINT", "http://127.0.0.1:9000")
    ns = readme(target, CONNECT_SECURE, S3_URI)
    artifact = ns["registry"].get_model_artifact("my-model", "2.0.0")
    assert artifact.uri == "s3://my-bucket/path/to/model?endpoint=http://127.0.0.1:9000"


def test_hugging_face(target, fake_hub):
    ns = readme(target, CONNECT_SECURE, HF)
    assert ns["hf_model"].name == "my-model"


def test_upload_to_s3(target, s3, s3_endpoint, monkeypatch, model_dir):
    s3.create_bucket(Bucket="my-bucket")
    ns = readme(target, CONNECT_SECURE, UPLOAD_S3, replace={"/home/user-01/models/model_training_01": str(model_dir)})
    assert ns["registered_model"].name == "hello_world_model"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="my-bucket")["Contents"]}
    assert keys == {"models/my_fraud_model/config.json", "models/my_fraud_model/onnx/model.onnx"}


def test_oci_params(target):
    readme(target, CONNECT_SECURE, OCI_PARAMS)


def test_experiments(target):
    # In the last example `...` stands for the logging of the first; it has to log "rval"
    # for `get_log("metrics", "rval")` to find it (also with the upstream client).
    ns = readme(target, CONNECT_SECURE, EXPERIMENT, NESTED, RUN_LOGS,
                replace={"    ...\nrun.get_log": '    run.log_metric(key="rval", value=10, step=4)\nrun.get_log'})
    mr = ns["mr"]
    assert [e.name for e in mr.get_experiments()] == ["Experiment1"]
    assert len(list(mr.get_experiment_runs(experiment_name="Experiment1"))) == 4
