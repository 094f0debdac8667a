"""The command line: `workshop serve | create-event | links | export | import`."""
