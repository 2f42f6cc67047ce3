"""The feature list: every flow of the bot, registered with one dispatcher."""

from __future__ import annotations

from handlers import (
    admin_import,
    allowance,
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
    pause,
    privacy,
    profile,
    schedule,
    stats,
    status,
    targets,
    teams,
)
from handlers.dispatch import Dispatcher


def build_dispatcher() -> Dispatcher:
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
        privacy.feature,
        targets.feature,
        pause.feature,
        allowance.feature,
        status.feature,
        commune_picker.feature,
    ])
