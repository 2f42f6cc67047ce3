"""The feature list: every flow of the bot, in the one router the dispatchers share."""

from __future__ import annotations

from handlers.account import joining, privacy, profile
from handlers.admin import audit, categories, rules, schedule, status
from handlers.admin import registry as admin_import
from handlers.broadcast import command as broadcast
from handlers.kit import commune_picker, main_menu
from handlers.kit.dispatch import Router
from handlers.logging import flow as logging_flow
from handlers.logging import pause
from handlers.members import command as members
from handlers.members import invite
from handlers.steering import (
    allowance,
    approval,
    digest,
    export,
    review,
    stats,
    targets,
    web_login,
)
from handlers.teams import command as teams


def build_router() -> Router:
    return Router([
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
        approval.feature,
        status.feature,
        rules.feature,
        review.feature,
        commune_picker.feature,
        web_login.feature,
    ])
