import Catalogue
import Diagnostics
import Foundation
import SpecLanguage
import TestSupport
import Testing
import YAMLReader

/// `specrun schema` is a valid draft 2020-12 JSON Schema that accepts every shipped spec and
/// refuses broken ones. Checked in Swift always, and with Python's `jsonschema` too when
/// /tmp/torchenv/bin/python is installed (the project's Python environment).
@Suite struct SchemaTests {
    static let schemaText = JSONSchema.document().rendered()

    static func schema() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(schemaText.utf8)) as? [String: Any])
    }

    /// A spec file as JSON, its scalars read the way specrun reads them.
    static func json(_ yaml: String) throws -> Any {
        let root = try #require(YAMLReader.read(text: yaml, path: "t.yaml").root)
        return try JSONSerialization.jsonObject(with: Data(root.jsonValue.rendered().utf8), options: .fragmentsAllowed)
    }

    static func shippedSpecs() throws -> [(String, String)] {
        try Fixtures.files(in: Fixtures.specs, ext: "yaml").map {
            ($0, try String(contentsOf: Fixtures.specs.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test func isWellFormed() throws {
        let schema = try Self.schema()
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(MiniSchemaValidator(root: schema).structuralProblems() == [])
    }

    @Test func acceptsEveryShippedSpec() throws {
        let validator = MiniSchemaValidator(root: try Self.schema())
        for (name, text) in try Self.shippedSpecs() {
            #expect(validator.validate(try Self.json(text)), "\(name)")
        }
    }

    static let broken = [
        "name: x\nmodel: {}\n",                                                  // required keys missing
        "name: x\ndata: {source: csv, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: sgd\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: {sgd: {momentun: 1}}\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: {adam: {lr: 0}}\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}, batch_size: 2.5}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: sgd\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [linaer]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: sgd\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [{conv2d: {out: 2}}]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: sgd\n",
        "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {}}\noptimizer: sgd\n",
    ]

    @Test func refusesBrokenSpecs() throws {
        let validator = MiniSchemaValidator(root: try Self.schema())
        let minimal = "name: x\ndata: {source: {csv: {path: a}}, fields: {x: {features: [a]}}}\nmodel: {inputs: {x: [1]}, nodes: {n: {from: x, layers: [relu]}}, outputs: {o: {from: n, target: x, loss: mse}}}\noptimizer: sgd\n"
        #expect(validator.validate(try Self.json(minimal)))
        for text in Self.broken { #expect(!validator.validate(try Self.json(text)), "\(text)") }
    }

    /// A spec with `extends` writes only the keys it changes; they are still checked.
    @Test func acceptsPartialSpecsThatExtendAnother() throws {
        let validator = MiniSchemaValidator(root: try Self.schema())
        #expect(validator.validate(try Self.json("extends: base.yaml\ndata: {batch_size: 8}\noptimizer: {sgd: {momentum: 0.9}}\n")))
        #expect(!validator.validate(try Self.json("data: {batch_size: 8}\n")), "without extends every required key is required")
        #expect(!validator.validate(try Self.json("extends: base.yaml\ndata: {batch_sise: 8}\n")))
        #expect(!validator.validate(try Self.json("extends: base.yaml\ntrain: {epochs: ten}\n")))
        #expect(!validator.validate(try Self.json("extends: base.yaml\nmodel: {nodes: {n: {layers: [{linear: {}}]}}}\n")),
                "a list replaces the base's, so its items are whole")
        #expect(!validator.validate(try Self.json("extends: [a.yaml]\n")))
    }

    static let python = "/tmp/torchenv/bin/python"

    /// That Python, when it can import jsonschema (an environment may have torch without it).
    static let hasJSONSchema = Python.first(of: [python], importing: "jsonschema") != nil

    @Test(.enabled(if: hasJSONSchema, "needs \(python) with jsonschema"))
    func pythonJSONSchemaAgrees() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-schema-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.schemaText.write(to: dir.appendingPathComponent("schema.json"), atomically: true, encoding: .utf8)
        var good: [String] = [], bad: [String] = []
        for (i, (_, text)) in try Self.shippedSpecs().enumerated() {
            let path = dir.appendingPathComponent("good\(i).json").path
            try YAMLReader.read(text: text, path: "t").root!.jsonValue.rendered().write(toFile: path, atomically: true, encoding: .utf8)
            good.append(path)
        }
        for (i, text) in Self.broken.enumerated() {
            let path = dir.appendingPathComponent("bad\(i).json").path
            try YAMLReader.read(text: text, path: "t").root!.jsonValue.rendered().write(toFile: path, atomically: true, encoding: .utf8)
            bad.append(path)
        }
        // check_schema validates the schema against the 2020-12 metaschema; then each instance.
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            n = int(sys.argv[2])
            for i, path in enumerate(sys.argv[3:]):
                ok = v.is_valid(json.load(open(path)))
                print(("good" if i < n else "bad") if ok == (i < n) else "WRONG " + path)
            """
        let output = try Python(path: Self.python).run(["-c", script, dir.appendingPathComponent("schema.json").path, String(good.count)] + good + bad)
        #expect(output == Array(repeating: "good\n", count: good.count).joined() + Array(repeating: "bad\n", count: bad.count).joined(),
                "\(output)")
    }

    /// A Python with PyYAML: the YAML 1.1 reader most editors and schema checkers build on.
    static let pyYAML: String? = Python.first(of: ["/usr/bin/python3", python], importing: "yaml")?.path

    /// PyYAML (YAML 1.1) reads every shipped spec as specrun (YAML 1.2) does: every number is a
    /// number to both, so the schema accepts them under either reader (issue 10: `1e-3` was text).
    @Test(.enabled(if: pyYAML != nil, "needs a python3 with PyYAML"))
    func yaml11ReadersReadTheShippedSpecsAsSpecrunDoes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specrun-yaml11-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var arguments: [String] = []
        for (name, text) in try Self.shippedSpecs() {
            let json = dir.appendingPathComponent(name + ".json")
            try YAMLReader.read(text: text, path: name).root!.jsonValue.rendered().write(to: json, atomically: true, encoding: .utf8)
            arguments += [Fixtures.specs.appendingPathComponent(name).path, json.path]
        }
        let script = """
            import json, sys, yaml
            for spec, ours in zip(sys.argv[1::2], sys.argv[2::2]):
                print(spec.split("/")[-1], "same" if yaml.safe_load(open(spec)) == json.load(open(ours)) else "DIFFERENT")
            """
        let output = try Python(path: Self.pyYAML!).run(["-c", script] + arguments)
        #expect(output == (try Self.shippedSpecs()).map { "\($0.0) same\n" }.joined(), "\(output)")
    }
}
