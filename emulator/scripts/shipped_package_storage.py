"""Podstack's own Python package (podstack 1.7.0, from PyPI), unchanged, against the emulator.

Runs every storage call the package ships (podstack/storage.py's StorageClient, with its
defaults, and podstack/cell.py's _StorageRuntime, which creates buckets lazily and puts and
gets objects with multipart forms), the way the package sends them (httpx, its JSON and
form encodings), and checks each answer.

    pip install podstack==1.7.0 httpx
    cargo run -p podstack-emulator -- --port 8080     # prints the export lines below
    export PODSTACK_API_TOKEN=... PODSTACK_PLATFORM_URL=http://127.0.0.1:8080/platform
    export PODSTACK_PROJECT=prj_...
    python3 emulator/scripts/shipped_package_storage.py
"""

import os

from podstack.gpu_runner import GPURunner
from podstack.storage import StorageClient
from podstack.cell import _StorageRuntime

token = os.environ["PODSTACK_API_TOKEN"]
project = os.environ["PODSTACK_PROJECT"]
os.environ.setdefault("PODSTACK_API_KEY", token)
os.environ.setdefault("PODSTACK_PROJECT_ID", project)

runner = GPURunner(api_key=token, project_id=project)
storage = StorageClient(runner)

# storage.py: every call, with the package's defaults.
bucket = storage.create_bucket("shipped-defaults")
assert bucket["name"] == "shipped-defaults", bucket
names = [b["name"] for b in storage.list_buckets()]
assert "shipped-defaults" in names, names
assert storage.get_bucket(bucket["id"])["id"] == bucket["id"]
volume = storage.create_volume("shipped-volume")
assert storage.get_volume(volume["id"])["id"] == volume["id"]
assert any(v["id"] == volume["id"] for v in storage.list_volumes())
storage.delete_volume(volume["id"])
storage.delete_bucket(bucket["id"])
print("storage.py: create/list/get/delete bucket and volume with the defaults: ok")

# cell.py: a bucket created lazily by name, objects put and read back through forms.
cells = _StorageRuntime()
payload = bytes(range(256)) * 64
cells.put_object("cell-scratch", "runs/1/output.bin", payload)
assert cells.get_object("cell-scratch", "runs/1/output.bin") == payload
print("cell.py: lazy bucket, multipart put and download of an object: ok")
print("Done!")
