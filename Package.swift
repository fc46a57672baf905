// swift-tools-version: 6.0
// specrun: a declarative model-spec compiler and runner.
//
// One target per pipeline stage; each imports only the stages below it:
//
//   Diagnostics -> YAMLReader -> SpecLanguage -> GraphIR ─┐
//   Kernels -> Autograd -> NN ────────────────────────────┼─> Runner -> specrun (CLI)
//   DataPipeline, Datasets ───────────────────────────────┘
import PackageDescription

let package = Package(
    name: "specrun",
    products: [
        .executable(name: "specrun", targets: ["specrun"]),
        .library(name: "SpecLanguage", targets: ["SpecLanguage", "GraphIR"]),
        .library(name: "Autograd", targets: ["Kernels", "Autograd", "NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map and a one-line shim header each.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Front end: everything that happens before a tensor is computed.
        .target(name: "Diagnostics"),
        .target(name: "YAMLReader", dependencies: ["CYAML", "Diagnostics"]),
        .target(name: "SpecLanguage", dependencies: ["YAMLReader", "Diagnostics"]),
        .target(name: "GraphIR", dependencies: ["SpecLanguage", "Diagnostics"]),

        // Engine: raw kernels, reverse-mode autograd, layers and optimizers.
        // OpenBLAS is loaded at run time by Kernels (see Kernels/BLAS.swift for why it is not linked).
        .target(name: "Kernels"),
        .target(name: "Autograd", dependencies: ["Kernels"]),
        .target(name: "NN", dependencies: ["Autograd"]),

        // Data: sources, decoding, splits and batches; public data sets downloaded and verified.
        .target(name: "DataPipeline", dependencies: ["CPNG"]),
        .target(name: "Datasets", dependencies: ["CZlib"]),

        // The product: spec -> modules -> training loop, and the command line.
        .target(name: "Runner", dependencies: ["GraphIR", "NN", "DataPipeline", "Datasets"]),
        .executableTarget(name: "specrun", dependencies: [
            "Runner",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "YAMLReaderTests", dependencies: ["YAMLReader"]),
        .testTarget(name: "SpecLanguageTests", dependencies: ["SpecLanguage", "GraphIR"], exclude: ["Snapshots"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "NN"], exclude: ["Goldens"]),
        .testTarget(name: "DataPipelineTests", dependencies: ["DataPipeline"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner"]),
        .testTarget(name: "CLITests", dependencies: ["specrun"], exclude: ["Transcripts"]),
    ]
)
