// Placeholder until the SpecLanguage target lands; delete when adding real sources.
