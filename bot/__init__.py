"""Telethread: a Telegram bot that gives every chat its own long-lived AI conversation."""
