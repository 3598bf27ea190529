"""What the bot spends: prices, budget rules and their windows. Pure: the standard library only;
the engine's meter (`bot.engine.metering`) applies them to turns and the ledger."""
