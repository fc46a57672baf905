// Placeholder until the YAMLReader target lands; delete when adding real sources.
