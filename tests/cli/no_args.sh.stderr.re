^Usage: idbpq COMMAND
