"""The `caseload` command: a thin shell over the API, one module per subcommand."""
