"""The bot's flows, one module per feature; channel adapters hand every update to
:func:`dispatcher`."""

from __future__ import annotations

from functools import lru_cache

from handlers.dispatch import Dispatcher


@lru_cache(maxsize=1)
def dispatcher() -> Dispatcher:
    from handlers import (
        admin_import,
        audit,
        broadcast,
        categories,
        commune_picker,
        digest,
        export,
        invite,
        joining,
        logging_flow,
        main_menu,
        members,
        profile,
        schedule,
        stats,
        teams,
    )

    return Dispatcher([
        profile.feature,
        joining.feature,
        invite.feature,
        main_menu.feature,
        logging_flow.feature,
        teams.feature,
        members.feature,
        stats.feature,
        export.feature,
        admin_import.feature,
        audit.feature,
        digest.feature,
        schedule.feature,
        broadcast.feature,
        categories.feature,
        commune_picker.feature,
    ])
