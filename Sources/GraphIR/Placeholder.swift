// Placeholder until the GraphIR target lands; delete when adding real sources.
