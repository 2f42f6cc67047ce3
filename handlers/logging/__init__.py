"""A member's own reporting: logging a session (guided steps and the quick form), /undo, /my,
and /pause · /resume of the weekly reminders."""
