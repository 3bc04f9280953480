// Placeholder entry until the worker lands.
