// swift-tools-version: 6.0
// specrun: a declarative model-spec compiler and runner.
//
// One target per pipeline stage; each imports only the stages below it:
//
//   Diagnostics -> YAMLReader -> SpecLanguage -> GraphIR ─┐
//   Kernels -> Autograd -> NN ────────────────────────────┼─> Catalogue -> Runner -> specrun (CLI)
//   DataPipeline ─────────────────────────────────────────┘                  ^   ^
//   Datasets, ProtobufWire -> TensorBoard, CMPI -> Collectives ──────────────┘   |
//   YAMLReader -> Report (run folders -> HTML) ──────────────────────────────────┘
//   ProtobufWire -> ONNX (messages, graph builder) -> Catalogue (each layer's ONNX nodes)
//
// The front end (down to GraphIR) never imports the engine: Catalogue holds one definition per
// layer, loss, optimizer, metric, data source, ... and hands the front end its view of them.
import Foundation
import PackageDescription

/// specrun compiles its kernels for the instruction set of the machine that builds it, the way
/// `-march=native` builds do: Swift targets baseline x86-64 (SSE2, 4 floats a vector) by default,
/// and the elementwise kernels measured 2 to 2.6 times faster with AVX2 or AVX-512 (sigmoid over
/// 524,288 floats: 1,054 us baseline, 555 us haswell, 407 us skylake-avx512, one thread).
/// `SPECRUN_TARGET_CPU` overrides the choice: a CPU name LLVM knows, or `generic` for a binary that
/// runs on any x86-64 (for example when building an image on one machine to run on others).
func kernelTargetCPU() -> String? {
    if let chosen = ProcessInfo.processInfo.environment["SPECRUN_TARGET_CPU"] {
        return chosen == "generic" ? nil : chosen
    }
    #if arch(x86_64) && os(Linux)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(separator: " ").map(String.init))
    let haswell = ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt"]
    let skylakeAVX512 = haswell + ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "clflushopt", "xsavec", "clwb"]
    if skylakeAVX512.allSatisfy(flags.contains) { return "skylake-avx512" }
    if haswell.allSatisfy(flags.contains) { return "haswell" }
    #endif
    return nil
}

let nativeCode: [SwiftSetting] = kernelTargetCPU().map { cpu in
    // LLVM's tuning for AVX-512 CPUs prefers 256-bit vectors; the kernels' loops are long, regular
    // and memory-bound, and 16-float vectors measured faster (ELU over 524,288 floats: 0.44 ms
    // forward at 8 lanes, 0.28 at 16).
    // SPECRUN_AVX512 chooses specrun's own matrix product over OpenBLAS (Kernels/PackedGEMM.swift).
    cpu == "skylake-avx512"
        ? [.unsafeFlags(["-target-cpu", cpu, "-Xllvm", "-force-vector-width=16"]), .define("SPECRUN_AVX512")]
        : [.unsafeFlags(["-target-cpu", cpu])]
} ?? []

let package = Package(
    name: "specrun",
    products: [
        .executable(name: "specrun", targets: ["specrun"]),
        .library(name: "SpecLanguage", targets: ["SpecLanguage", "GraphIR", "Catalogue"]),
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
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        // MPI is always linked, and initialised only when a launcher started the process: see the
        // README's "Training on several processes" for why. `mpi-c` is Debian's alternative
        // pointing at the default MPI (Open MPI); the shim names its macro handles.
        .systemLibrary(name: "CMPI", pkgConfig: "mpi-c", providers: [.apt(["libopenmpi-dev"])]),

        // Front end: everything that happens before a tensor is computed.
        .target(name: "Diagnostics"),
        .target(name: "YAMLReader", dependencies: ["CYAML", "Diagnostics"]),
        .target(name: "SpecLanguage", dependencies: ["YAMLReader", "Diagnostics"]),
        .target(name: "GraphIR", dependencies: ["SpecLanguage", "Diagnostics"]),

        // Engine: raw kernels, reverse-mode autograd, layers and optimizers.
        // OpenBLAS is loaded at run time by Kernels (see Kernels/BLAS.swift for why it is not linked).
        .target(name: "Kernels", swiftSettings: nativeCode),
        .target(name: "Autograd", dependencies: ["Kernels"], swiftSettings: nativeCode),
        .target(name: "NN", dependencies: ["Autograd"], swiftSettings: nativeCode),

        // Data: sources, decoding, splits and batches; public data sets downloaded and verified.
        .target(name: "DataPipeline", dependencies: ["CPNG", "CTurboJPEG", "Kernels", "Diagnostics"], swiftSettings: nativeCode),
        .target(name: "Datasets", dependencies: ["CZlib"]),

        // One definition per member of every family, read by every stage; lowering to modules.
        // Testable in release builds (the README's test command) so tests can read a definition's
        // resolved attributes; it holds no hot loops, so nothing is lost.
        .target(name: "Catalogue", dependencies: ["GraphIR", "NN", "DataPipeline", "ONNX"], swiftSettings: [.unsafeFlags(["-enable-testing"])]),

        // Files other tools read: the protobuf wire format, TensorBoard event files, ONNX models; and the HTML
        // report built from run folders (it reads them as files, without the engine).
        .target(name: "ProtobufWire"),
        .target(name: "TensorBoard", dependencies: ["ProtobufWire"]),
        .target(name: "ONNX", dependencies: ["ProtobufWire"]),
        .target(name: "Report", dependencies: ["YAMLReader"]),

        // The processes of a data-parallel job: a communicator over MPI, or the job of one.
        .target(name: "Collectives", dependencies: ["CMPI"]),

        // The product: spec -> modules -> training loop, and the command line.
        .target(name: "Runner", dependencies: ["Catalogue", "GraphIR", "NN", "DataPipeline", "Datasets", "TensorBoard", "Collectives", "ONNX"]),
        .executableTarget(name: "specrun", dependencies: [
            "Runner", "Catalogue", "GraphIR", "SpecLanguage", "Diagnostics", "Datasets", "Report", "Collectives",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What tests share: finding a Python with the modules an interop test needs.
        .target(name: "TestSupport", dependencies: ["ONNX"], path: "Tests/TestSupport"),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "YAMLReaderTests", dependencies: ["YAMLReader"]),
        .testTarget(name: "SpecLanguageTests", dependencies: ["SpecLanguage", "GraphIR", "Catalogue", "TestSupport"], exclude: ["Snapshots", "TorchExport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "AutogradTests", dependencies: ["Autograd", "NN"], exclude: ["Goldens"]),
        .testTarget(name: "NNTests", dependencies: ["NN"], exclude: ["Goldens"]),
        .testTarget(name: "DataPipelineTests", dependencies: ["DataPipeline", "Diagnostics"], exclude: ["Goldens"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CZlib"]),
        .testTarget(name: "ProtobufWireTests", dependencies: ["ProtobufWire"]),
        .testTarget(name: "TensorBoardTests", dependencies: ["TensorBoard"]),
        .testTarget(name: "CollectivesTests", dependencies: ["Collectives"]),
        .testTarget(name: "ONNXTests", dependencies: ["ONNX", "ProtobufWire"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"], exclude: ["Fixtures"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Catalogue", "DataPipeline", "TensorBoard", "specrun", "TestSupport"]),
        .testTarget(name: "CatalogueTests", dependencies: ["Catalogue", "Runner", "DataPipeline", "GraphIR", "SpecLanguage", "NN", "TestSupport"],
                    exclude: ["Support/twins.py"]),
        .testTarget(name: "CLITests", dependencies: ["specrun"], exclude: ["Transcripts"]),
    ]
)
