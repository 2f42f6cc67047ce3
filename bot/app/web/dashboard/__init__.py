"""The coordinators' web dashboard (``/web/...``) and the feed API (``/api/v1/...``), served by
the bot's own web server: server-rendered HTML (Jinja2 templates), charts as SVG drawn on the
server, one small stylesheet, no script. The figures and the access rules come from
``handlers.steering.dashboard`` and ``handlers.steering.feed``."""
