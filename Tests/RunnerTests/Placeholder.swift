// Placeholder until RunnerTests land; delete when adding real tests.
