// Placeholder until the Diagnostics target lands; delete when adding real sources.
