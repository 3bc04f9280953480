// Placeholder entry until the panel lands.
