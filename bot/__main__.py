"""Command line: ``python -m bot [run|import|demo-registry|migrate|reindex|digest|generate]``."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings


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
    demo = sub.add_parser("demo-registry", help="write the demo province's registry as XLSX")
    demo.add_argument("out", type=Path)
    sub.add_parser("migrate", help="apply database migrations and exit")
    from bot import figures_cli, generate

    figures_cli.add_parsers(sub)
    generate.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise
    command = args.command or "run"
    try:
        if command == "run":
            return _run(settings)
        if command == "import":
            return asyncio.run(_import(settings, args.file, args.dry_run, args.lang))
        if command == "demo-registry":
            from bot.registry.demo import write_demo_xlsx

            write_demo_xlsx(args.out)
            print(args.out)
            return 0
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command == "generate":
            from bot import generate

            return generate.run(args)
        if command in ("reindex", "digest"):
            from bot import figures_cli

            return figures_cli.run(settings, args)
    except KeyboardInterrupt:
        return 130
    return 2


def _run(settings: Settings) -> int:
    """Run the bot; problems an operator can fix are one line, not a traceback."""
    from telegram.error import InvalidToken, NetworkError

    from bot.run import run

    try:
        asyncio.run(run(settings))
    except InvalidToken:
        print("Start-up error: TELEGRAM_BOT_TOKEN was refused by Telegram; check it with "
              "@BotFather.", file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(f"Start-up error: cannot reach the Telegram Bot API at "
              f"{settings.telegram_api_base_url} ({exc}).", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"Start-up error: {settings.sandbox_host}:{settings.sandbox_port} is already "
                  "in use; set SANDBOX_PORT to a free port.", file=sys.stderr)
        else:
            print(f"Start-up error: {exc}", file=sys.stderr)
        return 1
    return 0


async def _migrate(settings: Settings) -> int:
    from storage.db import Database

    async with Database(settings.database_path) as db:
        print(f"{settings.database_path}: schema version {await db.schema_version()}")
    return 0


async def _import(settings: Settings, path: Path, dry_run: bool, lang: str | None) -> int:
    from bot.app import utc_now
    from bot.i18n import translator
    from bot.import_report import render_summary
    from bot.registry.validate import plan_from_file
    from storage.db import Database
    from storage.registry_import import import_plan

    t = translator(settings.default_language)
    lang = lang or settings.default_language
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(t(lang, "import.cannot_read", path=str(path), reason=exc.strerror or str(exc)),
              file=sys.stderr)
        return 1
    plan = await asyncio.to_thread(plan_from_file, data, path.name)
    async with Database(settings.database_path) as db:
        summary = await import_plan(db, plan, province_code=settings.province_code,
                                    now=utc_now(), dry_run=dry_run, source=path.name)
    print(render_summary(t, lang, summary, dry_run=dry_run))
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
