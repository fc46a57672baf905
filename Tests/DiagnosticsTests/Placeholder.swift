// Placeholder until DiagnosticsTests land; delete when adding real tests.
