"""The deployment recipe in ``deploy/`` works: the systemd unit, the nginx site, the container's
health check, the operator's wrapper, and the bot under ``MemoryDenyWriteExecute``."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import pwd
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app.demo import PERSONA_IDS
from bot.app.run_lock import run_lock
from bot.sandbox import SandboxUser
from tests.harness.installation import ROOT

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "tocns-bot.service"
VENV_PYTHON = "/opt/tocns-bot/.venv/bin/python"


def tool_or_skip(name: str, package: str) -> str:
    """The tool's path; skipped without it, except in CI where it must be installed."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (apt-get install {package})")
    pytest.skip(f"{name} is not installed (apt-get install {package}); set CI to require it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- systemd ------------------------------------------------------------------------------------

def _unit_for_this_machine(tmp_path: Path) -> Path:
    # ``verify`` insists that ExecStart's program exists; the unit names the venv of a real
    # installation (/opt/tocns-bot/.venv), so a copy names this test run's Python instead.
    text = UNIT.read_text(encoding="utf-8")
    assert f"ExecStart={VENV_PYTHON} -m bot run" in text
    unit = tmp_path / "tocns-bot.service"
    unit.write_text(text.replace(VENV_PYTHON, sys.executable), encoding="utf-8")
    return unit


def test_systemd_accepts_the_unit_without_a_warning(tmp_path: Path) -> None:
    analyze = tool_or_skip("systemd-analyze", "systemd")
    unit = _unit_for_this_machine(tmp_path)
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    # An unknown key or a bad value is only a warning with exit code 0: none is allowed.
    assert result.stderr.strip() == ""


def test_the_unit_is_hardened(tmp_path: Path) -> None:
    analyze = tool_or_skip("systemd-analyze", "systemd")
    unit = _unit_for_this_machine(tmp_path)
    # systemd's own exposure score, 0 (locked down) to 10 (wide open): at most 2.0 ("OK").
    result = subprocess.run([analyze, "security", "--offline=true", "--threshold=20", str(unit)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    text = UNIT.read_text(encoding="utf-8")
    for line in ("User=tocns", "Restart=on-failure", "NoNewPrivileges=yes",
                 "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                 "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
                 "ProtectControlGroups=yes", "RestrictNamespaces=yes", "LockPersonality=yes",
                 "MemoryDenyWriteExecute=yes", "ReadWritePaths=/var/lib/tocns-bot\n",
                 "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
                 "EnvironmentFile=/etc/tocns-bot/env", "WorkingDirectory=/var/lib/tocns-bot"):
        assert line in text, line


def _mdwe_launcher() -> str:
    """Python that switches on the kernel's MDWE for itself, proves it, then becomes the bot."""
    return """
import ctypes, mmap, os, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
check = "import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)"
if subprocess.run([sys.executable, "-c", check], capture_output=True).returncode == 0:
    sys.exit(78)  # a child could still map W+X memory: the switch is not inherited
os.execv(sys.executable, [sys.executable, "-m", "bot", "run"])
"""


def _kernel_has_mdwe() -> bool:
    release = platform.release().split("-")[0].split(".")
    return sys.platform == "linux" and tuple(int(p) for p in release[:2]) >= (6, 3)


async def _wait_for_line(stream: asyncio.StreamReader, marker: str) -> None:
    while True:
        line = await asyncio.wait_for(stream.readline(), 120)
        if not line:
            raise AssertionError(f"the bot ended before printing {marker!r}")
        if marker in line.decode():
            return


@pytest.mark.skipif(not _kernel_has_mdwe(), reason="prctl(PR_SET_MDWE) needs Linux 6.3")
async def test_the_bot_draws_charts_and_workbooks_without_writable_executable_memory(
        tmp_path: Path) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _mdwe_launcher(), cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "tocns.sqlite3"),
             "SANDBOX_PORT": str(port), "MPLCONFIGDIR": str(tmp_path / "mpl")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    try:
        await _wait_for_line(process.stdout, "Sandbox chat:")
        async with aiohttp.ClientSession() as session:
            coordinator = SandboxUser(f"http://127.0.0.1:{port}",
                                      PERSONA_IDS["commune_coordinator"], "Điều phối",
                                      session=session)
            await coordinator.command("digest", "last")
            digest = await coordinator.wait_for(lambda m: bool(m.photo), timeout=60)
            assert digest.photo
            await coordinator.command("export", "tháng", "11/2026")
            workbook = await coordinator.wait_for(lambda m: m.document is not None, timeout=60)
            assert str((workbook.document or {}).get("file_name", "")).endswith(".xlsx")
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()[-3000:]


# --- the operator's wrapper ---------------------------------------------------------------------

def test_the_wrapper_runs_a_command_with_the_service_settings(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("the wrapper switches user with runuser: root only")
    tool_or_skip("runuser", "util-linux")
    data = tmp_path / "data"
    data.mkdir()
    env_file = tmp_path / "env"
    env_file.write_text("# as in /etc/tocns-bot/env\nBACKUP_TIME=04:45\nDEFAULT_LANGUAGE=en\n"
                        "DATABASE_PATH=data/tocns.sqlite3\n", encoding="utf-8")
    script = (DEPLOY / "tocns-bot").read_text(encoding="utf-8")
    for line, value in (("APP=/opt/tocns-bot", f"APP={ROOT}"),
                        ("DATA=/var/lib/tocns-bot", f"DATA={data}"),
                        ("ENV_FILE=/etc/tocns-bot/env", f"ENV_FILE={env_file}"),
                        ("RUN_AS=tocns", f"RUN_AS={pwd.getpwuid(os.getuid()).pw_name}")):
        assert line in script
        script = script.replace(line, value)
    wrapper = tmp_path / "tocns-bot"
    wrapper.write_text(script, encoding="utf-8")
    wrapper.chmod(0o755)
    python = Path(f"{ROOT}/.venv/bin/python")
    if not python.exists():
        pytest.skip("no .venv in the work tree (make .venv/.installed)")
    result = subprocess.run([str(wrapper), "doctor"], capture_output=True, text=True,
                            timeout=120, check=False, cwd=tmp_path,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert result.returncode == 1  # no token, no database yet: an honest failure
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ Configuration: the settings are valid"  # the env file's language
    # Relative to the service's working folder, as for the service itself.
    assert lines[1].startswith("✓ Files: ")
    assert f"can write {data}/data " in lines[1]
    assert lines[2].startswith(f"✗ Database: {data}/data/tocns.sqlite3 does not exist")
    assert "every day at 04:45" in result.stdout


# --- the container ------------------------------------------------------------------------------

def _healthcheck_command() -> list[str]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*? CMD (\[.*\])$", text, re.MULTILINE)
    assert match, "no HEALTHCHECK with an exec-form CMD"
    command: list[str] = json.loads(match[1])
    assert command == ["python", "/opt/healthcheck.py"]
    assert "COPY deploy/healthcheck.py /opt/healthcheck.py" in text
    return [sys.executable, str(DEPLOY / "healthcheck.py")]


@pytest.fixture
async def healthz() -> AsyncIterator[tuple[int, list[int]]]:
    """A stand-in /healthz whose status the test sets: (port, [status])."""
    status = [200]

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"ok": status[0] == 200}, status=status[0])

    app = web.Application()
    app.router.add_get("/healthz", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port, status
    finally:
        await runner.cleanup()


async def _run(command: list[str], env: dict[str, str]) -> int:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    return await asyncio.wait_for(process.wait(), 60)


async def test_the_container_health_check_follows_healthz(healthz: tuple[int, list[int]]
                                                          ) -> None:
    port, status = healthz
    command = _healthcheck_command()
    hooked = {"WEB_BASE_URL": "https://bot.example.gov.vn"}
    assert await _run(command, {**hooked, "WEB_PORT": str(port)}) == 0
    status[0] = 503
    assert await _run(command, {**hooked, "WEB_PORT": str(port)}) != 0
    assert await _run(command, {**hooked, "WEB_PORT": str(_free_port())}) != 0  # nobody there


async def test_the_container_health_check_in_polling_mode_follows_the_running_bot(
        tmp_path: Path) -> None:
    # Without WEB_BASE_URL nothing listens: the check must not fail for ever on that.
    command = _healthcheck_command()
    database = tmp_path / "tocns.sqlite3"
    env = {"DATABASE_PATH": str(database)}
    assert await _run(command, env) != 0  # never started
    with run_lock(database):  # as the running bot holds it
        assert await _run(command, env) == 0
    assert await _run(command, env) != 0  # stopped (or crashed: the kernel drops the lock)


def test_the_image_installs_the_locked_dependencies_before_the_source() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    build = text[text.index("AS build"):text.rindex("\nFROM ")]
    # A change of the source leaves the dependency layer cached.
    assert build.index("COPY requirements.lock") < build.index("--require-hashes") \
        < build.index("COPY bot")
    assert "pip install --no-cache-dir --no-deps ." in build
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert "!requirements.lock" in ignore.splitlines()


def test_the_container_runs_as_its_own_user_with_the_data_in_a_volume() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    final_stage = text[text.rindex("\nFROM "):]
    assert "\nUSER tocns\n" in final_stage
    assert final_stage.index("USER tocns") < final_stage.index("CMD [")
    assert 'VOLUME ["/data"]' in final_stage
    assert "DATABASE_PATH=/data/tocns.sqlite3" in final_stage
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    assert '"127.0.0.1:8443:8443"' in compose  # only the host's nginx reaches it


# --- nginx --------------------------------------------------------------------------------------

def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = tool_or_skip("openssl", "openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=bot.example.gov.vn", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _site_for_this_machine(tmp_path: Path, http: int, https: int, backend: int) -> Path:
    site = (DEPLOY / "nginx" / "tocns-bot.conf").read_text(encoding="utf-8")
    cert, key = _self_signed(tmp_path)
    webroot = tmp_path / "www"
    (webroot / ".well-known" / "acme-challenge").mkdir(parents=True)
    (webroot / ".well-known" / "acme-challenge" / "probe").write_text("acme-ok")
    for old, new in (("listen [::]:80;\n", ""), ("listen [::]:443 ssl http2;\n", ""),
                     ("listen 80;", f"listen 127.0.0.1:{http};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
                     ("/etc/letsencrypt/live/bot.example.gov.vn/fullchain.pem", str(cert)),
                     ("/etc/letsencrypt/live/bot.example.gov.vn/privkey.pem", str(key)),
                     ("/var/www/html", str(webroot)),
                     ("http://127.0.0.1:8443", f"http://127.0.0.1:{backend}")):
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {tmp_path}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp_path / "nginx.conf"
    # Workers run as the test's user, who can read the temporary web root (root: as root).
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.geteuid() == 0 else ""
    main.write_text(f"""{user}worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {tmp_path}/access.log;
{temp}
    include {tmp_path}/site.conf;
}}
""", encoding="utf-8")
    return main


async def _until_listening(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)  # nginx is starting: no event to wait on
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
async def bot_web() -> AsyncIterator[tuple[int, list[str]]]:
    """A stand-in for the bot's web server that answers every path: (port, paths seen)."""
    seen: list[str] = []

    async def anything(request: web.Request) -> web.Response:
        seen.append(f"{request.method} {request.path}")
        return web.Response(text=f"bot:{request.path}")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port, seen
    finally:
        await runner.cleanup()


async def test_nginx_publishes_webhooks_and_file_links_and_nothing_else(
        tmp_path: Path, bot_web: tuple[int, list[str]]) -> None:
    nginx = tool_or_skip("nginx", "nginx-light")
    backend, seen = bot_web
    http, https = _free_port(), _free_port()
    conf = _site_for_this_machine(tmp_path, http, https, backend)
    check = await asyncio.create_subprocess_exec(
        nginx, "-t", "-p", str(tmp_path), "-c", str(conf), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _, complaint = await asyncio.wait_for(check.communicate(), 60)
    assert check.returncode == 0, complaint.decode()
    process = await asyncio.create_subprocess_exec(
        nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await _until_listening(https)
        base = f"https://127.0.0.1:{https}"
        headers = {"Host": "bot.example.gov.vn"}
        async with aiohttp.ClientSession(headers=headers) as session:

            async def status(method: str, url: str) -> tuple[int, str]:
                async with session.request(method, url, ssl=False,
                                           allow_redirects=False) as response:
                    return response.status, await response.text()

            assert await status("POST", f"{base}/webhook/telegram") == (200,
                                                                        "bot:/webhook/telegram")
            assert (await status("GET", f"{base}/webhook/telegram"))[0] == 403
            assert await status("GET", f"{base}/f/q8Zr2kL0pXv4mN7bT1yW3e") == (
                200, "bot:/f/q8Zr2kL0pXv4mN7bT1yW3e")
            assert (await status("GET", f"{base}/healthz"))[0] == 200  # from this machine
            # The dashboard (its pages and forms), a login link, and the feed API.
            for method, path in (("GET", "/web/overview/p"), ("POST", "/web/logout"),
                                 ("GET", "/web/login/Lg7Qx2mP0vK9rT4nB8wY1e"),
                                 ("GET", "/api/v1/feed.json")):
                assert await status(method, f"{base}{path}") == (200, f"bot:{path}"), path
            assert (await status("POST", f"{base}/api/v1/feed.json"))[0] == 403
            for hidden in ("/metrics", "/", "/sandbox/api/people", "/webhookx"):
                code, body = await status("GET", f"{base}{hidden}")
                assert code == 404, hidden
                assert "bot:" not in body
            code, _ = await status("GET", f"http://127.0.0.1:{http}/f/x")
            assert code == 301
            assert await status("GET", f"http://127.0.0.1:{http}/.well-known/acme-challenge/"
                                       "probe") == (200, "acme-ok")
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert seen == ["POST /webhook/telegram", "GET /f/q8Zr2kL0pXv4mN7bT1yW3e", "GET /healthz",
                    "GET /web/overview/p", "POST /web/logout",
                    "GET /web/login/Lg7Qx2mP0vK9rT4nB8wY1e", "GET /api/v1/feed.json"]
    logged = (tmp_path / "access.log").read_text()
    assert "q8Zr2kL0pXv4mN7bT1yW3e" not in logged
    assert "Lg7Qx2mP0vK9rT4nB8wY1e" not in logged



async def test_nginx_keeps_file_links_out_of_every_log_even_with_the_bot_down(
        tmp_path: Path) -> None:
    nginx = tool_or_skip("nginx", "nginx-light")
    http, https = _free_port(), _free_port()
    conf = _site_for_this_machine(tmp_path, http, https, _free_port())  # nobody listens there
    process = await asyncio.create_subprocess_exec(
        nginx, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    tokens = ["Tk1aaaaaaaaaaaaaaaaaaaaa", "Tk2bbbbbbbbbbbbbbbbbbbbb", "Tk3ccccccccccccccccccccc",
              "Tk4ddddddddddddddddddddd"]
    try:
        await _until_listening(https)
        base = f"https://127.0.0.1:{https}"
        async with aiohttp.ClientSession(headers={"Host": "bot.example.gov.vn"}) as session:

            async def status(method: str, url: str) -> int:
                async with session.request(method, url, ssl=False,
                                           allow_redirects=False) as response:
                    await response.read()
                    return response.status

            assert await status("GET", f"{base}/f/{tokens[0]}") == 502  # the bot is down
            assert await status("POST", f"{base}/f/{tokens[1]}") == 403
            assert await status("GET", f"http://127.0.0.1:{http}/f/{tokens[2]}") == 301
            assert await status("HEAD", f"{base}/f/{tokens[3]}") == 502
            # The log itself works: the webhook's failure is there.
            assert await status("POST", f"{base}/webhook/telegram") == 502
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    logs = "".join(path.read_text() for path in (tmp_path / "error.log", tmp_path / "access.log"))
    assert "/webhook/telegram" in logs
    for token in tokens:
        assert token not in logs
