"""A loopback Hub for the resolver's tests: the routes huggingface_hub calls, and the faults a real network has.

    with FakeHub({"org/name": {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}}) as hub:
        hub.url              # http://127.0.0.1:PORT, for HF_ENDPOINT / Resolver(endpoint=...)
        hub.log              # [(method, path), ...] every request received

Routes: GET /api/models/<id>[/revision/<rev>] (model info with config, transformersInfo, sha) and
GET|HEAD /<id>/resolve/<rev>/<file> (config.json, adapter_config.json) with X-Repo-Commit and ETag, errors with
X-Error-Code. An entry's "fault" (or the server-wide `mode`) turns its answers into: "401", "403", "404", "429" (once,
with Retry-After: `retry_after`), "429-always", "500", "slow" (sleep `slow` seconds), "reset" (the connection is reset),
"garbage" (malformed JSON), "huge" (a 50 MB body, with Content-Length), "huge-stream" (50 MB with no length),
"nonobject" (a config that is a JSON list), "no-info-config" (model info without config: the client must read
config.json), "dribble" (the status line and headers one byte every `interval` seconds, for at most `slow` seconds:
no per-read timeout ever trips), "gzip-bomb" (200 KB of gzip that decodes to 200 MB), "brotli" (a body in an encoding
the client did not offer). The server-wide mode "gzip" serves every 200 answer gzip-compressed to a client that
offers gzip. `hub.accept_encoding` lists the Accept-Encoding header of each request.
An entry with "adapter_of" is a PEFT adapter repo (adapter_config.json only).
An entry's "tokenizer" serves tokenizer files: {"config": tokenizer_config.json, "special": special_tokens_map.json,
"files": [other file names, e.g. "chat_template.jinja"], "folder": "tokenizer/" to put them in a subfolder}; a value
that is a str is served as those raw bytes (broken JSON). The model info lists every file of the repo as `siblings`
(`expand=siblings`).
GET /api/agent-harnesses answers huggingface_hub's agent registry, so a test can see whether it was asked.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


class FakeHub:
    def __init__(self, facts: dict, mode: str | None = None, slow: float = 5.0, retry_after: float = 0.2,
                 interval: float = 0.2):
        self.facts = {k.lower(): (k, v) for k, v in facts.items()}
        self.mode, self.slow, self.retry_after, self.interval = mode, slow, retry_after, interval
        self.log: list[tuple[str, str]] = []
        self.auth: list[str | None] = []  # the Authorization header of each request, to check HF_TOKEN is sent
        self.hits: dict[str, int] = {}
        self.accept_encoding: list[str | None] = []
        self._lock = threading.Lock()
        if "gzip-bomb" in [mode] + [v.get("fault") for v in facts.values() if isinstance(v, dict)]:
            _gzip_bomb()  # made before serving (0.6 s), not inside a request's time budget
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hub._handle(self)

            do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeHub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- answers ---------------------------------------------------------------------------------------------------

    @staticmethod
    def sha_of(name: str) -> str:
        return hashlib.sha1(name.encode()).hexdigest()

    def _send(self, h, code: int, body: bytes = b"", headers=()) -> None:
        if self.mode == "gzip" and code == 200 and "gzip" in h.headers.get("Accept-Encoding", ""):
            body, headers = gzip.compress(body), [*headers, ("Content-Encoding", "gzip")]
        h.send_response(code)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            try:
                h.wfile.write(body)
            except OSError:
                pass

    def _error(self, h, code: int, error_code: str | None = None, extra=()) -> None:
        headers = [("Content-Type", "application/json"), *extra]
        if error_code:
            headers.append(("X-Error-Code", error_code))
        self._send(h, code, json.dumps({"error": error_code or str(code)}).encode(), headers)

    def _handle(self, h) -> None:
        with self._lock:
            self.log.append((h.command, h.path))
            self.auth.append(h.headers.get("Authorization"))
            self.accept_encoding.append(h.headers.get("Accept-Encoding"))
        path = unquote(urlsplit(h.path).path)
        if path.startswith("/api/models/"):
            model_id = path[len("/api/models/"):].split("/revision/")[0]
            route = "info"
        elif path == "/api/agent-harnesses":
            registry = {"standardEnvVars": ["AI_AGENT"], "harnesses": {"fake-agent": {"envVars": {"FAKE": "*"}}}}
            return self._send(h, 200, json.dumps(registry).encode(), [("Content-Type", "application/json")])
        elif "/resolve/" in path:
            model_id, _, tail = path.lstrip("/").partition("/resolve/")
            route = "file"
        else:
            return self._error(h, 404)
        hit = self.facts.get(model_id.lower())
        fault = self.mode or (hit[1].get("fault") if hit else None)
        with self._lock:
            self.hits[model_id.lower()] = count = self.hits.get(model_id.lower(), 0) + 1
        if fault and self._fault(h, fault, count):
            return
        if not hit:
            return self._error(h, 404, "RepoNotFound")
        name, f = hit
        sha = self.sha_of(name)
        config = {k: f[k] for k in ("model_type", "architectures", "auto_map") if k in f}
        tok = f.get("tokenizer", {})
        at = tok.get("folder", "")  # "tokenizer/": the files sit in that subfolder
        tok_files = {at + name: tok[key] for key, name in (("config", "tokenizer_config.json"),
                                                            ("special", "special_tokens_map.json")) if key in tok}
        tok_files.update({at + name: "{}" for name in tok.get("files", ())})
        if route == "info":
            info = {"_id": sha[:24], "id": name, "modelId": name, "sha": sha, "private": False, "gated": False,
                    "tags": ["transformers"], "library_name": "transformers"}
            if "adapter_of" in f:
                info["config"] = {"peft": {"base_model_name_or_path": f["adapter_of"], "task_type": "CAUSAL_LM"}}
            elif fault != "no-info-config":
                info["config"] = config if fault != "nonobject" else ["not", "an", "object"]
                info["transformersInfo"] = {"auto_model": f.get("auto_model", "AutoModel")}
            if "pipeline_tag" in f:
                info["pipeline_tag"] = f["pipeline_tag"]
            names = ["adapter_config.json"] if "adapter_of" in f else [
                "config.json", *(f"{sub}/config.json" for sub in f.get("subfolders", {})), *tok_files]
            info["siblings"] = [{"rfilename": n} for n in names]
            return self._send(h, 200, json.dumps(info).encode(), [("Content-Type", "application/json")])
        rev, _, filename = tail.partition("/")
        subfolders = f.get("subfolders", {})
        if "adapter_of" in f:
            files = {"adapter_config.json": {"base_model_name_or_path": f["adapter_of"]}}
        else:
            files = {"config.json": config if fault != "nonobject" else ["x"]}
            files.update({f"{sub}/config.json": cfg for sub, cfg in subfolders.items()})
            files.update(tok_files)
        if filename not in files:
            return self._error(h, 404, "EntryNotFound", [("X-Repo-Commit", sha)])
        value = files[filename]
        body = value.encode() if isinstance(value, str) else json.dumps(value, indent=2).encode()
        self._send(h, 200, body, [("Content-Type", "application/json"), ("X-Repo-Commit", sha),
                                  ("ETag", f'"{hashlib.sha1(body).hexdigest()}"'), ("X-Linked-Size", str(len(body)))])

    def _fault(self, h, fault: str, count: int) -> bool:
        """Answer with the fault; False when this request should be served normally (a 429 that has passed)."""
        if fault in ("401", "403"):
            self._error(h, int(fault), "GatedRepo")
        elif fault == "404":
            self._error(h, 404, "RepoNotFound")
        elif fault == "429":
            if count > 1:
                return False
            self._error(h, 429, None, [("Retry-After", f"{self.retry_after:g}")])
        elif fault == "429-always":
            self._error(h, 429, None, [("Retry-After", "60")])
        elif fault == "500":
            self._error(h, 500)
        elif fault == "slow":
            time.sleep(self.slow)
            self._error(h, 500)
        elif fault == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
        elif fault == "garbage":
            self._send(h, 200, b'{"config": {"model_type": ', [("Content-Type", "application/json"),
                                                               ("X-Repo-Commit", "0" * 40)])
        elif fault == "dribble":
            self._dribble(h)
        elif fault in ("gzip-bomb", "brotli"):
            body, encoding = (_gzip_bomb(), "gzip") if fault == "gzip-bomb" else (b"\x1b\x01\x00\xf8{}", "br")
            h.send_response(200)
            for k, v in (("Content-Type", "application/json"), ("Content-Encoding", encoding),
                         ("X-Repo-Commit", "0" * 40), ("Content-Length", str(len(body)))):
                h.send_header(k, v)
            h.end_headers()
            try:
                h.wfile.write(body)
            except OSError:
                pass
        elif fault == "huge":
            self._stream(h, 50_000_000, with_length=True)
        elif fault == "huge-stream":
            self._stream(h, 50_000_000, with_length=False)
        else:
            return False
        return True

    def _dribble(self, h) -> None:
        h.close_connection = True
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"x" * 100_000
        end = time.monotonic() + self.slow
        try:
            for byte in head:
                if time.monotonic() > end:
                    break
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(self.interval)
        except OSError:
            pass

    def _stream(self, h, size: int, with_length: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        if with_length:
            h.send_header("Content-Length", str(size))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        chunk = b" " * 65536
        try:
            h.wfile.write(b"{")
            for _ in range(size // len(chunk)):
                h.wfile.write(chunk)
        except OSError:
            pass


@functools.lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """A JSON string of 200 MB of NUL bytes, gzip-compressed to about 200 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(b'{"config": "')] + [compressor.compress(zeros) for _ in range(200)]
    return b"".join(parts) + compressor.flush()
