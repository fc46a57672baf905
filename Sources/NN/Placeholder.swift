// Placeholder until the NN target lands; delete when adding real sources.
