// Placeholder entry until the CLI lands.
