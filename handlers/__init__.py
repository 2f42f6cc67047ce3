"""The bot's flows, one module per feature, channel-neutral; ``bot.app.routes`` lists them."""
