// Placeholder until SpecLanguageTests land; delete when adding real tests.
