// Placeholder until DataPipelineTests land; delete when adding real tests.
