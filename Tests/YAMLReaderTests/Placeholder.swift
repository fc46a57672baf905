// Placeholder until YAMLReaderTests land; delete when adding real tests.
