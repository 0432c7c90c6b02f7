"""A small Language Server Protocol client for tests: JSON-RPC over a real pipe to `python -m adventure lsp`."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from conftest import ROOT, env_for_subprocess

WAIT = 60.0  # seconds: only a guard against a hung server, never a measure of speed


def uri(path: Path) -> str:
    return path.resolve().as_uri()


class Client:
    """Starts the server, sends requests and notifications, and reads what it sends back."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adventure", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=ROOT, env=env_for_subprocess(),
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.log: list[tuple[str, dict[str, Any]]] = []  # ("->" or "<-", message): a recorded session
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                header = stream.readline()
                if not header:
                    self.messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        message = {"jsonrpc": "2.0", **message}
        self.log.append(("->", message))
        body = json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _next(self) -> dict[str, Any]:
        message = self.messages.get(timeout=WAIT)
        if message is None:
            raise AssertionError("the server closed its output: " + self.stderr())
        self.log.append(("<-", message))
        return message

    def request(self, method: str, params: Any) -> Any:
        """Send a request and return its result; an error response raises."""
        self.next_id += 1
        number = self.next_id
        self.send({"id": number, "method": method, "params": params})
        while True:
            message = self._next()
            if message.get("id") == number and "method" not in message:
                if "error" in message:
                    raise ResponseError(message["error"])
                return message.get("result")
            self._other(message)

    def _other(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # a request from the server (registrations, ...): accept it
            self.send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, path: Path, after: int = 0) -> list[dict[str, Any]]:
        """The next diagnostics published for a file, after the first `after` notifications seen."""
        target = uri(path)
        seen = after
        while True:
            for message in self.notifications[seen:]:
                seen += 1
                if message["method"] == "textDocument/publishDiagnostics" and message["params"]["uri"] == target:
                    return list(message["params"]["diagnostics"])
            self._other(self._next())

    def latest_diagnostics(self, path: Path) -> list[dict[str, Any]] | None:
        target = uri(path)
        for message in reversed(self.notifications):
            if message["method"] == "textDocument/publishDiagnostics" and message["params"]["uri"] == target:
                return list(message["params"]["diagnostics"])
        return None

    def initialize(self, root: Path) -> dict[str, Any]:
        capabilities = {"textDocument": {"rename": {"prepareSupport": True}}}
        result = self.request("initialize", {"processId": None, "rootUri": uri(root), "capabilities": capabilities})
        self.notify("initialized", {})
        return dict(result)

    def open(self, path: Path, text: str | None = None) -> None:
        content = path.read_text(encoding="utf-8") if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": content}})

    def change(self, path: Path, version: int, text: str, at: tuple[int, int, int, int] | None = None) -> None:
        change: dict[str, Any] = {"text": text}
        if at is not None:
            change["range"] = {"start": {"line": at[0], "character": at[1]}, "end": {"line": at[2], "character": at[3]}}
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [change]})

    def at(self, method: str, path: Path, line: int, character: int, **extra: Any) -> Any:
        return self.request(method, {"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}, **extra})

    def close(self) -> int:
        """shutdown, exit, and the server's exit code."""
        if self.process.poll() is None:
            try:
                self.request("shutdown", None)
                self.notify("exit", None)
            except (AssertionError, OSError, queue.Empty):
                self.process.kill()
        try:
            try:
                return self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                # a server that does not exit is a failure, never a hung test run: the reader
                # thread blocks in readline until the server's output closes with it
                self.process.kill()
                self.process.wait(timeout=WAIT)
                raise
        finally:
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()

    def stderr(self) -> str:
        if self.process.poll() is None:
            return ""
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")


class ResponseError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error
