"""/broadcast: an announcement to a chosen audience, through the outbox, with live progress."""
