"""The Slack Web API stand-in, in parts; import it from hiring_bot.sandbox.slack_standin."""
