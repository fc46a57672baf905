// Placeholder until the Runner target lands; delete when adding real sources.
