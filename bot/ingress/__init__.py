"""How updates reach the bot, and which process answers them: the webhook server, the journal
it writes, the feed that hands journaled updates to the handlers, and the lease that makes one
process of several the one that answers (the others stand by, and take webhooks)."""
