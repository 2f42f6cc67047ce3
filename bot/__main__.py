"""Command line: ``python -m bot [run|import|demo-registry|migrate|doctor|backup|restore|
reindex|digest|generate|api-token]``."""

from __future__ import annotations

import argparse
import asyncio
import errno
import sys
from pathlib import Path

from bot.app.logs import configure_logging
from bot.config import ConfigError, Settings, configured_language, load_settings

#: Exit codes systemd does not restart on (RestartPreventExitStatus in the unit): restarting
#: cannot fix settings that do not load (2), nor a start-up an operator must mend (3).
CONFIG_ERROR = 2
STARTUP_ERROR = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Chatbot of the community digital technology teams (tổ công nghệ số).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (the default); with no TELEGRAM_BOT_TOKEN it starts "
                               "the local sandbox with the demo province and prints its address")
    imp = sub.add_parser("import", help="import a registry of teams and members (CSV or XLSX)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and show what would change, without saving")
    imp.add_argument("--lang", choices=("vi", "en"), default=None,
                     help="language of the report (default: DEFAULT_LANGUAGE)")
    demo = sub.add_parser("demo-registry", help="write a demo registry as XLSX: the former Hậu "
                          "Giang part of Cần Thơ (92), or invented teams over every commune of "
                          "another province (--province)")
    demo.add_argument("out", type=Path)
    demo.add_argument("--province", metavar="CODE", default=None,
                      help="official province code (default: PROVINCE_CODE)")
    demo.add_argument("--teams", metavar="N", type=int, default=None,
                      help="how many teams, for a province other than 92 (default 525, as in "
                           "the Hậu Giang demo; about 7 members each)")
    sub.add_parser("migrate", help="apply database migrations and exit")
    doc = sub.add_parser("doctor", help="check configuration, database, tokens, webhooks, "
                                        "schedules, disk and backups; exit 0 if all pass")
    bak = sub.add_parser("backup", help="copy the database while the bot runs (default: into "
                                        "BACKUP_DIR, keeping the newest BACKUP_KEEP)")
    bak.add_argument("file", type=Path, nargs="?", default=None)
    res = sub.add_parser("restore", help="replace the database with a checked backup (the bot "
                                         "must be stopped; the old database is kept aside)")
    res.add_argument("file", type=Path)
    for operator in (doc, bak, res):
        operator.add_argument("--lang", choices=("vi", "en"), default=None,
                              help="language of the output (default: DEFAULT_LANGUAGE)")

    from bot.app import api_tokens_cli, figures_cli, generate

    figures_cli.add_parsers(sub)
    generate.add_parser(sub)
    api_tokens_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as exc:
        if command == "doctor":  # the first check failed: say so in the doctor's own words
            from bot.app.doctor import configuration_failed
            from locales import translator

            lang = args.lang or configured_language()
            print("\n".join(configuration_failed(translator(), lang, str(exc))))
            return 1
        print(exc, file=sys.stderr)
        return CONFIG_ERROR
    configure_logging(settings)
    try:
        if command == "run":
            return _run(settings)
        if command == "import":
            return asyncio.run(_import(settings, args.file, args.dry_run, args.lang))
        if command == "demo-registry":
            return _demo_registry(settings, args.out, args.province, args.teams)
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command in ("doctor", "backup", "restore"):
            return _operate(settings, command, args)
        if command == "generate":
            from bot.app import generate

            return generate.run(args)
        if command == "api-token":
            from bot.app import api_tokens_cli

            return api_tokens_cli.run(settings, args)
        if command in ("reindex", "digest"):
            from bot.app import figures_cli

            return figures_cli.run(settings, args)
    except KeyboardInterrupt:
        return 130
    return 2


def _operate(settings: Settings, command: str, args: argparse.Namespace) -> int:
    from bot.app.ops_cli import backup_command, doctor_command, restore_command

    lang = args.lang or settings.default_language
    if command == "doctor":
        return doctor_command(settings, lang)
    if command == "backup":
        return backup_command(settings, lang, args.file)
    return restore_command(settings, lang, args.file)


def _demo_registry(settings: Settings, out: Path, province: str | None,
                   teams: int | None) -> int:
    from bot.core.registry.demo import DemoSizeError, write_demo_xlsx
    from bot.core.registry.provinces import UnknownProvince, province_info

    try:
        code = province_info(province if province is not None else settings.province_code).code
        write_demo_xlsx(out, province_code=code, teams=teams)
    except UnknownProvince as exc:
        print(f"demo-registry: --province {exc.value}: not the official code of a province or "
              "city since the 2025 merger (e.g. 92, 79, 04)", file=sys.stderr)
        return 2
    except DemoSizeError as exc:
        print(f"demo-registry: --teams: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0


def _run(settings: Settings) -> int:
    """Run the bot; problems an operator can fix are one line, not a traceback.

    Exit code 3 (not restarted by systemd) for what only an operator can mend; 1 (restarted)
    for what may pass by itself: an unreachable Bot API, a port still held by the old process.
    """
    import sqlite3

    from bot.app.preconditions import StartupBlocked, hints
    from bot.app.run import run
    from bot.app.run_lock import AlreadyRunning
    from bot.core.chat import ChannelError, Failure, TokenRefused, WrongAddress
    from storage.geography import ProvinceMismatch

    def startup_error(line: str) -> int:
        print(f"Start-up error: {line}", file=sys.stderr)
        return STARTUP_ERROR

    try:
        asyncio.run(run(settings))
    except StartupBlocked as exc:
        from bot.app.doctor import render
        from locales import translator

        t = translator(settings.default_language)
        lines = render(t, settings.default_language, exc.outcomes)[:-1]  # not the summary
        print("\n".join([*lines, t(settings.default_language, "startup.failed", **hints())]),
              file=sys.stderr)
        return STARTUP_ERROR
    except ProvinceMismatch as exc:
        return startup_error(f"{exc}.")
    except AlreadyRunning as exc:
        return startup_error(f"another bot (process {exc.pid or '?'}) is running on "
                             f"{settings.database_path.absolute()}; stop it first.")
    except TokenRefused as exc:
        if exc.channel == "zalo":
            return startup_error("ZALO_BOT_TOKEN was refused by Zalo; check it in the Zalo "
                                 "Bot Manager.")
        return startup_error("TELEGRAM_BOT_TOKEN was refused by Telegram; check it with "
                             "@BotFather.")
    except WrongAddress as exc:
        return startup_error(f"ZALO_API_BASE_URL ({settings.zalo_api_base_url}) answered "
                             f"{exc.code} {exc.answer}: not a Zalo Bot API.")
    except ChannelError as exc:
        if exc.channel == "zalo":
            print(f"Start-up error: the Zalo Bot API at {settings.zalo_api_base_url} failed "
                  f"({exc.reason}).", file=sys.stderr)
            return 1
        if exc.failure is not Failure.TRANSIENT:
            raise
        print(f"Start-up error: cannot reach the Telegram Bot API at "
              f"{settings.telegram_api_base_url} ({exc.reason}).", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        return startup_error(f"{settings.database_path.absolute()}: {exc}; "
                             f"{hints()['cli']} doctor says more.")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            places = [f"{settings.sandbox_host}:{settings.sandbox_port} (SANDBOX_PORT)"] \
                if settings.sandbox_mode else []
            if settings.web_base_url is not None:
                places.append(f"{settings.web_host}:{settings.web_port} (WEB_PORT)")
            print(f"Start-up error: {' or '.join(places)} is already in use; set it to a free "
                  "port.", file=sys.stderr)
            return 1
        return startup_error(str(exc))
    return 0


async def _migrate(settings: Settings) -> int:
    from storage.db import Database

    async with Database(settings.database_path) as db:
        print(f"{settings.database_path}: schema version {await db.schema_version()}")
    return 0


async def _import(settings: Settings, path: Path, dry_run: bool, lang: str | None) -> int:
    from bot.app.services import utc_now
    from bot.core.registry.validate import plan_from_file
    from handlers.render.import_report import render_summary
    from locales import translator
    from storage.db import Database
    from storage.geography import ProvinceMismatch, check_province
    from storage.registry_import import import_plan

    t = translator(settings.default_language)
    lang = lang or settings.default_language
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(t(lang, "import.cannot_read", path=str(path), reason=exc.strerror or str(exc)),
              file=sys.stderr)
        return 1
    async with Database(settings.database_path) as db:
        try:  # read-only: a dry run claims nothing, the import claims an empty database
            await check_province(db.reader, settings.province_code)
        except ProvinceMismatch as exc:
            print(f"Import error: {exc}.", file=sys.stderr)
            return 1
        plan = await asyncio.to_thread(plan_from_file, data, path.name, settings.province_code)
        summary = await import_plan(db, plan, province_code=settings.province_code,
                                    now=utc_now(), dry_run=dry_run, source=path.name)
    print(render_summary(t, lang, summary, dry_run=dry_run))
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
