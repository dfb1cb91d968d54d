"""The bounds of the web services, as plain numbers: `kbi serve` reads them without importing
the server (so that `kbi --help` stays fast)."""

from __future__ import annotations

# What one client may hold of a server process. A request's line and headers: at most
# MAX_HEADERS bytes (431), all in within HEADER_TIMEOUT seconds of the connection, or of their
# first byte on a kept-alive one (else 408, closed: slowloris). Its body: in within BODY_TIMEOUT
# seconds of the handler starting to read it (408, closed). `kbi serve --header-timeout` and
# `--body-timeout` change the two timeouts.
MAX_HEADERS = 16 * 1024
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
# Idle seconds between requests on a connection; connections plus requests in progress per
# process past which a request gets 503 (each holds a file descriptor and memory).
KEEP_ALIVE_TIMEOUT = 5
MAX_CONCURRENCY = 1000
# How `kbi serve` passes its timeouts to the worker processes uvicorn starts afresh.
HEADER_TIMEOUT_ENV = "KBI_HTTP_HEADER_TIMEOUT"
BODY_TIMEOUT_ENV = "KBI_HTTP_BODY_TIMEOUT"
