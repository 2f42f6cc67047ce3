"""Steering figures for coordinators: /stats, /digest, /target, /allowance, /export, /web (the
web dashboard's figures and the feed for the level above), and the weekly digests and
reminders the scheduled jobs write to the outbox.

The public face other features use: the progress of a place's targets and the lines saying
which places are behind (the team page shows them too).
"""

from handlers.steering.figures import behind, children_progress, target_progress

__all__ = ["behind", "children_progress", "target_progress"]
