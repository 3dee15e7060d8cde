"""`hiring-bot sandbox`: the real app, a local Slack stand-in and a web page that plays Slack."""
