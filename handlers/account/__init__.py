"""A person and the bot: /start, joining a team with an invitation, /me, /lang, /help, /cancel,
and their own data (/mydata, /forget)."""
