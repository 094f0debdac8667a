"""Check examples/nginx.conf and examples/Caddyfile for real (docs/operations.md, "Reverse
proxy"): run by hand, not by `make test` (it needs `apt-get install nginx caddy openssl`).

    .venv/bin/python examples/check_proxy.py

For each proxy: a self-signed certificate for `localhost`, the example configuration with
only its names, ports and paths changed, a real `workshop serve` behind it and a second
upstream that is down (a process mid rolling restart, which the proxy must skip), and probes
through TLS: a page with HSTS; /metrics hidden; a key in a query string kept out of the
proxy's access log; a WebSocket upgrade (wss) that joins a room; a foreign Origin
refused (403); and the server's stop reaching the client as close code 1012. Prints one
line per check and exits 1 if one fails.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import msgpack
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.server import ServerProcess, create_event, free_port  # noqa: E402

EXAMPLES = ROOT / "examples"
failed: list[str] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'}  {name}{': ' + detail if detail and not ok else ''}")
    if not ok:
        failed.append(name)


def certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def nginx_config(folder: Path, app: int, https: int, http: int, cert: Path, key: Path) -> Path:
    site = (EXAMPLES / "nginx.conf").read_text()
    site = site.replace("workshop.example.org", "localhost")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("/etc/letsencrypt/live/localhost/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/localhost/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/workshop.access.log", str(folder / "access.log"))
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};")
    # A second process that is down (mid rolling restart): nginx must skip it.
    site = site.replace("# server 127.0.0.1:8001;", f"server 127.0.0.1:{free_port()};")
    (folder / "site.conf").write_text(site)
    main = folder / "nginx.conf"
    main.write_text(
        f"user root; worker_processes 1; pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{}}\n"
        f"http {{ client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
        f"  access_log off; include {folder}/site.conf; }}\n"
    )
    return main


def caddy_config(folder: Path, app: int, https: int, cert: Path, key: Path) -> Path:
    site = (EXAMPLES / "Caddyfile").read_text()
    site = site.replace(
        "workshop.example.org {", f"https://localhost:{https} {{\n\ttls {cert} {key}"
    )
    # A second process that is down (mid rolling restart): Caddy must skip it.
    site = site.replace(
        "reverse_proxy 127.0.0.1:8000 {",
        f"reverse_proxy 127.0.0.1:{app} 127.0.0.1:{free_port()} {{",
    )
    site = site.replace("/var/log/caddy/workshop.access.log", str(folder / "access.log"))
    path = folder / "Caddyfile"
    path.write_text("{\n\tadmin off\n\tauto_https disable_redirects\n}\n\n" + site)
    return path


async def probe(name: str, base: str, server: ServerProcess, access_log: Path | None) -> None:
    """Every check through one proxy at `base` (https://localhost:PORT)."""
    context = ssl.create_default_context(cafile=str(server.data_dir.parent / "cert.pem"))
    async with httpx.AsyncClient(verify=context, timeout=10) as http:
        page = await http.get(f"{base}/api/rooms/SUB-PLAN")  # the client bundle may be unbuilt
        check(f"{name}: a room over TLS", page.status_code == 200, str(page.status_code))
        hsts = page.headers.get("strict-transport-security", "")
        check(f"{name}: HSTS", hsts.startswith("max-age=31536000"), hsts)
        metrics = await http.get(f"{base}/metrics")
        check(f"{name}: /metrics hidden", metrics.status_code == 404, str(metrics.status_code))
        canary = "canary-key-0123456789abcdef"
        await http.get(f"{base}/api/rooms/SUB-PLAN/transcript.json?key={canary}")
        bearer = {"authorization": f"Bearer {canary}-bearer"}
        await http.get(f"{base}/api/rooms/SUB-PLAN/transcript.md", headers=bearer)
    if access_log is not None:
        logged = await asyncio.to_thread(access_log.read_text)
        check(
            f"{name}: access log without queries or bearer keys",
            "transcript.json" in logged and "transcript.md" in logged and canary not in logged,
        )

    wss = base.replace("https://", "wss://") + "/ws"
    protocols = [Subprotocol("workshop.v1")]
    try:
        async with connect(wss, ssl=context, subprotocols=protocols, origin=Origin(base)) as ws:
            await ws.send(
                msgpack.packb({"t": "join", "id": 1, "room": "SUB-PLAN", "name": "Probe"})
            )
            reply = msgpack.unpackb(await asyncio.wait_for(ws.recv(), 10))
            check(f"{name}: WebSocket upgrade and join", reply.get("t") == "ok", str(reply))
            await asyncio.to_thread(server.stop)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 20)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                check(
                    f"{name}: the server's stop reaches the client as 1012", code == 1012, str(code)
                )
    except (OSError, InvalidStatus) as exc:
        check(f"{name}: WebSocket upgrade and join", False, repr(exc))
    await asyncio.to_thread(server.start)
    try:
        async with connect(
            wss, ssl=context, subprotocols=protocols, origin=Origin("https://evil.example")
        ):
            check(f"{name}: a foreign Origin refused", False, "the handshake was accepted")
    except InvalidStatus as exc:
        status = exc.response.status_code
        check(f"{name}: a foreign Origin refused", status == 403, str(status))


def tool_env(folder: Path) -> dict[str, str]:
    """Caddy keeps its state under HOME and XDG folders: this run's own."""
    home = str(folder)
    return {
        "HOME": home,
        "XDG_DATA_HOME": home,
        "XDG_CONFIG_HOME": home,
        "PATH": "/usr/sbin:/usr/bin",
    }


def started(argv: list[str], folder: Path, port: int, name: str) -> subprocess.Popen[bytes]:
    log = (folder / f"{name}.out").open("ab")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=tool_env(folder))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start:\n{(folder / f'{name}.out').read_text()}")


def main() -> int:
    for tool in ("nginx", "caddy", "openssl"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            print(f"missing: {tool} (apt-get install {tool})")
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cert, key = certificate(folder)
        for name in ("nginx", "caddy"):
            here = folder / name
            here.mkdir()
            https, http = free_port(), free_port()
            server = ServerProcess(
                here / "data", args=("--public-url", f"https://localhost:{https}")
            )
            server.data_dir.mkdir()
            (server.data_dir.parent / "cert.pem").write_bytes(cert.read_bytes())
            create_event(server.data_dir, f"https://localhost:{https}")
            server.start()
            if name == "nginx":
                conf = nginx_config(here, server.port, https, http, cert, key)
                test = subprocess.run(
                    ["nginx", "-t", "-p", str(here), "-c", str(conf)],
                    capture_output=True,
                    text=True,
                )
                check("nginx: nginx -t", test.returncode == 0, test.stderr)
                proxy = started(
                    ["nginx", "-p", str(here), "-c", str(conf), "-g", "daemon off;"],
                    here,
                    https,
                    name,
                )
                access: Path | None = here / "access.log"
                moved = httpx.get(
                    f"http://127.0.0.1:{http}/r/SUB-PLAN", headers={"host": "localhost"}
                )
                where = moved.headers.get("location", "")
                check(
                    "nginx: http redirects to https",
                    moved.status_code == 301 and where.startswith("https://localhost/"),
                    f"{moved.status_code} {where}",
                )
            else:
                conf = caddy_config(here, server.port, https, cert, key)
                valid = subprocess.run(
                    ["caddy", "validate", "--config", str(conf), "--adapter", "caddyfile"],
                    capture_output=True,
                    text=True,
                    env=tool_env(here),
                )
                check("caddy: caddy validate", valid.returncode == 0, valid.stdout + valid.stderr)
                proxy = started(
                    ["caddy", "run", "--config", str(conf), "--adapter", "caddyfile"],
                    here,
                    https,
                    name,
                )
                access = here / "access.log"
            try:
                asyncio.run(probe(name, f"https://localhost:{https}", server, access))
            finally:
                proxy.terminate()
                proxy.wait(10)
                server.stop()
    print("all checks passed" if not failed else f"{len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
