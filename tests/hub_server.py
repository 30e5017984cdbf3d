"""A tiny local Hugging Face Hub for tests: serves repos that a test registers, on 127.0.0.1 only.

With `use_hub(monkeypatch, hub.endpoint, tmp_path)` the real huggingface_hub and transformers code talks to it:
`hf_hub_download`, `AutoModel*.from_pretrained`, `AutoTokenizer.from_pretrained`, then the same calls offline from
the cache (`use_hub(..., offline=True)` once the server is stopped).

What it imitates (enough for huggingface_hub 2.x and transformers 5.x downloads):
- `HEAD`/`GET /{repo_id}/resolve/{revision}/{path}` (datasets under `/datasets/...`), answered 200 directly with
  `X-Repo-Commit`, `ETag` = `X-Linked-Etag` = the content's sha256, `X-Linked-Size`, `Content-Length`, and
  `Range: bytes=N-` resumes (206). Every file looks like an LFS file that is served without the CDN redirect.
- `GET /api/{models,datasets}/{repo_id}[/revision/{revision}]` (repo info with `sha` and `siblings`) and
  `GET /api/{models,datasets}/{repo_id}/tree/{revision}[/{folder}]` (`?recursive=`; one page, no pagination).
- The Hub's errors: 404 with `X-Error-Code: RepoNotFound`, `RevisionNotFound` or `EntryNotFound` (the latter
  with `X-Repo-Commit`, so huggingface_hub caches the file's absence as it does against the real Hub).
- Each repo has one commit, reachable by its 40-hex hash and as "main". A repo id with or without an org works.

What it leaves out: authentication, gated or private repos, spaces, uploads, Xet storage, CDN redirects, git blob
ids for ETags of small files, pagination, and every other API route (answered 404 and listed in `hub.requests`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_COMMIT = "cafe" * 10  # a fake 40-hex commit hash
REPO_TYPES = {"models": "model", "datasets": "dataset"}  # URL segment -> repo_type


@dataclass(frozen=True)
class Repo:
    commit: str
    files: dict[str, bytes]

    def has_revision(self, revision: str) -> bool:
        return revision in (self.commit, "main")


class HubServer:
    """`with HubServer() as hub: hub.add_repo(...)`; `hub.endpoint` is the URL for HF_ENDPOINT."""

    def __init__(self) -> None:
        self.repos: dict[tuple[str, str], Repo] = {}  # (repo_type, repo_id) -> Repo
        self.requests: list[tuple[str, str]] = []  # (method, path without the query), in arrival order
        self._stopped = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _HubHandler)  # 127.0.0.1 only, a free port
        self._server.hub = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="hub-server", daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_repo(
        self,
        repo_id: str,
        files: dict[str, bytes] | Path,
        repo_type: str = "model",
        revision: str = DEFAULT_COMMIT,
    ) -> None:
        """Serve `files` ({path in repo: content}, or every file under a folder) as `repo_id` at commit `revision`."""
        if len(revision) != 40 or any(c not in "0123456789abcdef" for c in revision):
            raise ValueError(f"revision must be a 40-hex commit hash, not {revision!r}")
        if repo_type not in REPO_TYPES.values():
            raise ValueError(f"repo_type must be one of {sorted(REPO_TYPES.values())}, not {repo_type!r}")
        if isinstance(files, Path):
            files = {p.relative_to(files).as_posix(): p.read_bytes() for p in sorted(files.rglob("*")) if p.is_file()}
        self.repos[(repo_type, repo_id)] = Repo(revision, dict(files))

    def stop(self) -> None:
        """Shut the server down (for "the Hub is unreachable" cases); safe to call twice."""
        if not self._stopped:
            self._stopped = True
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def __enter__(self) -> HubServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def find_repo(self, repo_type: str, segments: list[str]) -> tuple[str, Repo, list[str]] | None:
        """The registered repo whose id ("org/name" or "name") starts `segments`: (repo_id, repo, the rest)."""
        for length in (2, 1):
            repo_id = "/".join(segments[:length])
            if len(segments) >= length and (repo_type, repo_id) in self.repos:
                return repo_id, self.repos[(repo_type, repo_id)], segments[length:]
        return None


def use_hub(monkeypatch, endpoint: str, cache: Path, offline: bool = False) -> None:
    """Point huggingface_hub and transformers at `endpoint`, with HF_HOME = `cache`/hf-home, for one test.

    The environment variables alone are not enough once huggingface_hub is imported: `huggingface_hub.constants`
    reads HF_ENDPOINT, HF_HOME, HF_HUB_CACHE and HF_HUB_OFFLINE at import (and derives the URL template, token and
    cache paths from them), the module-level `HfApi` behind `huggingface_hub.model_info` & co. keeps the endpoint
    it was built with, and so does transformers' shared `HfApi` once created. Everything goes through
    `monkeypatch`, so it all comes back after the test whatever the import order.
    """
    import huggingface_hub.constants as constants
    import huggingface_hub.hf_api
    import huggingface_hub.utils._cache_manager
    import huggingface_hub.utils._detect_agent

    home = Path(cache) / "hf-home"
    for name, value in {"HF_ENDPOINT": endpoint, "HF_HOME": home, "HF_HUB_CACHE": home / "hub"}.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1" if offline else "0")
    for name in ("TRANSFORMERS_OFFLINE", "HF_TOKEN", "HF_XET_CACHE", "HF_ASSETS_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)

    patches = {
        "ENDPOINT": endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_URL_HOSTS": constants.HF_URL_HOSTS | {"127.0.0.1"},
        "HF_HUB_OFFLINE": offline,
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_ASSETS_CACHE": str(home / "assets"),
        "HF_XET_CACHE": str(home / "xet"),
        "HF_TOKEN_PATH": str(home / "token"),  # no token of the user's is sent
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "AGENT_HARNESSES_PATH": str(home / ".agent_harnesses.json"),
    }
    for name, value in patches.items():
        monkeypatch.setattr(constants, name, value)
    monkeypatch.setattr(huggingface_hub.utils._cache_manager, "HF_HUB_CACHE", str(home / "hub"))
    monkeypatch.setattr(huggingface_hub.hf_api.api, "endpoint", endpoint)
    # huggingface_hub fetches /api/agent-harnesses once per process for its User-Agent: a known empty registry
    # instead saves the request and leaves no process-wide state behind.
    monkeypatch.setattr(huggingface_hub.utils._detect_agent, "_registry", {"standardEnvVars": [], "harnesses": {}})
    try:
        import transformers.utils.hub
    except ImportError:
        return
    monkeypatch.setattr(transformers.utils.hub, "_hf_api", None)  # rebuilt on first use, with the endpoint above


class _HubHandler(BaseHTTPRequestHandler):
    @property
    def hub(self) -> HubServer:
        return self.server.hub

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        url = urlsplit(self.path)
        self.hub.requests.append((self.command, url.path))
        segments = [unquote(s) for s in url.path.split("/")[1:]]
        if segments[:1] == ["api"]:
            self._api(segments[1:], parse_qs(url.query), send_body)
        else:
            self._resolve(segments, send_body)

    # GET/HEAD /[datasets/]{repo_id}/resolve/{revision}/{path}
    def _resolve(self, segments: list[str], send_body: bool) -> None:
        repo_type = "model"
        if segments[:1] == ["datasets"]:
            repo_type, segments = "dataset", segments[1:]
        found = self.hub.find_repo(repo_type, segments)
        if found is None:
            return self._error(404, "RepoNotFound", "Repository not found", send_body)
        _, repo, rest = found
        if len(rest) < 3 or rest[0] != "resolve":
            return self._error(404, None, "Not found", send_body)
        revision, path = rest[1], "/".join(rest[2:])
        if not repo.has_revision(revision):
            return self._error(404, "RevisionNotFound", "Invalid rev id", send_body)
        if path not in repo.files:
            return self._error(404, "EntryNotFound", "Entry not found", send_body, {"X-Repo-Commit": repo.commit})
        self._file(repo, repo.files[path], send_body)

    def _file(self, repo: Repo, content: bytes, send_body: bool) -> None:
        etag = f'"{hashlib.sha256(content).hexdigest()}"'
        start = _range_start(self.headers.get("Range"))
        headers = {"X-Repo-Commit": repo.commit, "ETag": etag, "X-Linked-Etag": etag}
        headers |= {"X-Linked-Size": str(len(content)), "Accept-Ranges": "bytes"}
        if start is None or start == 0:
            return self._send(200, content, "application/octet-stream", send_body, headers)
        if start >= len(content):
            headers["Content-Range"] = f"bytes */{len(content)}"
            return self._send(416, b"", "text/plain", send_body, headers)
        headers["Content-Range"] = f"bytes {start}-{len(content) - 1}/{len(content)}"
        self._send(206, content[start:], "application/octet-stream", send_body, headers)

    # GET /api/{models,datasets}/{repo_id}[/revision/{revision} | /tree/{revision}[/{folder}]]
    def _api(self, segments: list[str], query: dict[str, list[str]], send_body: bool) -> None:
        repo_type = REPO_TYPES.get(segments[0]) if segments else None
        if repo_type is None:
            return self._error(404, None, "Not found", send_body)
        found = self.hub.find_repo(repo_type, segments[1:])
        if found is None:
            return self._error(404, "RepoNotFound", "Repository not found", send_body)
        repo_id, repo, rest = found
        if rest[:1] in ([], ["revision"]):
            revision = rest[1] if rest else "main"
            if not repo.has_revision(revision):
                return self._error(404, "RevisionNotFound", "Invalid rev id", send_body)
            return self._json(_repo_info(repo_id, repo), send_body)
        if rest[:1] == ["tree"] and len(rest) >= 2:
            if not repo.has_revision(rest[1]):
                return self._error(404, "RevisionNotFound", "Invalid rev id", send_body)
            recursive = query.get("recursive", ["false"])[0].lower() == "true"
            entries = _tree(repo, "/".join(rest[2:]), recursive)
            if entries is None:
                return self._error(404, "EntryNotFound", "Entry not found", send_body, {"X-Repo-Commit": repo.commit})
            return self._json(entries, send_body)
        self._error(404, None, "Not found", send_body)

    def _json(self, value, send_body: bool) -> None:
        self._send(200, json.dumps(value).encode(), "application/json", send_body)

    def _error(self, status: int, code: str | None, message: str, send_body: bool, headers: dict | None = None):
        headers = dict(headers or {})
        if code is not None:
            headers["X-Error-Code"] = code
        headers["X-Error-Message"] = message
        self._send(status, json.dumps({"error": message}).encode(), "application/json", send_body, headers)

    def _send(self, status: int, body: bytes, content_type: str, send_body: bool, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def _range_start(header: str | None) -> int | None:
    """N from `Range: bytes=N-` (the only form huggingface_hub sends); None without one."""
    if not header or not header.startswith("bytes=") or not header.endswith("-"):
        return None
    return int(header[len("bytes=") : -1])


def _repo_info(repo_id: str, repo: Repo) -> dict:
    return {
        "id": repo_id,
        "sha": repo.commit,
        "private": False,
        "gated": False,
        "disabled": False,
        "tags": [],
        "siblings": [{"rfilename": path} for path in sorted(repo.files)],
    }


def _tree(repo: Repo, folder: str, recursive: bool) -> list[dict] | None:
    """The Hub's tree listing of `folder` ("" for the root): files (as LFS files) and sub-folders."""
    prefix = f"{folder}/" if folder else ""
    below = sorted(path for path in repo.files if path.startswith(prefix))
    if folder and not below:
        return None
    entries, folders = [], set()
    for path in below:
        parts = path[len(prefix) :].split("/")
        for depth in range(1, len(parts)):  # the folders on the way to the file
            folders.add(prefix + "/".join(parts[:depth]))
        if recursive or len(parts) == 1:
            entries.append(_file_entry(path, repo.files[path]))
    if not recursive:
        folders = {f for f in folders if "/" not in f[len(prefix) :]}
    entries += [{"type": "directory", "oid": _git_blob_id(f.encode()), "path": f} for f in sorted(folders)]
    return entries


def _file_entry(path: str, content: bytes) -> dict:
    lfs = {"oid": hashlib.sha256(content).hexdigest(), "size": len(content), "pointerSize": 134}
    return {"type": "file", "oid": _git_blob_id(content), "size": len(content), "path": path, "lfs": lfs}


def _git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
