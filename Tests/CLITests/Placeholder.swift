// Placeholder until CLITests land; delete when adding real tests.
