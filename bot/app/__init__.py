"""The composition root: services, the run loop, channels wiring, scheduled jobs, the demo."""
