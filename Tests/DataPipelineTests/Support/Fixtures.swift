import DataPipeline
import Foundation
import Testing

/// A fresh directory under /tmp for one test's files, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/specrun-data-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { buffer in
            guard let made = mkdtemp(buffer.baseAddress!) else { preconditionFailure("cannot create a temporary directory") }
            return String(cString: made)
        }
    }

    func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` to `relative` (creating folders), returning the full path.
    @discardableResult
    func write(_ text: String, to relative: String) -> String {
        write(Array(text.utf8), to: relative)
    }

    @discardableResult
    func write(_ bytes: [UInt8], to relative: String) -> String {
        let full = file(relative)
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        precondition(FileManager.default.createFile(atPath: full, contents: Data(bytes)), "cannot write \(full)")
        return full
    }

    func makeFolder(_ relative: String) {
        try! FileManager.default.createDirectory(atPath: file(relative), withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A grey image whose pixels are a simple function of the position and a seed, so every file
/// differs and tests can recompute what they wrote.
func testImage(width: Int, height: Int, channels: Int = 1, seed: Int) -> PixelImage {
    var pixels: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels { pixels.append(UInt8(truncatingIfNeeded: (x * 37 + y * 11 + c * 71 + seed * 29) % 256)) }
        }
    }
    return PixelImage(width: width, height: height, channels: channels, pixels: pixels)
}

/// Writes `<root>/<level0>/<level1>/<n>.png` for each (level0, level1, count), 1-bit greyscale
/// like Omniglot; returns the number of images written.
@discardableResult
func writeImageFolder(_ dir: TemporaryDirectory, root: String, _ layout: [(String, String, Int)],
                      size: Int = 9, bitDepth: PNG.BitDepth = .one) -> Int {
    var total = 0
    for (a, b, count) in layout {
        dir.makeFolder("\(root)/\(a)/\(b)")
        for n in 0..<count {
            let image = testImage(width: size, height: size, seed: total)
            try! PNG.write(image, to: dir.file("\(root)/\(a)/\(b)/\(String(format: "%02d", n)).png"), bitDepth: bitDepth)
            total += 1
        }
    }
    return total
}

/// Runs `body` and returns the DataError it throws (nil if it throws none).
func dataError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
