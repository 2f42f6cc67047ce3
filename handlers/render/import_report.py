"""The text an admin reads after an import or its dry run (CLI and chat alike)."""

from __future__ import annotations

from bot.core.i18n import Translator
from bot.core.registry.error_text import render_error
from storage.registry_import import ImportSummary

#: A broken file can have thousands of bad rows; the first ones are enough to fix it.
MAX_ERRORS_SHOWN = 30


def render_summary(t: Translator, lang: str, summary: ImportSummary, *, dry_run: bool) -> str:
    if summary.errors:
        lines = [t(lang, "import.rejected", count=t.number(lang, len(summary.errors)))]
        lines += [f"• {render_error(t, lang, e)}" for e in summary.errors[:MAX_ERRORS_SHOWN]]
        hidden = len(summary.errors) - MAX_ERRORS_SHOWN
        if hidden > 0:
            lines.append(t(lang, "import.more_errors", count=t.number(lang, hidden)))
        return "\n".join(lines)
    counts = t(
        lang, "import.counts",
        teams_new=t.number(lang, summary.teams_new),
        teams_changed=t.number(lang, summary.teams_changed),
        members_new=t.number(lang, summary.members_new),
        members_changed=t.number(lang, summary.members_changed),
        roles_new=t.number(lang, summary.roles_new),
        unchanged=t.number(lang, summary.unchanged),
    )
    if summary.targets:
        counts += "\n" + t(lang, "steering.import_targets",
                           count=t.number(lang, summary.targets))
    if dry_run:
        head = "import.dry_run"
    else:
        head = "import.applied" if summary.changes else "import.nothing_changed"
    return t(lang, head) + "\n" + counts
