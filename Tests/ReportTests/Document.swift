import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The report parsed as XML (it is written to be well-formed), so that its structure can be
/// checked without a browser: which charts, which series in each, the legends and the tables.
final class Element {
    let name: String
    let attributes: [String: String]
    var children: [Element] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    subscript(attribute: String) -> String? { attributes[attribute] }

    /// Every element below this one (itself included) that passes `test`, in document order.
    func all(_ test: (Element) -> Bool) -> [Element] {
        (test(self) ? [self] : []) + children.flatMap { $0.all(test) }
    }

    func all(_ name: String, class className: String? = nil) -> [Element] {
        all { $0.name == name && (className == nil || ($0["class"] ?? "").split(separator: " ").contains { $0 == className! }) }
    }

    /// The text of this element and everything inside it.
    var allText: String { text + children.map(\.allText).joined() }

    /// Parses a document; a document that is not well-formed is an error saying where.
    static func parse(_ text: String) throws -> Element {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw NotWellFormed(line: parser.lineNumber, column: parser.columnNumber, reason: parser.parserError.map { "\($0)" } ?? "")
        }
        return root
    }

    struct NotWellFormed: Error, CustomStringConvertible {
        var line: Int, column: Int, reason: String
        var description: String { "not well-formed at \(line):\(column): \(reason)" }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: Element?
        var stack: [Element] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let element = Element(name: name, attributes: attributes)
            if let parent = stack.last { parent.children.append(element) } else { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
