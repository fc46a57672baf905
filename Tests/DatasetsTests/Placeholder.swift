// Placeholder until DatasetsTests land; delete when adding real tests.
