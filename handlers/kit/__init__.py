"""What every feature uses: dispatch, routing, context, press check, caller, flow store,
refusals, scope checks, menus, the commune picker, the outbox API and the metrics.

The kit never imports a feature package, so a feature can be added or removed without touching it.
"""
