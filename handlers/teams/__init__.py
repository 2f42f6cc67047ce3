"""/team: a team's week, a commune's teams, and keeping the list of teams right."""
