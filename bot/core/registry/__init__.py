"""The registry of teams and members: official geography, file reading, validation, demo data.

Everything in this package is pure (no database, no chat): the storage upsert and the CLI are
built on top of the plan that :func:`bot.core.registry.validate.validate` returns.
"""
