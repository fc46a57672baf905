// Placeholder until the Datasets target lands; delete when adding real sources.
