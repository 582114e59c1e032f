"""mvbot's click commands `daily`, `run` and `config`, registered in `mvbot.cli.COMMANDS`."""
