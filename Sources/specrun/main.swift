// Placeholder entry point until the CLI lands.
print("specrun: not built yet")
