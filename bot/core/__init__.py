"""Pure rules and domain types: no I/O, no channel, no storage; `now` is passed in."""
