"""The bot's flows, channel-neutral: one package per feature and the kit they all use.

* :mod:`handlers.kit` — what every feature uses: the dispatcher, route types, the context a
  handler gets, the press check, who is asking, the flow store, refusals, scope checks, menus,
  the commune picker, the outbox API and the metrics. The kit imports no feature.
* feature packages — :mod:`~handlers.account`, :mod:`~handlers.logging`,
  :mod:`~handlers.members`, :mod:`~handlers.teams`, :mod:`~handlers.steering`,
  :mod:`~handlers.broadcast`, :mod:`~handlers.admin`: each module declares a ``feature`` that
  ``bot.app.routes`` lists. A feature imports the kit and :mod:`handlers.render`, and another
  feature only through that package's own ``__init__`` (its public face).
* :mod:`handlers.render` — files and pictures (charts, workbooks, import reports): no flow.

The import-linter contract ``handlers-features`` (pyproject.toml) keeps this true.
"""
