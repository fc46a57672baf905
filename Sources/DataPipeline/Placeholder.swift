// Placeholder until the DataPipeline target lands; delete when adding real sources.
