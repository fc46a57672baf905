// swift-tools-version: 6.0
// Times specrun's kernels on the benchmark zoo's shapes, algorithm against algorithm in one run
// (see main.swift). A package of its own so that the main build does not carry it:
//
//     swift run -c release --package-path tools/bench/kernels kernelbench conv
import PackageDescription

let package = Package(
    name: "kernelbench",
    dependencies: [.package(name: "specrun", path: "../../..")],
    targets: [
        .executableTarget(name: "kernelbench", dependencies: [.product(name: "Autograd", package: "specrun")]),
    ]
)
