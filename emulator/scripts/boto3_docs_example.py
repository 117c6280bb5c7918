#!/usr/bin/env python3
"""The docs' "S3 Compatible Access" boto3 example, unchanged, against the emulator.

Start the emulator (`cargo run -p podstack-emulator -- --port 8080`), then:

    pip install boto3
    python3 emulator/scripts/boto3_docs_example.py http://127.0.0.1:8080 <demo token> <demo project>

It creates a bucket and gets its credentials over the platform API (as
`client.buckets.create` and `client.buckets.get_credentials` do), runs the docs' lines
as they are (boto3 given no region, as there), and checks through the platform API
that the object arrived with S3's MD5 etag. Not run in CI (no Python there).
"""
import hashlib
import json
import os
import sys
import tempfile
import types
import urllib.request

import boto3

endpoint, token, project = sys.argv[1:4]
platform = endpoint.rstrip("/") + "/platform/api/v1"


def call(method, path, body=None):
    req = urllib.request.Request(
        platform + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": "Bearer " + token,
            "X-Project-Id": project,
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null")


bucket = types.SimpleNamespace(**call("POST", "/buckets", {"name": "boto3-docs-%d" % os.getpid()}))
creds = types.SimpleNamespace(**call("GET", "/buckets/%s/credentials" % bucket.id))
os.chdir(tempfile.mkdtemp())
with open("local.txt", "w") as f:
    f.write("hello from boto3\n")

# ---- the docs' example, unchanged ----------------------------------------------
print(f"Access Key: {creds.access_key}")
print(f"Secret Key: {creds.secret_key}")
print(f"Endpoint: {creds.endpoint}")
print(f"Region: {creds.region}")

# Use with boto3
import boto3

s3 = boto3.client(
    's3',
    endpoint_url=creds.endpoint,
    aws_access_key_id=creds.access_key,
    aws_secret_access_key=creds.secret_key
)

s3.upload_file("local.txt", bucket.name, "remote.txt")
# ---------------------------------------------------------------------------------

listed = call("GET", "/buckets/%s/objects" % bucket.id)["objects"]
want = hashlib.md5(b"hello from boto3\n").hexdigest()
assert [(o["path"], o["etag"]) for o in listed] == [("remote.txt", want)], listed
s3.download_file(bucket.name, "remote.txt", "back.txt")
assert open("back.txt").read() == "hello from boto3\n"

# A file over boto3's 8 MiB threshold goes up as a multipart upload (8 MiB parts).
with open("big.bin", "wb") as f:
    f.write(os.urandom(20 * 1024 * 1024))
s3.upload_file("big.bin", bucket.name, "big.bin")
big = [o for o in call("GET", "/buckets/%s/objects" % bucket.id)["objects"] if o["path"] == "big.bin"]
assert big and big[0]["size_bytes"] == 20 * 1024 * 1024 and big[0]["etag"].endswith("-3"), big
s3.download_file(bucket.name, "big.bin", "big.back")
assert open("big.back", "rb").read() == open("big.bin", "rb").read()
call("DELETE", "/buckets/%s?force=true" % bucket.id)
print("boto3 %s: upload_file and download_file work against the emulator" % boto3.__version__)
