"""People in teams: /member (find, card, rename, move, role, (de)activate, add) and /invite."""
